// The gallery page, made better with JavaScript: drag-and-drop uploads with a
// progress bar per file and an overall one, sent to the JSON API, and a viewer
// driven by mouse or keyboard. Without JavaScript the plain form still works.
"use strict";

const MAX_PARALLEL_UPLOADS = 3;
const MOST_WAITS_TO_START = 5;
const TILE_WIDTH = 184; // CSS pixels, as tile.html says

const form = document.querySelector("[data-upload-form]");
const input = form?.querySelector("input[type=file]");
const uploadsPanel = document.querySelector("[data-uploads]");
const uploadList = document.querySelector("[data-upload-list]");
const overallBar = document.querySelector("[data-overall-progress]");
const uploadsSummary = document.querySelector("[data-uploads-summary]");
const gallery = document.querySelector("[data-gallery]");
const counter = document.querySelector("[data-count]");
const emptyState = document.querySelector("[data-empty]");
const tileTemplate = document.getElementById("tile-template");
const uploadTemplate = document.getElementById("upload-template");

document.documentElement.classList.add("js");

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

// An empty count means the server had not finished counting the store: it then
// holds more images than the page shows, and the page leaves the words alone.
function changeCount(by) {
  if (counter.dataset.count === "") return;
  const total = Math.max(0, Number(counter.dataset.count) + by);
  counter.dataset.count = String(total);
  counter.textContent = `${total} image${total === 1 ? "" : "s"}`;
  emptyState.hidden = total > 0;
}

// ---- Uploads ---------------------------------------------------------------

const queue = [];
const batch = { jobs: [], running: 0 };

function uploadFiles(fileList) {
  const files = Array.from(fileList);
  if (files.length === 0) return;
  if (batch.running === 0 && queue.length === 0) {
    batch.jobs = [];
    uploadList.replaceChildren();
  }
  uploadsPanel.hidden = false;
  for (const file of files) {
    const item = uploadTemplate.content.firstElementChild.cloneNode(true);
    item.querySelector("[data-upload-name]").textContent = file.name;
    const job = { file, item, bar: item.querySelector("progress"), sent: 0, done: false };
    job.bar.max = Math.max(file.size, 1);
    uploadList.append(item);
    batch.jobs.push(job);
    queue.push(job);
  }
  showOverallProgress();
  startQueuedUploads();
}

function startQueuedUploads() {
  while (batch.running < MAX_PARALLEL_UPLOADS && queue.length > 0) {
    const job = queue.shift();
    batch.running += 1;
    send(job).then(() => {
      batch.running -= 1;
      startQueuedUploads();
      showOverallProgress();
    });
  }
}

// With direct uploads (the form's data-direct-api) the bytes go straight to storage: the
// app says where, the browser sends them there, then the app claims them. An empty file
// goes through the app, which says why it is refused.
function send(job) {
  return form.dataset.directApi && job.file.size > 0 ? sendDirect(job) : sendThroughApp(job);
}

async function sendDirect(job) {
  job.item.querySelector("[data-upload-status]").textContent = "Uploading…";
  try {
    const announced = { filename: job.file.name, size: job.file.size, content_type: job.file.type };
    const start = await announce(job, announced);
    if (start.status !== 201) return finish(job, start.status, start.answer);
    const sent = await sendToStorage(job, start.answer.upload);
    if (sent < 200 || sent >= 300) return finish(job, sent, { error: "storage refused the file" });
    job.item.querySelector("[data-upload-status]").textContent = "Checking…";
    const claimed = await postJson(start.answer.claim_url);
    return finish(job, claimed.status, claimed.answer);
  } catch {
    return finish(job, 0, null);
  }
}

// Past the store's bounds on uploads started (429), wait as long as it says, a few times.
async function announce(job, announced) {
  for (let waits = 0; ; waits += 1) {
    const start = await postJson(form.dataset.directApi, announced);
    const seconds = Number(start.retryAfter);
    if (start.status !== 429 || !(seconds > 0) || waits === MOST_WAITS_TO_START) return start;
    job.item.querySelector("[data-upload-status]").textContent = `Waiting ${seconds} s…`;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
}

async function postJson(url, body) {
  const answer = await fetch(url, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const retryAfter = answer.headers.get("Retry-After");
  return { status: answer.status, retryAfter, answer: await answer.json().catch(() => null) };
}

function sendToStorage(job, upload) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open(upload.method, upload.url);
    for (const [name, value] of Object.entries(upload.headers ?? {})) request.setRequestHeader(name, value);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) setSent(job, event.loaded);
    });
    request.addEventListener("loadend", () => resolve(request.status));
    request.send(job.file);
  });
}

