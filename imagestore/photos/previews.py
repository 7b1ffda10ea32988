"""What the page shows of an image: a thumbnail for the grid and, for the viewer, a
screen-sized rendition, both upright and in a format every browser displays.

The image is decoded once for both. JPEGs are decoded straight at reduced
scale (``draft``), which makes a 12-megapixel photo several times cheaper;
the other formats are decoded whole and reduced. Neither preview carries
EXIF: only the pixels, turned as the EXIF orientation says, and the colour
profile of an RGB original.
"""

import io
from dataclasses import dataclass

from PIL import Image

from .images import SHOWN_BY_EVERY_BROWSER, decode, open_image, orientation

THUMBNAIL_BOX = (320, 320)
THUMBNAIL_TYPE = "image/webp"
RENDITION_LONGEST_SIDE = 2048
RENDITION_BOX = (RENDITION_LONGEST_SIDE, RENDITION_LONGEST_SIDE)
DEEP_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N"}
TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

SIDEWAYS = {TURNS[number] for number in (5, 6, 7, 8)}


@dataclass(frozen=True)
class Previews:
    thumbnail: bytes
    rendition: bytes | None


def needs_rendition(content_type, width, height, animated):
    """Whether the viewer needs a rendition: the original is too large for a screen, or in a
    format not every browser shows. Animations are shown as they are, at any size: a
    rendition would be still."""
    if content_type not in SHOWN_BY_EVERY_BROWSER:
        return True
    return not animated and max(width or 0, height or 0) > RENDITION_LONGEST_SIDE


def make_previews(data, with_rendition):
    """Return the thumbnail (WebP) and, if asked, the rendition (JPEG, or WebP for
    images with transparency) of ``data``.

    Decoding the whole image is also the check that the data is whole.

    :raise ImageRejected: the data is truncated or corrupt.
    """
    with open_image(data) as image:
        turn = TURNS.get(orientation(image))
        profile = image.info.get("icc_profile") if image.mode in ("RGB", "RGBA") else None
        box = RENDITION_BOX if with_rendition else THUMBNAIL_BOX
        image.draft("RGB", (box[0] // 2, box[1] // 2) if with_rendition else box)
        decode(image.load)
        screen = _displayable(image)
    screen.thumbnail(box)
    if turn is not None:
        screen = screen.transpose(turn)
    thumbnail = screen.copy()
    thumbnail.thumbnail(THUMBNAIL_BOX)
    rendition = _rendition_bytes(screen, profile) if with_rendition else None
    return Previews(_encoded(thumbnail, "WEBP", quality=80, method=2), rendition)


def make_thumbnail(data):
    """Return the thumbnail alone. :raise ImageRejected: the data is truncated or corrupt."""
    return make_previews(data, with_rendition=False).thumbnail


def make_rendition(data):
    """Return the rendition alone. :raise ImageRejected: the data is truncated or corrupt."""
    return make_previews(data, with_rendition=True).rendition


def upright(data, at_least):
    """``data`` decoded, turned upright, in RGB (or RGBA where it has transparency), with no
    EXIF: at full size, or, for a JPEG, decoded at a reduced scale that still gives at least
    ``at_least`` (upright width and height). :raise ImageRejected: truncated or corrupt."""
    with open_image(data) as image:
        turn = TURNS.get(orientation(image))
        wanted = at_least[::-1] if turn in SIDEWAYS else at_least
        image.draft("RGB", tuple(max(1, side) for side in wanted))
        decode(image.load)
        shown = _displayable(image)
    return shown.transpose(turn) if turn is not None else shown


def encoded(image, image_format, **options):
    """The image's bytes in ``image_format``, with Pillow's ``options`` (None ones left out)."""
    return _encoded(image, image_format, **options)


def _displayable(image):
    """The decoded image in RGB, or RGBA where it has transparency; 16-bit values scaled to 8."""
    if image.mode in DEEP_MODES:
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("RGB", "RGBA"):
        return image.copy() if image.readonly else image
    return image.convert("RGBA" if _has_alpha(image) else "RGB")


def _rendition_bytes(image, profile):
    """JPEG for opaque pictures, as phones take them, which encodes fastest; WebP keeps transparency."""
    if image.mode == "RGBA":
        return _encoded(image, "WEBP", quality=82, method=2, icc_profile=profile)
    return _encoded(image, "JPEG", quality=85, icc_profile=profile)


def _encoded(image, image_format, **options):
    out = io.BytesIO()
    image.save(out, image_format, **{name: value for name, value in options.items() if value is not None})
    return out.getvalue()


def _has_alpha(image):
    return image.mode in ("LA", "PA", "RGBA") or "transparency" in image.info
