"""What an upload becomes before it is stored: judged by its bytes, decoded within
the memory budget for its previews, and its location taken out.

The location (GPS) and the EXIF tags that name a person or a device are
removed from the original without re-encoding it (``privacy``), unless the
store keeps them (``IMAGESTORE_KEEP_LOCATION``). What comes out is checked:
an original whose location could not be found and removed is refused rather
than stored with it.
"""

from dataclasses import dataclass

from . import privacy
from .images import ImageInfo, ImageRejected, exif_of, inspect_image, open_image
from .previews import Previews, make_previews, needs_rendition
from .privacy.tiff import GPS_IFD

LOCATION_STUCK = "its location (GPS) could not be removed, and this store does not keep locations"


@dataclass(frozen=True)
class Incoming:
    """An upload ready to store: ``data`` is the original, less its location."""

    data: bytes
    info: ImageInfo
    previews: Previews
    location_removed: bool


def prepare(data, max_pixels, keep_location, budget):
    """Make an upload ready to store, decoding it within ``budget`` (a ``decoding.PixelBudget``).

    :raise ImageRejected: not an image the store accepts.
    :raise decoding.Busy: the budget stayed taken for too long.
    """
    info = inspect_image(data, max_pixels)
    with_rendition = needs_rendition(info.content_type, info.width, info.height, info.animated)
    with budget.decoding(info.pixels):
        previews = make_previews(data, with_rendition)
    if keep_location:
        return Incoming(data, info, previews, location_removed=False)
    try:
        stored, removed = privacy.remove_location(data, info.format)
    except privacy.CannotRemove:
        raise ImageRejected(LOCATION_STUCK) from None
    if _still_located(stored):
        raise ImageRejected(LOCATION_STUCK)
    return Incoming(stored, info, previews, location_removed=removed)


def _still_located(data):
    with open_image(data) as image:
        try:
            return bool(exif_of(image).get_ifd(GPS_IFD))
        except MemoryError:
            raise
        except Exception:
            return False
