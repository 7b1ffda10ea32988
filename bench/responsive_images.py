"""What the ladder of widths costs, and what it saves a phone (issue #32, item 5).

    python bench/responsive_images.py [--json bench/responsive-images.json]

**Cost**, per 12-megapixel phone photo (4000×3000 JPEG, ``samples.photo``): each width of
the default ladder is made on first request, as the app makes it (``sizes.make``, from the
original's bytes), and its process CPU time and the bytes it writes (one object each)
are measured, the median of ``TRIALS``; beside them, the previews an upload makes today
(thumbnail and rendition), for scale. None of this is at upload: an upload costs what it
did, and a width costs its CPU and one write the first time any browser asks for it.

**Bytes to open the viewer**: the app on the in-memory store, served on Werkzeug's threaded
server, in Debian's Chromium at a phone's size (412 CSS px, DPR 2.6) and a desktop's (1920
px, DPR 1). The page is loaded, then the photo's tile clicked, and the bodies of the
requests from the click on are summed. *Before* is what the viewer downloaded until now:
the rendition (``/screen/KEY``, a 2048-px JPEG), the same at any screen.

``samples.photo`` is generated (sky, sun, hills and grain); WebP drops much of its grain, so
a real photo's widths are larger than these: the ratio to the JPEG rendition is what to
read, with that in mind.
"""

import argparse
import io
import json
import statistics
import sys
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import samples  # noqa: E402

from imagestore import create_app  # noqa: E402
from imagestore.photos import sizes  # noqa: E402
from imagestore.photos.previews import make_previews  # noqa: E402
from imagestore.settings import DEFAULT_WIDTHS  # noqa: E402

SIZE = (4000, 3000)
TRIALS = 3
CHROMIUM = "/usr/bin/chromium"
SHOWN = """() => {
  const image = document.querySelector("[data-viewer-image]");
  return image.currentSrc !== "" && image.complete && image.naturalWidth > 0;
}"""
SCREENS = {
    "phone": {"viewport": {"width": 412, "height": 915}, "device_scale_factor": 2.6, "is_mobile": True},
    "desktop": {"viewport": {"width": 1920, "height": 1080}, "device_scale_factor": 1},
}


def ladder_cost(photo):
    """CPU milliseconds and bytes written for each width of the default ladder, and in all."""
    widths = {}
    for width in DEFAULT_WIDTHS:
        made, cpu = _timed(lambda width=width: sizes.make(photo, f"w{width}", *SIZE))
        widths[width] = {"cpu_ms": cpu, "bytes": len(made)}
    previews, cpu = _timed(lambda: make_previews(photo, with_rendition=True))
    return {
        "widths": widths,
        "all_widths": {
            "cpu_ms": sum(width["cpu_ms"] for width in widths.values()),
            "bytes_written": sum(width["bytes"] for width in widths.values()),
            "objects_written": len(widths),
        },
        "upload_previews_for_scale": {
            "cpu_ms": cpu,
            "bytes_written": len(previews.thumbnail) + len(previews.rendition),
        },
    }


def _timed(work):
    timings, result = [], None
    for _ in range(TRIALS):
        started = time.process_time()
        result = work()
        timings.append(1000 * (time.process_time() - started))
    return result, statistics.median(timings)


def viewer_bytes(photo):
    """The bytes each screen downloads to open the viewer on the photo, now and before."""
    app = create_app(overrides={"CACHE_BYTES": 0})
    client = app.test_client()
    stored = client.post("/api/images", data={"file": [(io.BytesIO(photo), "phone.jpg")]}).json["stored"][0]
    before = len(client.get(stored["view_url"]).data)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            after = {screen: _opened(browser, url, options) for screen, options in SCREENS.items()}
            browser.close()
    finally:
        server.shutdown()
    return {
        screen: {"before_bytes": before, **opened, "after_over_before": opened["after_bytes"] / before}
        for screen, opened in after.items()
    }


def _opened(browser, url, options):
    context = browser.new_context(**options)
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    received = []
    page.on(
        "requestfinished", lambda request: received.append((request.url, request.sizes()["responseBodySize"]))
    )
    page.locator("[data-tile-link]").first.click()
    page.wait_for_function(SHOWN)
    page.wait_for_timeout(500)
    shown = page.locator("[data-viewer-image]")
    picked = shown.evaluate("image => image.currentSrc")
    shown_px = shown.evaluate("image => image.getBoundingClientRect().width")
    context.close()
    return {
        "after_bytes": sum(size for _, size in received),
        "requests": [address.removeprefix(url) for address, _ in received],
        "picked": picked.removeprefix(url),
        "shown_css_px": shown_px,
    }


def _body_size(request):
    return request.sizes()["responseBodySize"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "responsive-images.json")
    args = parser.parse_args()
    photo = samples.photo(size=SIZE, seed=12)
    results = {
        "photo": {"size": list(SIZE), "bytes": len(photo)},
        "ladder": list(DEFAULT_WIDTHS),
        "cost_on_first_request": ladder_cost(photo),
        "viewer": viewer_bytes(photo),
    }
    print(json.dumps(results, indent=2))
    args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
