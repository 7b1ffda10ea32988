"""The gallery page in a real headless Chromium (Debian's), driven by Playwright.

These run on the in-memory backend in single access and on S3 (moto's server) in shared
access (``chromium.py``). Screenshots land in ``test-artifacts/``; the ones in ``docs/`` come from
there.
"""

import base64

import camera_files
import chromium
import pytest
import samples
from chromium import Console
from emulators import PROJECT_ROOT
from playwright.sync_api import expect

from imagestore.state import current
from imagestore.web import upload_limits

backend = chromium.one_local_one_cloud
access = chromium.access_of_the_backend

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture
def new_page(browser):
    contexts = []

    def open_page(**options):
        context = browser.new_context(
            viewport={"width": 1280, "height": 860}, accept_downloads=True, **options
        )
        contexts.append(context)
        page = context.new_page()
        page.console = Console(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


def photo_file(folder, n):
    """A photo-like JPEG on disk, as a user would pick it."""
    path = folder / f"photo-{n}.jpg"
    path.write_bytes(samples.photo(size=(1600, 1200), seed=n))
    return path


@pytest.fixture
def photos(tmp_path):
    return [photo_file(tmp_path, n) for n in range(3)]


@pytest.fixture
def photo(tmp_path):
    return photo_file(tmp_path, 0)


UPLOAD_WAIT_MS = 30_000  # photos are decoded for their previews; a loaded 2-core machine takes its time


def wait_for_uploads(page, count):
    expect(page.locator("[data-uploads-summary]")).to_have_text(
        f"All {count} done: {count} stored, 0 rejected.", timeout=UPLOAD_WAIT_MS
    )
    for bar in page.locator("[data-upload-progress]").all():
        assert bar.evaluate("bar => bar.value === bar.max")
    assert page.locator("[data-overall-progress]").evaluate("bar => bar.value === bar.max")


def tiles(page):
    return page.locator("[data-gallery] [data-tile]")


def test_upload_browse_download_and_delete(new_page, live_server, photos, access, backend):
    page = new_page()
    page.goto(live_server)
    expect(page.locator("[data-empty]")).to_be_visible()

    page.set_input_files("#file", photos)
    wait_for_uploads(page, 3)
    expect(tiles(page)).to_have_count(3)
    for thumbnail in page.locator("[data-tile-image]").all():
        expect(thumbnail).to_have_js_property("complete", True)
        assert thumbnail.evaluate("image => image.naturalWidth") > 0
        assert "/w/320/" in thumbnail.evaluate("image => image.currentSrc")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"gallery-{backend}-{access}.png")

    names = page.locator("[data-tile-name]").all_inner_texts()
    assert sorted(names) == ["photo-0.jpg", "photo-1.jpg", "photo-2.jpg"]
    page.locator("[data-tile-link]").first.click()
    viewer = page.locator("[data-viewer]")
    expect(viewer).to_be_visible()
    expect(viewer.locator("[data-viewer-name]")).to_have_text(names[0])
    expect(viewer.locator("[data-viewer-pixels]")).to_have_text("1600 × 1200")
    expect(viewer.locator("[data-viewer-type]")).to_have_text("image/jpeg")
    expect(viewer.locator("[data-viewer-image]")).to_have_js_property("complete", True)
    page.screenshot(path=ARTIFACTS / f"viewer-{backend}-{access}.png")

    page.keyboard.press("ArrowRight")
    shown = names[1]
    expect(viewer.locator("[data-viewer-name]")).to_have_text(shown)
    with page.expect_download() as download_info:
        viewer.locator("[data-viewer-download]").click()
    download = download_info.value
    assert download.suggested_filename == shown
    original = (photos[0].parent / shown).read_bytes()
    assert samples.sha256(download.path().read_bytes()) == samples.sha256(original)

    viewer.locator("[data-viewer-delete]").click()
    expect(viewer.locator("[data-viewer-confirm]")).to_be_visible()
    viewer.locator("[data-viewer-confirm-yes]").click()
    expect(tiles(page)).to_have_count(2)
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()

    page.reload()
    expect(tiles(page)).to_have_count(2)
    assert sorted(page.locator("[data-tile-name]").all_inner_texts()) == sorted(set(names) - {shown})
    assert page.console.csp_violations() == []
    assert not [text for text in page.console.messages if text.startswith("page error")]


