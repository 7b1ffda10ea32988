"""What a page shows: the records of a page's images, read in parallel (``page_of_images``),
also before the store has an index (``page_from_first_keys``); an image another tool put
in that is not made ready yet is shown by its name alone (``read_shown_record``), so that
a page never downloads an original."""

import math
from dataclasses import dataclass

from cshelve import EncryptedDataCorruptionError

from . import atomic
from .index import order
from .parallel import map_in_threads
from .store import NOT_AN_IMAGE, kept_record, read_metadata

READING_THREADS = 8
MOST_FIRST_KEYS = 250
NOT_KNOWN_YET = {"content_type": None, "width": None, "height": None, "animated": False}


@dataclass(frozen=True)
class Page:
    """One page of the gallery: the metadata of its images, newest uploads first.

    ``total`` is None while the store has not been counted yet.
    """

    images: list
    number: int
    per_page: int
    total: int | None
    has_next: bool

    @property
    def page_count(self):
        return None if self.total is None else max(1, math.ceil(self.total / self.per_page))


def page_of_images(db, keys, number, per_page, total, read_record=None):
    """Return page ``number`` of a gallery of ``total`` images, which shows ``keys``.

    An image deleted by another tool since the index was made is left out. One
    that cannot be decrypted is shown as a download without preview.
    """
    images = _read_shown(db, keys, read_record)
    return Page(images, number, per_page, total=total, has_next=number * per_page < total)


def page_from_first_keys(db, number, per_page, read_record=None):
    """Return page ``number`` of the gallery, listing the store only as far as that page.

    Its ``total`` is None unless the store ends on it. None for a page beyond
    the first ``MOST_FIRST_KEYS`` keys (the image of each marker on the way is
    checked, so going far costs more than the whole listing), and when the
    store holds upload markers of an earlier version, which can only be
    ordered all together.
    """
    start = (number - 1) * per_page
    if start + per_page + 1 > MOST_FIRST_KEYS:
        return None
    keys = order.first_keys(db, start + per_page + 1)
    if keys is None:
        return None
    ends_here = len(keys) <= start + per_page
    images = _read_shown(db, keys[start : start + per_page], read_record)
    return Page(images, number, per_page, total=len(keys) if ends_here else None, has_next=not ends_here)


def _read_shown(db, keys, read_record=None):
    """The metadata of ``keys``, read in parallel (with ``read_record(db, key)``, by default
    ``read_metadata``), leaving out images deleted meanwhile."""
    read = read_record or read_metadata
    shown = map_in_threads(lambda key: _shown(db, key, read), keys, READING_THREADS)
    return [image for image in shown if image is not None]


def _shown(db, key, read):
    """An image's metadata as a page shows it, or None when it was deleted meanwhile."""
    try:
        return read(db, key)
    except KeyError:
        return None
    except EncryptedDataCorruptionError:
        return {"key": key, "filename": key, "size": None, "sha256": None} | NOT_AN_IMAGE


def read_shown_record(db, key, indexed=False):
    """What a page shows of an image: its record, or, for one another tool put in that is
    not made ready yet (``index/readying.py``), its name alone (``ready`` False): a page
    never downloads an original. An image the index holds (``indexed``) is taken to exist:
    the discovery tells when another tool deletes it.

    :raise KeyError: no such image.
    """
    metadata = kept_record(db, key)
    if metadata is not None:
        return metadata
    if not indexed and not atomic.exists(db, key):
        raise KeyError(key)
    return {"key": key, "filename": key, "size": None, "sha256": None, "ready": False} | NOT_KNOWN_YET
