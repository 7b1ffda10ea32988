"""A 12-megapixel photo as a phone takes it: the time to upload it, and the bytes the
viewer downloads to show it against the original's.

Since renditions, an upload decodes such a photo at half scale, not an eighth, for a
rendition of about 2000×1500 besides the thumbnail, and writes one object more.
``preview_costs`` times the previews as the app makes them now beside the thumbnail
alone, as it made it before, on the same photo in the same run; with the upload's
time that gives its ratio to an upload that made the thumbnail alone. The ratio
leaves out the rendition's own write (one object of a few hundred KB), which cannot
be timed apart from outside.
"""

import io
import statistics
import time

import requests
from PIL import Image

from imagestore.photos.previews import THUMBNAIL_BOX, make_previews

SIZE = (4000, 3000)
TRIALS = 5


def thumbnail_only(data):
    """The thumbnail as uploads made it before renditions: decoded at an eighth of the scale."""
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", THUMBNAIL_BOX)
        image.load()
        image.thumbnail(THUMBNAIL_BOX)
        out = io.BytesIO()
        image.save(out, "WEBP", quality=80, method=2)
        return out.getvalue()


def preview_costs(photo):
    """Milliseconds (medians) of the previews made now, and of the thumbnail alone, as before."""
    return _median_ms(lambda: make_previews(photo, with_rendition=True)), _median_ms(
        lambda: thumbnail_only(photo)
    )


def upload_and_view(url, photo):
    """The upload's milliseconds (median), and the viewer's bytes over the original's."""
    timings, viewed = [], None
    with requests.Session() as session:
        for trial in range(TRIALS):
            started = time.perf_counter()
            answer = session.post(
                f"{url}/api/images", files={"file": (f"phone-{trial}.jpg", photo)}, timeout=120
            )
            timings.append(time.perf_counter() - started)
            answer.raise_for_status()
            viewed = answer.json()["stored"][0]["view_url"]
        viewer_bytes = len(session.get(url + viewed, timeout=60).content)
    return 1000 * statistics.median(timings), viewer_bytes / len(photo)


def _median_ms(work):
    timings = []
    for _ in range(TRIALS):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return 1000 * statistics.median(timings)
