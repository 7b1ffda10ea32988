"""Memory stays bounded under load: decoding works within a pixel budget.

Twelve PNGs of 49 megapixels each (under the pixel limit, a few hundred KB
each, 200 MB each once decoded) sent at once to a fresh process keep it under
700 MB resident, and each ends stored or turned away with 503 and Retry-After.
"""

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from PIL import Image, ImageDraw

UPLOADS_AT_ONCE = 12
SIDE = 7000  # 49 megapixels
MOST_RESIDENT_MB = 700


def large_pixel_png():
    picture = Image.new("RGB", (SIDE, SIDE), (20, 90, 160))
    ImageDraw.Draw(picture).ellipse((SIDE // 4, SIDE // 4, SIDE // 2, SIDE // 2), fill=(250, 200, 40))
    out = io.BytesIO()
    picture.save(out, "PNG", compress_level=9)
    return out.getvalue()


def peak_resident_mb(pid):
    """The most memory the process has held, as the kernel counts it (VmHWM)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc")


def test_many_large_pixel_uploads_at_once_keep_memory_under_the_budget(start_app):
    app = start_app(script="app-shared-access.py")
    png = large_pixel_png()
    start_together = threading.Barrier(UPLOADS_AT_ONCE)

    def post(number):
        start_together.wait(timeout=30)
        files = {"file": (f"large-{number}.png", png)}
        return requests.post(f"{app.url}/api/images", files=files, timeout=120)

    with ThreadPoolExecutor(UPLOADS_AT_ONCE) as pool:
        answers = list(pool.map(post, range(UPLOADS_AT_ONCE)))
    peak = peak_resident_mb(app.process.pid)
    assert peak < MOST_RESIDENT_MB, f"the process reached {peak:.0f} MB"
    for answer in answers:
        assert answer.status_code in (201, 503), answer.text
        if answer.status_code == 503:
            assert answer.headers["Retry-After"]
    assert any(answer.status_code == 201 for answer in answers)
