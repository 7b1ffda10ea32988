"""Images made on the spot, each one different, for the tests to upload."""

import io
import random

from PIL import Image

FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def image(kind="png", size=(64, 48), seed=0):
    """Return the bytes of a small image whose pixels depend on ``seed``."""
    rng = random.Random(seed)
    picture = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for _ in range(20):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        picture.putpixel((x, y), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    picture.save(out, FORMATS[kind])
    return out.getvalue()


def photo(size=(1600, 1200), seed=0):
    """Return a JPEG with photo-like detail, large enough that a thumbnail saves bytes."""
    rng = random.Random(seed)
    noise = Image.effect_noise(size, 60).convert("RGB")
    tint = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    Image.blend(noise, tint, 0.5).save(out, "JPEG", quality=90)
    return out.getvalue()
