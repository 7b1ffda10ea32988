"""The gallery's order of image keys, from a listing of the store kept for a few seconds.

CShelve lists a store by listing every key in it: one request per 1,000 keys
on S3 and Azure. A store of 10,000 images would spend most of each page on
that, so the listing is kept and made again only when it is older than
``max_age`` seconds (``IMAGESTORE_LISTING_SECONDS``). Uploads and deletes
through this process change it at once; images that another process or tool
adds or deletes show up, or go, within ``max_age`` seconds.
"""

import threading
import time


class Listing:
    """Image keys, newest upload first, from a listing at most ``max_age`` seconds old.

    The list handed out is never changed afterwards (an upload or delete makes
    a new one), so a page view need not copy 10,000 keys to show 24.
    """

    def __init__(self, max_age):
        self.max_age = max_age
        self._keys = []
        self._listed_at = None
        self._lock = threading.Lock()

    def keys(self, list_in_order):
        """Return the image keys in gallery order; ``list_in_order()`` lists the store when due.

        However many requests find the listing old, the store is listed once.
        """
        with self._lock:
            if self._listed_at is None or time.monotonic() - self._listed_at >= self.max_age:
                self._keys = list_in_order()
                self._listed_at = time.monotonic()
            return self._keys

    def added(self, key):
        """An upload through this process: the newest image."""
        with self._lock:
            if self._listed_at is not None and key not in self._keys:
                self._keys = [key, *self._keys]

    def removed(self, key):
        with self._lock:
            self._keys = [kept for kept in self._keys if kept != key]
