"""What an uploaded file is, judged by its bytes.

Pillow, with pillow-heif for HEIC, only ever parses the formats listed here;
anything else is refused with a reason before a single pixel is decoded.
Width and height are those of the image as shown: turned as its EXIF
orientation says.
"""

import io
from dataclasses import dataclass

import pillow_heif
from PIL import Image, UnidentifiedImageError

pillow_heif.register_heif_opener()

ACCEPTED_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # a JPEG with more pictures in an MPF segment: Ultra HDR, HDR gain maps, 3D cameras
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "HEIF": "image/heic",
    "AVIF": "image/avif",
}
OPENERS = tuple(name for name in ACCEPTED_FORMATS if name != "MPO")  # Pillow's JPEG opener gives MPO
EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "image/avif": ".avif",
}
SHOWN_BY_EVERY_BROWSER = {"image/png", "image/jpeg", "image/gif", "image/webp"}
ANIMATED_FORMATS = {"GIF", "WEBP", "PNG"}
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
TURNED_SIDEWAYS = {5, 6, 7, 8}
ORIENTATION_TAG = 0x0112
GENERIC_TYPE = "application/octet-stream"
BOMB = "the image has far too many pixels (a decompression bomb)"
CORRUPT = "the image data is truncated or corrupt"


class ImageRejected(ValueError):
    """An upload that is not an image the store accepts; the message says why."""


@dataclass(frozen=True)
class ImageInfo:
    """``width`` and ``height`` as shown."""

    format: str
    content_type: str
    width: int
    height: int
    animated: bool = False

    @property
    def pixels(self):
        """How many pixels a decode holds: what it takes of the memory budget."""
        return self.width * self.height

    @property
    def extension(self):
        return EXTENSIONS[self.content_type]


def inspect_image(data, max_pixels):
    """Return what ``data`` is, from its header, without decoding pixels.

    :raise ImageRejected: empty, not an accepted image, too many pixels, or
        what Pillow finds without decoding (PNG chunk checksums). Truncation
        shows only when decoding: see ``previews``.
    """
    if not data:
        raise ImageRejected("the file is empty")
    with open_image(data) as image:
        width, height = image.size
        if width * height > max_pixels:
            raise ImageRejected(
                f"the image is {width}x{height} pixels, "
                f"more than the {max_pixels:,} pixels this store accepts"
            )
        if orientation(image) in TURNED_SIDEWAYS:
            width, height = height, width
        animated = image.format in ANIMATED_FORMATS and decode(lambda: image.n_frames) > 1
        info = ImageInfo(image.format, _content_type(image, data), width, height, animated)
    with open_image(data) as image:
        decode(image.verify)
    return info


def content_type_of(data):
    """Return the MIME type the bytes themselves show, reading only the header."""
    try:
        with open_image(data) as image:
            return _content_type(image, data)
    except ImageRejected:
        return GENERIC_TYPE


def orientation(image):
    """The EXIF orientation (1 to 8); 1 for none, or for a broken EXIF block."""
    value = exif_of(image).get(ORIENTATION_TAG, 1)
    return value if value in range(1, 9) else 1


def exif_of(image):
    """The EXIF block the header holds, read without decoding a pixel; empty when broken.

    Pillow's ``getexif`` decodes a whole PNG to look for an EXIF chunk after the pixels.
    """
    exif = Image.Exif()
    raw = image.info.get("exif")
    if raw:
        try:
            exif.load(raw)
        except MemoryError:
            raise
        except Exception:
            return Image.Exif()
    return exif


def open_image(data):
    """Open ``data`` with Pillow, which reads only the header so far. :raise ImageRejected:"""
    try:
        return Image.open(io.BytesIO(data), formats=OPENERS)
    except Image.DecompressionBombError:
        raise ImageRejected(BOMB) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, RuntimeError):
        raise ImageRejected(_why_not_an_image(data)) from None


def decode(action):
    """Run a Pillow decoding step; any way a parser fails on hostile bytes is a refusal."""
    try:
        return action()
    except MemoryError:
        raise
    except Image.DecompressionBombError:
        raise ImageRejected(BOMB) from None
    except Exception:
        raise ImageRejected(CORRUPT) from None


def _content_type(image, data):
    if image.format == "HEIF" and data[8:12] not in HEIC_BRANDS:
        return "image/heif"
    return ACCEPTED_FORMATS[image.format]


_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def _why_not_an_image(data):
    looks_like_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if data.startswith(_SIGNATURES) or looks_like_webp or data[4:8] == b"ftyp":
        return CORRUPT
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in head or (head.startswith(b"<?xml") and b"svg" in head):
        return "SVG images are not accepted: they can carry scripts"
    if head.startswith(b"<") or b"<script" in head or b"<html" in head:
        return "this is HTML or XML, not an image"
    if head.startswith(b"#!"):
        return "this is a script, not an image"
    return "this is not a PNG, JPEG, GIF, WebP, HEIC or AVIF image"
