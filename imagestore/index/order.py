"""The gallery's order, kept in the store's own keys: newest upload first, then the
images other tools put in (no upload marker), by name.

Each upload leaves an empty marker, ``.imagestore/newest/COUNTDOWN/KEY``, whose
``COUNTDOWN`` gets smaller as time goes on, so that listing the markers in name
order gives the newest uploads first, and the gallery's first page needs only
the first few. (Versions before 2026-11 wrote ``.imagestore/uploaded/TIME/KEY``,
counting up; those are still read, and renamed by the first whole listing.)

CShelve lists a store by listing every key in it: one request per 1,000 keys
on S3 and Azure. The backends list in name order from any name on, a few keys
at a time, so the first 25 keys of a store of 10,000 cost one small request.
"""

import itertools

from .. import atomic
from ..database import backend_of
from ..keys import RESERVED_PREFIX, is_servable_key
from ..parallel import map_in_threads

NEWEST_PREFIX = RESERVED_PREFIX + "newest/"
OLD_MARKER_PREFIX = RESERVED_PREFIX + "uploaded/"
LATEST_NS = 10**20 - 1
READING_THREADS = 8
AFTER_RESERVED = RESERVED_PREFIX + "\U0010ffff"


def all_image_entries(db):
    """List the store: every image as ``(uploaded_ns, key)``, in the gallery's order
    (``uploaded_ns`` is 0 for images other tools put in).

    Upload markers of earlier versions are renamed to today's form on the way,
    so that later first pages need not wait for a whole listing.
    """
    keys = list(iter(db))  # list(db) would ask len(db) first: a second whole listing
    for marker in keys:
        if marker.startswith(OLD_MARKER_PREFIX):
            _renew_old_marker(db, marker)
    return entries_newest_first(keys)


def first_keys(db, count):
    """The first ``count`` image keys in the gallery's order, listing no further than they
    go; None while the store holds upload markers of an earlier version.

    An image deleted by another tool may have left its marker behind, so the
    images of markers are checked, as the whole listing would, in parallel.
    """
    if next(_keys_in_order(db, OLD_MARKER_PREFIX), None) is not None:
        return None
    markers = _image_keys_of_markers(db)
    marked = []
    while len(marked) < count and (batch := list(itertools.islice(markers, count - len(marked)))):
        existing = map_in_threads(lambda key: atomic.exists(db, key), batch, READING_THREADS)
        marked += itertools.compress(batch, existing)
    if len(marked) == count:
        return marked
    shown = set(marked)
    unmarked = (key for key in _keys_outside_reserved(db) if is_servable_key(key) and key not in shown)
    return [*marked, *itertools.islice(unmarked, count - len(marked))]


def _image_keys_of_markers(db):
    """Yield the image keys of upload markers, newest first, each once."""
    seen = set()
    for marker in _keys_in_order(db, NEWEST_PREFIX):
        upload = upload_of(marker)
        if upload is not None and is_servable_key(upload[1]) and upload[1] not in seen:
            seen.add(upload[1])
            yield upload[1]


def newest_first(keys):
    """Order the image keys among ``keys`` (every key in the store): newest upload first,
    then the images other tools put in (no upload marker), by name."""
    return [key for _, key in entries_newest_first(keys)]


def entries_newest_first(keys):
    """``(uploaded_ns, key)`` of the images among ``keys`` (every key in the store), in
    the gallery's order (``rank``); 0 for images with no upload marker."""
    uploaded = dict.fromkeys((key for key in keys if is_servable_key(key)), 0)
    for marker in keys:
        upload = upload_of(marker)
        if upload is not None and upload[1] in uploaded:
            uploaded_ns, key = upload
            uploaded[key] = max(uploaded_ns, uploaded[key])
    return sorted(((uploaded_ns, key) for key, uploaded_ns in uploaded.items()), key=rank)


def rank(entry):
    """Where an ``(uploaded_ns, key)`` comes in the gallery: newest first, a tie by name."""
    return -entry[0], entry[1]


def upload_marker(key, uploaded_ns):
    """The marker of an upload, named so that newer uploads sort first."""
    return f"{NEWEST_PREFIX}{LATEST_NS - uploaded_ns:020d}/{key}"


def _renew_old_marker(db, marker):
    upload = upload_of(marker)
    if upload is not None:
        atomic.put(db, upload_marker(upload[1], upload[0]), b"")
        try:
            del db[marker]
        except KeyError:
            pass


def upload_of(marker):
    """The upload time and image key of an upload marker, either kind; None for other keys."""
    for prefix, counts_down in ((NEWEST_PREFIX, True), (OLD_MARKER_PREFIX, False)):
        if marker.startswith(prefix):
            digits, _, key = marker.removeprefix(prefix).partition("/")
            if not (digits.isascii() and digits.isdigit()):
                return None
            return (LATEST_NS - int(digits) if counts_down else int(digits)), key
    return None


def old_marker(key, uploaded_ns):
    """The marker an earlier version wrote for the upload."""
    return f"{OLD_MARKER_PREFIX}{uploaded_ns:020d}/{key}"


def _keys_in_order(db, prefix="", start_after=""):
    """Yield the keys that start with ``prefix`` and sort after ``start_after``, in order,
    asking storage for a few at first and for more as they are taken."""
    yield from backend_of(db).keys_in_order(prefix, start_after)


def _keys_outside_reserved(db):
    """Yield the keys not under the reserved prefix, in order, stepping over the app's own
    records (three for each uploaded image) instead of listing them."""
    yield from itertools.takewhile(lambda key: key < RESERVED_PREFIX, _keys_in_order(db))
    yield from _keys_in_order(db, start_after=AFTER_RESERVED)
