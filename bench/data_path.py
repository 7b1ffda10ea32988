"""What the image bytes cost the app, served and uploaded through it or beside it, in one run.

    python bench/data_path.py [--photos 24] [--clients 32] [--seconds 5] [--upload-mb 40]
                              [--client-mbps 20] [--json bench/data-path.json]

On S3 (moto, and SeaweedFS, a distributed object store) and Azure (Azurite), the app
runs as users start it (``python app-shared-access.py <ini>``), once serving images
itself (``IMAGESTORE_SERVE=app``, with its cache of served bytes and without) and once
by redirect (``redirect``); ``--clients`` clients view the gallery's images (phone
photos of 2400×1800) at their versioned addresses for ``--seconds``. In
redirect mode a view is the app's 302, which the clients do not follow: what is
measured is the app's part, its CPU per view (from ``/proc``) and the views it answers a
second. A photo of ``--upload-mb`` is then uploaded through the app, and straight into
storage (``IMAGESTORE_DIRECT_UPLOADS``), sent by a client limited to ``--client-mbps``
as a phone on a good network is: the bytes the app receives, and how long the app is
busy with the upload (the requests it answers, from first byte to answer). Last,
Chromium opens a gallery page of a fresh profile and opens it again: the image
requests the app answers on the second visit (the goal: none).
"""

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import numpy  # noqa: E402
import requests  # noqa: E402
import samples  # noqa: E402
import urllib3  # noqa: E402
from emulators import (  # noqa: E402
    azure_variables,
    azurite,
    moto_s3,
    s3_variables,
    seaweedfs,
    write_ini,
)
from PIL import Image  # noqa: E402
from processes import RunningApp  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402
from run import cpu_seconds, hammer  # noqa: E402

DEFAULT_JSON = ROOT / "bench" / "data-path.json"
SERVING = {
    "app": {"IMAGESTORE_SERVE": "app"},
    "app, no cache": {"IMAGESTORE_SERVE": "app", "IMAGESTORE_CACHE_MB": "0"},
    "redirect": {"IMAGESTORE_SERVE": "redirect"},
}
REVISITS = ("app", "redirect")
PHOTO_SIZE = (2400, 1800)
STORES = ("aws", "seaweedfs", "azure")
LABELS = {"aws": "S3 (moto)", "seaweedfs": "S3 (SeaweedFS)", "azure": "Azure (Azurite)"}
CHROMIUM = "/usr/bin/chromium"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--upload-mb", type=float, default=40)
    parser.add_argument("--client-mbps", type=float, default=20, help="the uploading client's MB/s")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args()
    photos = [(f"photo-{n:02}.jpg", samples.photo(size=PHOTO_SIZE, seed=n)) for n in range(args.photos)]
    big_photo = noisy_png(args.upload_mb)
    results = {"views": {}, "uploads": {}, "revisit": {}}
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        with emulators(folder) as endpoints:
            for store in STORES:
                variables = endpoints[store]
                for serving, settings in SERVING.items():
                    print(f"{LABELS[store]}, serving by {serving}...", file=sys.stderr)
                    app = start(store, folder, variables, **settings)
                    try:
                        results["views"][f"{store} {serving}"] = views(app, photos, args)
                    finally:
                        app.stop()
            print("Uploads of one large photo...", file=sys.stderr)
            for direct in (False, True):
                app = start("aws", folder, endpoints["aws"], IMAGESTORE_DIRECT_UPLOADS=str(int(direct)))
                try:
                    results["uploads"]["direct" if direct else "through the app"] = upload(
                        app, big_photo, direct, args.client_mbps
                    )
                finally:
                    app.stop()
            print("A gallery page visited again, in Chromium...", file=sys.stderr)
            for serving in REVISITS:
                app = start("aws", folder, endpoints["aws"], **SERVING[serving])
                try:
                    results["revisit"][serving] = revisit(app, photos)
                finally:
                    app.stop()
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(tables(results, args))


class emulators:
    """moto, SeaweedFS and Azurite, each with the variables that point the app at it."""

    def __init__(self, folder):
        self.folder = folder
        self.contexts = []

    def __enter__(self):
        for name, context in (("moto", moto_s3), ("seaweedfs", seaweedfs), ("azurite", azurite)):
            (self.folder / name).mkdir()
            self.contexts.append(context(self.folder / name))
        moto, weed, azure = (context.__enter__() for context in self.contexts)
        return {"aws": s3_variables(moto), "seaweedfs": s3_variables(weed), "azure": azure_variables(azure)}

    def __exit__(self, *exc):
        for context in reversed(self.contexts):
            context.__exit__(*exc)


_stores = iter(range(10**6))


def start(store, folder, variables, **settings):
    name = f"bench-{next(_stores)}-{os.getpid()}"
    ini = write_ini(store, name, folder)
    return RunningApp(str(ini), script="app-shared-access.py", **variables, **settings)


def views(app, photos, args):
    """The app's CPU per image view, and views a second, at ``args.clients``."""
    with requests.Session() as session:
        for filename, data in photos:
            answer = session.post(f"{app.url}/api/images", files={"file": (filename, data)}, timeout=60)
            answer.raise_for_status()
        listing = session.get(f"{app.url}/api/images?per_page=100", timeout=60).json()
    urls = [image["url"] for image in listing["images"]]
    hammer(fetch(app.url), urls, args.clients, 1)
    before = cpu_seconds(app.process.pid)
    load = hammer(fetch(app.url), urls, args.clients, args.seconds)
    cpu_ms = 1000 * (cpu_seconds(app.process.pid) - before) / load.requests
    return {"views_per_s": load.rate, "cpu_ms_per_view": cpu_ms, "p50_ms": load.p50_ms}