function sendThroughApp(job) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    const body = new FormData();
    body.append("file", job.file, job.file.name);
    request.open("POST", form.dataset.api);
    request.responseType = "json";
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) setSent(job, (event.loaded / event.total) * job.file.size);
    });
    // loadend follows load, error and abort alike, so the queue always moves on.
    request.addEventListener("loadend", () => {
      try {
        finish(job, request.status, request.response);
      } finally {
        resolve();
      }
    });
    job.item.querySelector("[data-upload-status]").textContent = "Uploading…";
    request.send(body);
  });
}

function setSent(job, bytes) {
  job.sent = Math.min(bytes, job.file.size);
  job.bar.value = job.sent;
  showOverallProgress();
}

function finish(job, status, answer) {
  job.done = true;
  job.bar.value = job.bar.max;
  showOverallProgress();
  const statusText = job.item.querySelector("[data-upload-status]");
  if (status === 201 && answer?.stored?.length > 0) {
    const image = answer.stored[0];
    job.item.classList.add("stored");
    statusText.textContent = `Stored as ${image.key}`;
    addTile(image);
  } else {
    job.item.classList.add("rejected");
    statusText.textContent = `Rejected: ${rejectionReason(status, answer)}`;
  }
}

function rejectionReason(status, answer) {
  if (answer && answer.rejected && answer.rejected.length > 0) return answer.rejected[0].error;
  if (answer && answer.error) return answer.error;
  if (status === 0) return "the connection to the server failed";
  return `the server answered ${status}`;
}

function showOverallProgress() {
  const total = batch.jobs.reduce((sum, job) => sum + Math.max(job.file.size, 1), 0);
  const sent = batch.jobs.reduce((sum, job) => sum + (job.done ? Math.max(job.file.size, 1) : job.sent), 0);
  overallBar.max = Math.max(total, 1);
  overallBar.value = sent;
  const finished = batch.jobs.filter((job) => job.done);
  const stored = finished.filter((job) => job.item.classList.contains("stored")).length;
  uploadsSummary.textContent =
    finished.length === batch.jobs.length
      ? `All ${batch.jobs.length} done: ${stored} stored, ${finished.length - stored} rejected.`
      : `${finished.length} of ${batch.jobs.length} done…`;
}

// A new upload is the newest image: it belongs at the top of the first page only.
function addTile(image) {
  changeCount(+1);
  if (gallery.dataset.page !== "1") return;
  const tile = tileTemplate.content.firstElementChild.cloneNode(true);
  fillTile(tile, image);
  gallery.prepend(tile);
}

function fillTile(tile, image) {
  Object.assign(tile.dataset, {
    key: image.key,
    filename: image.filename,
    size: image.size,
    width: image.width,
    height: image.height,
    type: image.content_type,
    url: image.url,
    viewUrl: image.view_url,
    downloadUrl: image.download_url,
    apiUrl: image.api_url,
    srcset: image.srcset ?? "",
  });
  tile.querySelector("[data-tile-link]").href = image.view_url;
  const thumbnail = tile.querySelector("[data-tile-image]");
  if (image.srcset && image.width && image.height) {
    thumbnail.width = image.width;
    thumbnail.height = image.height;
    thumbnail.sizes = `${Math.round(TILE_WIDTH * Math.max(1, image.width / image.height))}px`;
    thumbnail.srcset = image.srcset;
  }
  thumbnail.src = image.thumbnail_url;
  thumbnail.alt = image.key;
  const name = tile.querySelector("[data-tile-name]");
  name.textContent = image.key;
  name.title = image.key;
  const deleteForm = tile.querySelector("[data-tile-delete]");
  deleteForm.action = `${image.url}/delete`;
  deleteForm.querySelector("button").setAttribute("aria-label", `Delete ${image.key}`);
}

// Without the write token the page shows no upload form: a drop then does nothing,
// rather than the browser leaving the page to open the dropped file.
let dragDepth = 0;
const carriesFiles = (event) => Array.from(event.dataTransfer?.types ?? []).includes("Files");
const uploadsDrops = (event) => form && carriesFiles(event);

if (form) {
  input.addEventListener("change", () => {
    uploadFiles(input.files);
    form.reset();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    uploadFiles(input.files);
    form.reset();
  });
}

// Dropping files anywhere on the page uploads them.
document.addEventListener("dragenter", (event) => {
  if (!uploadsDrops(event)) return;
  dragDepth += 1;
  document.body.classList.add("dragging");
});
document.addEventListener("dragleave", (event) => {
  if (!uploadsDrops(event)) return;
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) document.body.classList.remove("dragging");
});
document.addEventListener("dragover", (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault();
  if (!form) event.dataTransfer.dropEffect = "none";
});
document.addEventListener("drop", (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault();
  if (!form) return;
  dragDepth = 0;
  document.body.classList.remove("dragging");
  uploadFiles(event.dataTransfer.files);
});

