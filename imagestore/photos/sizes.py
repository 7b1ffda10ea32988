"""An image at the sizes a page asks for: a ladder of widths for ``srcset``, and the named
variants a host declares (``variants``).

Each is a pure function of the original's bytes and its *spec*, a short name that says
what is made (``w640``: 640 px wide; ``fill-256x256``: cropped to cover 256×256, centred;
``fit-600x400``: fitted inside 600×400) and with which encoder settings (``ENCODING``).
That is what lets an address be versioned without writing the record again
(``version``): the same original and spec always give the same picture.

All are WebP, upright, without EXIF (so without location), and never wider than the
original: a ladder stops at the original's width, ``fit`` never enlarges. ``fill`` gives
its box exactly, enlarging a smaller original, since a page lays it out at that size.
"""

import hashlib
import re
from dataclasses import dataclass

from PIL import Image, ImageOps

from .previews import encoded, upright

DEFAULT_LADDER = (320, 640, 1024, 1600, 2048)
ENCODING = "webp-q80-m4"
WEBP_OPTIONS = {"quality": 80, "method": 4}
CONTENT_TYPE = "image/webp"
MODES = ("fill", "fit")
WIDTH_SPEC = re.compile(r"w([1-9][0-9]{0,4})")
BOX_SPEC = re.compile(r"(fill|fit)-([1-9][0-9]{0,4})x([1-9][0-9]{0,4})")
VERSION_LENGTH = 12


@dataclass(frozen=True)
class Step:
    """One rung of an image's ladder: made for ladder width ``rung`` (its spec ``w<rung>``),
    at ``width`` × ``height``, which is the original's size where the rung is wider."""

    rung: int
    width: int
    height: int

    @property
    def spec(self):
        return f"w{self.rung}"


def ladder_of(width, height, ladder):
    """The steps of an image of ``width`` × ``height``: each rung narrower than it, and
    the first rung at or past its width, made at its own width. Empty for no image."""
    if not width or not height:
        return []
    steps = []
    for rung in sorted(set(ladder)):
        made = min(rung, width)
        steps.append(Step(rung, made, _scaled(height, made, width)))
        if rung >= width:
            break
    return steps


def box_spec(mode, box):
    """The spec of a variant: ``fill-256x256``."""
    return f"{mode}-{box[0]}x{box[1]}"


def size_of(spec, width, height):
    """The width and height of what ``spec`` makes of an image of ``width`` × ``height``."""
    by_width = WIDTH_SPEC.fullmatch(spec)
    if by_width:
        made = min(int(by_width.group(1)), width)
        return made, _scaled(height, made, width)
    mode, box = _parsed_box(spec)
    if mode == "fill":
        return box
    scale = min(box[0] / width, box[1] / height, 1)
    return max(1, round(width * scale)), max(1, round(height * scale))


def make(data, spec, width, height):
    """What ``spec`` makes of the original ``data``, whose upright size is ``width`` ×
    ``height``, as WebP bytes. :raise ImageRejected: the data is truncated or corrupt."""
    target = size_of(spec, width, height)
    if WIDTH_SPEC.fullmatch(spec) or _parsed_box(spec)[0] == "fit":
        picture = upright(data, target)
        picture = picture.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    else:
        cover = max(target[0] / width, target[1] / height)
        picture = upright(data, (round(width * cover), round(height * cover)))
        picture = ImageOps.fit(picture, target, Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    return encoded(picture, "WEBP", **WEBP_OPTIONS)


def version(original_sha256, spec):
    """The version of an address of what ``spec`` makes of the original with this SHA-256:
    it changes with the original, the spec and the encoder settings, so a cache may keep the
    answer for good."""
    made_of = f"{original_sha256}/{spec}/{ENCODING}".encode()
    return hashlib.sha256(made_of).hexdigest()


def dominant_colour(preview):
    """The average colour of a decoded preview, as ``#rrggbb``: a placeholder to show
    until the image arrives."""
    one_pixel = preview.convert("RGB").resize((1, 1), Image.Resampling.BOX)
    red, green, blue = one_pixel.getpixel((0, 0))
    return f"#{red:02x}{green:02x}{blue:02x}"


def _parsed_box(spec):
    match = BOX_SPEC.fullmatch(spec)
    if match is None:
        raise ValueError(f"not a size spec: {spec!r}")
    return match.group(1), (int(match.group(2)), int(match.group(3)))


def _scaled(side, made, whole):
    return max(1, round(side * made / whole))