@pytest.fixture
def phone_and_camera_files(tmp_path):
    """A phone's HEIC and Ultra HDR JPEG, a camera's sideways photo and a 12-megapixel photo."""
    files = {
        "iphone.heic": camera_files.heic(size=(1600, 1200)),
        "ultra-hdr.jpg": camera_files.mpo(size=(1600, 1200)),
        "portrait.jpg": camera_files.jpeg(size=(1600, 1200), orientation=6),
        "twelve-megapixels.jpg": samples.photo(size=(4000, 3000), seed=12),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return [tmp_path / name for name in files]


def test_phone_and_camera_photos_show_upright_in_the_grid_and_the_viewer(
    new_page, live_server, phone_and_camera_files
):
    page = new_page()
    page.goto(live_server)
    page.set_input_files("#file", phone_and_camera_files)
    wait_for_uploads(page, len(phone_and_camera_files))
    for thumbnail in page.locator("[data-tile-image]").all():
        expect(thumbnail).to_have_js_property("complete", True)
        assert thumbnail.evaluate("image => image.naturalWidth") > 0, "Chromium could not show a thumbnail"
    portrait = page.locator('[data-tile][data-key="portrait.jpg"] [data-tile-image]')
    assert portrait.evaluate("image => image.naturalHeight > image.naturalWidth")

    viewer, shown = page.locator("[data-viewer]"), page.locator("[data-viewer-image]")
    for key in ("iphone.heic", "twelve-megapixels.jpg"):
        page.locator(f'[data-tile][data-key="{key}"] [data-tile-link]').click()
        expect(viewer.locator("[data-viewer-name]")).to_have_text(key)
        expect(shown).to_have_js_property("complete", True)
        assert "/w/" in shown.evaluate("image => image.currentSrc"), "the viewer did not show a width"
        assert 0 < shown.evaluate("image => Math.max(image.naturalWidth, image.naturalHeight)") <= 2048
        page.keyboard.press("Escape")

    page.locator('[data-tile][data-key="iphone.heic"] [data-tile-link]').click()
    with page.expect_download() as download_info:
        viewer.locator("[data-viewer-download]").click()
    assert download_info.value.suggested_filename == "iphone.heic"
    stored = page.request.get(f"{live_server}/image/iphone.heic").body()
    assert download_info.value.path().read_bytes() == stored
    assert page.console.errors == [], page.console.errors


def test_a_gallery_page_downloads_at_most_a_twentieth_of_the_originals_it_shows(
    new_page, live_server, photos, upload
):
    originals = sum(path.stat().st_size for path in photos)
    upload(*[(path.name, path.read_bytes()) for path in photos])
    page = new_page()
    transferred = []
    page.on("requestfinished", lambda request: transferred.append(request.sizes()["responseBodySize"]))
    page.goto(live_server, wait_until="networkidle")
    expect(tiles(page)).to_have_count(3)
    assert sum(transferred) * 20 <= originals, f"{sum(transferred)} bytes for {originals} bytes of originals"


def test_dropping_files_anywhere_on_the_page_uploads_them(new_page, live_server):
    page = new_page()
    page.goto(live_server)
    encoded = base64.b64encode(samples.image("png", size=(200, 150))).decode()
    page.evaluate(
        """encoded => {
            const bytes = Uint8Array.from(atob(encoded), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "dropped.png", {type: "image/png"}));
            transfer.items.add(new File(["just text"], "notes.png", {type: "image/png"}));
            for (const type of ["dragenter", "dragover", "drop"]) {
                document.body.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true}));
            }
        }""",
        encoded,
    )
    summary = page.locator("[data-uploads-summary]")
    expect(summary).to_have_text("All 2 done: 1 stored, 1 rejected.")
    expect(page.locator(".upload-item.rejected [data-upload-status]")).to_have_text(
        "Rejected: this is not a PNG, JPEG, GIF, WebP, HEIC or AVIF image"
    )
    expect(page.locator("[data-tile-name]")).to_have_text(["dropped.png"])


@pytest.fixture
def a_page_and_one_more(upload):
    """25 images stored: one more than the first page holds."""
    upload(*((f"old-{n:02}.png", samples.image(size=(40, 30), seed=n)) for n in range(25)))


def test_an_upload_from_a_later_page_is_counted_but_not_shown_there(
    new_page, live_server, a_page_and_one_more, photo
):
    page = new_page()
    page.goto(f"{live_server}/?page=2")
    expect(page.locator("[data-tile-name]")).to_have_text(["old-00.png"])
    page.set_input_files("#file", photo)
    wait_for_uploads(page, 1)
    expect(page.locator(".count")).to_have_text("26 images")
    expect(page.locator("[data-tile-name]")).to_have_text(["old-00.png"])


def test_an_upload_before_the_store_is_counted_leaves_the_count_to_the_server(
    new_page, live_server, a_page_and_one_more, photo
):
    page = new_page()
    page.goto(live_server)
    expect(page.locator(".count")).to_have_text("more than 24 images")
    page.set_input_files("#file", photo)
    wait_for_uploads(page, 1)
    expect(page.locator(".count")).to_have_text("more than 24 images")
    expect(page.locator("[data-tile-name]").first).to_have_text("photo-0.jpg")


def test_the_viewer_works_from_the_keyboard_alone(new_page, live_server, upload):
    upload(("a.png", samples.image(seed=1)), ("b.png", samples.image(seed=2)))
    page = new_page()
    page.goto(live_server)
    page.locator("[data-tile-link]").first.focus()
    page.keyboard.press("Enter")
    viewer = page.locator("[data-viewer]")
    expect(viewer.locator("[data-viewer-name]")).to_have_text("b.png")
    page.keyboard.press("ArrowLeft")
    expect(viewer.locator("[data-viewer-name]")).to_have_text("a.png")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(page.locator("[data-tile-link]").last).to_be_focused()


def test_without_javascript_the_plain_form_still_uploads(new_page, live_server, photos):
    page = new_page(java_script_enabled=False)
    page.goto(live_server)
    page.set_input_files("#file", photos[:2])
    page.locator("[data-upload-button]").click()
    expect(page.locator(".message-stored")).to_have_text(
        ["Stored photo-0.jpg as photo-0.jpg", "Stored photo-1.jpg as photo-1.jpg"]
    )
    expect(tiles(page)).to_have_count(2)


def test_with_a_write_token_the_page_asks_for_it_once_then_uploads(new_page, make_app, serve, tmp_path):
    base_url = serve(make_app(WRITE_TOKEN="open sesame"))
    page = new_page()
    page.goto(base_url)
    expect(page.locator("#file")).to_have_count(0)
    page.fill("#token", "open sesame")
    page.keyboard.press("Enter")
    expect(page.locator(".message-stored")).to_have_text(["Write token accepted: you can upload and delete."])
    page.wait_for_load_state()  # the Enter's navigation: gallery.js must be listening before a file is chosen
    photo = tmp_path / "after-token.jpg"
    photo.write_bytes(samples.photo(size=(640, 480)))
    page.set_input_files("#file", [photo])
    wait_for_uploads(page, 1)
    expect(page.locator("[data-tile-name]")).to_have_text(["after-token.jpg"])
    assert page.console.csp_violations() == []


def image_requests_answered(app):
    """Requests for originals, thumbnails, renditions and widths the app has answered, by its metrics."""
    registry = current(app).metrics.registry
    routes = ("/image/<key:key>", "/thumb/<key:key>", "/screen/<key:key>", "/w/<int:width>/<key:key>")
    return sum(
        registry.get_sample_value(
            "imagestore_requests_total", {"route": route, "method": "GET", "status": status}
        )
        or 0
        for route in routes
        for status in ("200", "302", "304")
    )


@pytest.mark.parametrize("serving", ["app", "redirect"])
def test_a_gallery_page_visited_again_asks_for_none_of_its_images(
    new_page, make_app, serve, photos, upload, serving
):
    """Served by the app or, with ``IMAGESTORE_SERVE=redirect``, from storage (S3 here; the
    in-memory store serves through the app either way)."""
    app = make_app(SERVE=serving)
    url = serve(app)
    upload(*[(path.name, path.read_bytes()) for path in photos], to=app.test_client())
    page = new_page()
    page.goto(url, wait_until="networkidle")
    expect(tiles(page)).to_have_count(3)
    assert all(
        tiles(page).locator("img").evaluate_all("images => images.map(image => image.naturalWidth > 0)")
    )
    first_visit = image_requests_answered(app)
    assert first_visit >= 3
    page.goto(f"{url}/?page=1", wait_until="networkidle")
    page.goto(url, wait_until="networkidle")
    expect(tiles(page).locator("img")).to_have_count(3)
    assert image_requests_answered(app) == first_visit
    assert page.console.csp_violations() == [] and page.console.errors == []


def bodies_received(app):
    """The size of each request body the app is sent from now on, as its server hands it over."""
    sizes, inner = [], app.wsgi_app

    def counting(environ, start_response):
        sizes.append(int(environ.get("CONTENT_LENGTH") or 0))
        return inner(environ, start_response)

    app.wsgi_app = counting
    return sizes


def test_a_photo_uploaded_straight_to_storage_opens_in_the_viewer(
    new_page, make_app, serve, photo, storage, backend
):
    """On S3 the photo's bytes go to the bucket and never to the app; the in-memory store
    takes them through the app."""
    app = make_app(DIRECT_UPLOADS=True)
    sent_to_app = bodies_received(app)
    url = serve(app)
    storage.allow_uploads_from(url)
    page = new_page()
    page.goto(url)
    page.set_input_files("#file", photo)
    wait_for_uploads(page, 1)
    page.locator("[data-tile-link]").first.click()
    viewer = page.locator("[data-viewer]")
    expect(viewer.locator("[data-viewer-name]")).to_have_text("photo-0.jpg")
    expect(viewer.locator("[data-viewer-image]")).to_have_js_property("complete", True)
    assert viewer.locator("[data-viewer-image]").evaluate("image => image.naturalWidth") > 0
    through_app = max(sent_to_app) >= photo.stat().st_size
    assert through_app is (backend == "in-memory")
    assert page.console.csp_violations() == [] and page.console.errors == []


@pytest.mark.parametrize("backend", ["aws"])
def test_uploads_past_the_writers_limit_wait_as_the_store_says_then_go_on(
    new_page, make_app, serve, photos, storage, backend, monkeypatch
):
    """Two uploads a two-second window (only a store that takes direct uploads bounds them):
    the third waits for the window, then is stored."""
    monkeypatch.setattr(upload_limits, "WINDOW_SECONDS", 2)
    url = serve(make_app(DIRECT_UPLOADS=True, DIRECT_UPLOADS_PER_MINUTE=2))
    storage.allow_uploads_from(url)
    page = new_page()
    page.goto(url)
    page.set_input_files("#file", photos[:3])
    wait_for_uploads(page, 3)