def fetch(base_url):
    def get(http, url):
        answer = http.request("GET", base_url + url, redirect=False)
        assert answer.status in (200, 302), answer.status

    return get


def upload(app, photo, direct, client_mbps):
    """Bytes the app receives for one upload, and seconds it is busy answering them."""
    with requests.Session() as session:
        if not direct:
            body, content_type = urllib3.encode_multipart_formdata({"file": ("big.png", photo, "image/png")})
            started = time.monotonic()
            answer = session.post(
                f"{app.url}/api/images", data=Paced(body, client_mbps),
                headers={"Content-Type": content_type}, timeout=600,
            )  # fmt: skip
            busy = time.monotonic() - started
            answer.raise_for_status()
            return {"bytes_to_app": len(body), "app_busy_s": busy}
        announce = {"filename": "big.png", "size": len(photo), "content_type": "image/png"}
        started = time.monotonic()
        ticket = session.post(f"{app.url}/api/uploads", json=announce, timeout=60)
        busy = time.monotonic() - started
        ticket.raise_for_status()
        place = ticket.json()["upload"]
        pace = Paced(photo, client_mbps)
        sent = requests.request(
            place["method"], place["url"], data=pace, headers=place["headers"], timeout=600
        )
        sent.raise_for_status()
        started = time.monotonic()
        claimed = session.post(app.url + ticket.json()["claim_url"], timeout=600)
        busy += time.monotonic() - started
        claimed.raise_for_status()
        to_app = len(ticket.request.body) + len(claimed.request.body or b"")
        return {"bytes_to_app": to_app, "app_busy_s": busy}


class Paced(io.RawIOBase):
    """The photo's bytes, read no faster than a client sending ``mbps`` MB a second."""

    def __init__(self, data, mbps):
        self.data, self.mbps, self.position, self.started = data, mbps, 0, None

    def __len__(self):
        return len(self.data)

    def read(self, size=-1):
        if self.started is None:
            self.started = time.monotonic()
        size = 256 * 1024 if size is None or size < 0 else min(size, 256 * 1024)
        chunk = self.data[self.position : self.position + size]
        self.position += len(chunk)
        ahead = self.position / (self.mbps * 2**20) - (time.monotonic() - self.started)
        if ahead > 0:
            time.sleep(ahead)
        return chunk


def revisit(app, photos):
    """Image requests the app answers when a gallery page is opened a second time."""
    from playwright.sync_api import sync_playwright

    with requests.Session() as session:
        for filename, data in photos:
            session.post(f"{app.url}/api/images", files={"file": (filename, data)}, timeout=60)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        before = image_requests_answered(app)
        page.goto(app.url, wait_until="networkidle")
        first = image_requests_answered(app) - before
        page.goto(app.url + "/?page=1", wait_until="networkidle")
        page.goto(app.url, wait_until="networkidle")
        browser.close()
    return {"first_visit": first, "second_visit": image_requests_answered(app) - before - first}


def image_requests_answered(app):
    """Requests for originals, thumbnails and renditions the app has answered, by its /metrics."""
    text = requests.get(f"{app.url}/metrics", timeout=30).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "imagestore_requests_total"
        and sample.labels["route"].split("/")[1] in ("image", "thumb", "screen")
    )


def noisy_png(megabytes):
    """A PNG of about ``megabytes``: noise does not compress."""
    side = int((megabytes * 2**20 / 3) ** 0.5)
    pixels = numpy.random.default_rng(0).integers(0, 256, (side, side, 3), dtype=numpy.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG", compress_level=1)
    return out.getvalue()


def tables(results, args):
    lines = [
        f"Image views at {args.clients} clients, the app serving them or redirecting to storage:",
        "",
        "| storage | serving | views/s | app CPU ms per view | × the app, cached | × the app, not cached "
        "| p50 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for store in STORES:
        cached = results["views"][f"{store} app"]["cpu_ms_per_view"]
        uncached = results["views"][f"{store} app, no cache"]["cpu_ms_per_view"]
        for serving in SERVING:
            row = results["views"][f"{store} {serving}"]
            cpu = row["cpu_ms_per_view"]
            lines.append(
                f"| {LABELS[store]} | {serving} | {row['views_per_s']:.0f} | {cpu:.2f} | {cpu / cached:.2f} "
                f"| {cpu / uncached:.2f} | {row['p50_ms']:.1f} |"
            )
    lines += [
        "",
        f"One photo of {args.upload_mb:g} MB sent at {args.client_mbps:g} MB/s, on S3 (moto):",
        "",
        "| upload | bytes sent to the app | seconds the app is busy with it |",
        "|---|---|---|",
    ]
    for way, row in results["uploads"].items():
        lines.append(f"| {way} | {row['bytes_to_app']:,} | {row['app_busy_s']:.2f} |")
    lines += ["", "A gallery page opened again in Chromium, on S3 (moto):", ""]
    lines += ["| serving | image requests, first visit | image requests, second visit |", "|---|---|---|"]
    for serving, row in results["revisit"].items():
        lines.append(f"| {serving} | {row['first_visit']:.0f} | {row['second_visit']:.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
