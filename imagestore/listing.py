"""The gallery's order of image keys, from a listing of the whole store made in the background.

CShelve lists a store by listing every key in it: one request per 1,000 keys
on S3 and Azure, seconds for a store of 10,000 images. So no page waits for
it: the listing is made in a thread of its own, kept, and made again in the
background once it is older than ``max_age`` seconds
(``IMAGESTORE_LISTING_SECONDS``), while pages go on using the one kept. Until
the first listing is made, a page lists only the keys it shows
(``store.page_from_first_keys``). A listing that failed is tried again after
``max_age`` seconds, or at once by a caller that waits for it (the API).

Uploads and deletes through this process change the kept listing at once;
images that another process or tool adds or deletes show up, or go, within
``max_age`` seconds plus the time one listing takes.
"""

import logging
import threading
import time
from concurrent.futures import Future

log = logging.getLogger(__name__)


class Listing:
    """Image keys, newest upload first, from the latest listing of the store.

    The list handed out is never changed afterwards (an upload or delete makes
    a new one), so a page view need not copy 10,000 keys to show 24.
    """

    def __init__(self, max_age):
        self.max_age = max_age
        self._keys = None
        self._done_at = None
        self._under_way = None
        self._changes = []
        self._lock = threading.Lock()

    def keys(self):
        """The kept keys in gallery order, or None before the first listing is made."""
        return self._keys

    def refresh(self, list_in_order):
        """Start listing the store in the background (``list_in_order()``) if the kept
        listing is missing or old, unless a listing is already under way.

        :return: the ``Future`` of the listing under way, or None.
        """
        with self._lock:
            return self._start_if_due(list_in_order)

    def wait(self, list_in_order):
        """The kept keys, waiting for the first listing if none is kept yet.

        :raise: what listing the store raised.
        """
        with self._lock:
            under_way = self._start_if_due(list_in_order, waiting=True)
            if self._keys is not None:
                return self._keys
        return under_way.result()

    def added(self, key):
        """An upload through this process: the newest image."""
        self._change("added", key)

    def removed(self, key):
        self._change("removed", key)

    def _change(self, change, key):
        """Change the kept listing, and the one under way once it is made."""
        with self._lock:
            if self._under_way is not None:
                self._changes.append((change, key))
            if self._keys is not None:
                self._keys = _with_change(self._keys, change, key)

    def _start_if_due(self, list_in_order, waiting=False):
        """Return the listing under way, starting one if the kept listing is missing or old
        (age counts from the end of the last listing, or of the last failed one)."""
        if self._under_way is None and (
            self._done_at is None
            or time.monotonic() - self._done_at >= self.max_age
            or (waiting and self._keys is None)
        ):
            self._under_way = Future()
            self._changes = []
            threading.Thread(
                target=self._list,
                args=(list_in_order, self._under_way),
                name="imagestore-listing",
                daemon=True,
            ).start()
        return self._under_way

    def _list(self, list_in_order, under_way):
        """List the store, then keep the listing with the uploads and deletes made meanwhile."""
        try:
            keys = list_in_order()
        except Exception as error:
            log.warning("listing the store failed: %s", error)
            with self._lock:
                self._under_way, self._done_at = None, time.monotonic()
            under_way.set_exception(error)
            return
        with self._lock:
            for change, key in self._changes:
                keys = _with_change(keys, change, key)
            self._keys, self._done_at, self._under_way = keys, time.monotonic(), None
        under_way.set_result(keys)


def _with_change(keys, change, key):
    if change == "added":
        return keys if key in keys else [key, *keys]
    return [kept for kept in keys if kept != key]
