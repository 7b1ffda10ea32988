"""Keys in name order, a few at a time, for a page that needs only the first ones.

CShelve lists a store by listing every key in it: one request per 1,000 keys
on S3 and Azure. Both list in name order and can start after a given name, so
the first 25 keys of a store of 10,000 cost one small request here (each
backend lists in its own way). The folder and in-memory backends are local,
and are listed whole and sorted.
"""

from itertools import takewhile

from .database import backend_of
from .keys import RESERVED_PREFIX

AFTER_RESERVED = RESERVED_PREFIX + "\U0010ffff"


def keys_in_order(db, prefix="", start_after=""):
    """Yield the keys that start with ``prefix`` and sort after ``start_after``, in order.

    Storage is asked for a few keys at first, and for more as they are taken.
    """
    yield from backend_of(db).keys_in_order(prefix, start_after)


def keys_outside_reserved(db):
    """Yield the keys not under the reserved prefix, in order, stepping over the app's own
    records (three for each uploaded image) instead of listing them."""
    yield from takewhile(lambda key: key < RESERVED_PREFIX, keys_in_order(db))
    yield from keys_in_order(db, start_after=AFTER_RESERVED)
