"""Images made on the spot, each one different, for the tests to upload."""

import hashlib
import io
import random
import struct
import zlib

from PIL import Image, ImageDraw

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


def sha256(data):
    """A short name for bytes in an assertion's message."""
    return hashlib.sha256(data).hexdigest()


def photo(size=(1600, 1200), seed=0):
    """Return a JPEG landscape with photo-like grain: sky, sun and hills that
    depend on ``seed``, as large in bytes as a phone's photo of that size."""
    rng = random.Random(seed)
    width, height = size
    sky = Image.new("RGB", size, (rng.randrange(40, 120), rng.randrange(100, 180), rng.randrange(180, 255)))
    dusk = Image.new("RGB", size, (rng.randrange(200, 256), rng.randrange(120, 200), rng.randrange(60, 140)))
    picture = Image.composite(sky, dusk, Image.linear_gradient("L").resize(size).point(lambda v: 255 - v))
    draw = ImageDraw.Draw(picture)
    sun_x, sun_y, radius = rng.uniform(0.2, 0.8) * width, rng.uniform(0.15, 0.4) * height, height // 10
    draw.ellipse((sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius), fill=(255, 236, 170))
    for layer in range(3):
        base = height * (0.55 + 0.13 * layer)
        ridge = [(x, base - rng.uniform(0, height * 0.12)) for x in range(0, width + 200, 200)]
        shade = 40 + 35 * layer
        draw.polygon([(0, height), *ridge, (width, height)], fill=(shade // 2, shade + 30, shade // 2))
    grain = Image.effect_noise(size, 40).convert("RGB")
    out = io.BytesIO()
    Image.blend(picture, grain, 0.12).save(out, "JPEG", quality=92)
    return out.getvalue()


def png_claiming(width, height):
    """A PNG whose header claims ``width`` x ``height`` pixels, with almost no pixel data:
    the shape of a decompression bomb."""

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