// ---- Viewer ----------------------------------------------------------------

const viewer = document.querySelector("[data-viewer]");
const part = (name) => viewer.querySelector(`[data-viewer-${name}]`);
let current = null;

const tiles = () => Array.from(gallery.querySelectorAll("[data-tile]"));

function openViewer(tile) {
  current = tile;
  const { key, size, width, height, type, downloadUrl, filename } = tile.dataset;
  const image = part("image");
  image.alt = key;
  part("name").textContent = key;
  part("size").textContent = formatBytes(Number(size));
  part("pixels").textContent = width ? `${width} × ${height}` : "unknown";
  part("type").textContent = type;
  const all = tiles();
  part("position").textContent = `${all.indexOf(tile) + 1} of ${all.length} on this page`;
  const download = part("download");
  download.href = downloadUrl;
  download.setAttribute("download", filename || key);
  const focusWasInConfirm = part("confirm").contains(document.activeElement);
  part("confirm").hidden = true;
  part("error").textContent = "";
  if (!viewer.open) viewer.showModal();
  else if (focusWasInConfirm || !viewer.contains(document.activeElement)) part("close").focus();
  showInViewer(image, tile.dataset);
}

// The viewer shows the image at the width this screen needs: the stage, now open, says
// how many CSS pixels wide it is shown, and the browser picks from the srcset the width
// that covers them at its pixel density. Without a srcset, the original or the rendition.
function showInViewer(image, { srcset, width, height, viewUrl }) {
  image.removeAttribute("srcset");
  image.removeAttribute("sizes");
  if (srcset && width && height) {
    image.sizes = `${shownWidth(Number(width), Number(height))}px`;
    image.srcset = srcset;
  }
  image.src = viewUrl;
}

function shownWidth(width, height) {
  const stage = part("stage");
  const style = getComputedStyle(stage);
  const across = stage.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const down = stage.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  return Math.max(1, Math.ceil(Math.min(across, (down * width) / height, width)));
}

function step(offset) {
  const all = tiles();
  if (!current || all.length === 0) return;
  const next = all[(all.indexOf(current) + offset + all.length) % all.length];
  openViewer(next);
}

async function deleteCurrent() {
  const tile = current;
  const button = part("confirm-yes");
  if (button.disabled) return;
  button.disabled = true;
  try {
    const answer = await fetch(tile.dataset.apiUrl, { method: "DELETE", headers: { Accept: "application/json" } });
    if (answer.status !== 204 && answer.status !== 404) {
      const body = await answer.json().catch(() => ({}));
      part("error").textContent = body.error || `Deleting failed: the server answered ${answer.status}.`;
      return;
    }
    removeTile(tile);
  } catch {
    part("error").textContent = "Deleting failed: the connection to the server failed.";
  } finally {
    button.disabled = false;
  }
}

function removeTile(tile) {
  if (!tile.isConnected) return;
  const all = tiles();
  const neighbour = all[all.indexOf(tile) + 1] || all[all.indexOf(tile) - 1];
  tile.remove();
  changeCount(-1);
  if (current !== tile) return;
  if (neighbour) openViewer(neighbour);
  else viewer.close();
}

gallery.addEventListener("click", (event) => {
  const link = event.target.closest("[data-tile-link]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  openViewer(link.closest("[data-tile]"));
});

viewer.addEventListener("keydown", (event) => {
  if (event.key === "ArrowRight") step(1);
  else if (event.key === "ArrowLeft") step(-1);
  else return;
  event.preventDefault();
});

viewer.addEventListener("close", () => {
  part("image").removeAttribute("srcset");
  part("image").removeAttribute("src");
  const returnTo = current?.isConnected ? current : tiles()[0];
  returnTo?.querySelector("[data-tile-link]")?.focus();
});

// A click on the backdrop (outside the dialog's box) closes the viewer.
viewer.addEventListener("click", (event) => {
  if (event.target === viewer) viewer.close();
});

part("prev").addEventListener("click", () => step(-1));
part("next").addEventListener("click", () => step(1));
part("close").addEventListener("click", () => viewer.close());
part("delete")?.addEventListener("click", () => {
  part("confirm-name").textContent = current.dataset.key;
  part("confirm").hidden = false;
  part("confirm-no").focus();
});
part("confirm-no").addEventListener("click", () => {
  part("confirm").hidden = true;
  part("delete")?.focus();
});
part("confirm-yes").addEventListener("click", deleteCurrent);
