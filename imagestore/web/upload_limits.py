"""Bounds on what direct uploads (``direct_uploads``) may stage: how many uploads each writer
may announce a minute (``IMAGESTORE_DIRECT_UPLOADS_PER_MINUTE``), and how many bytes may
wait unclaimed in the store (``IMAGESTORE_STAGED_MB``). Past either, an announcement gets
429 with ``Retry-After``.

A writer is the address a request comes from (``request.remote_addr``: behind a proxy, the
host app makes it the client's, with Werkzeug's ``ProxyFix``). Each process counts the
announcements it answers; the staged bytes are the store's, counted from one listing of
the staging area at each announcement (``staging.unclaimed_bytes``), each upload as 1 MB
at least, so that the listing stops after a few thousand names.
"""

import math
import threading
import time
from collections import defaultdict, deque

from flask import request
from werkzeug.exceptions import TooManyRequests

from .. import staging

WINDOW_SECONDS = 60
STAGED_RETRY_SECONDS = 60


class Announcements:
    """The times of each writer's announcements in the last ``WINDOW_SECONDS``, in this process."""

    def __init__(self, most_per_window):
        self.most = most_per_window
        self._times = defaultdict(deque)
        self._lock = threading.Lock()

    def take(self, writer):
        """Count one announcement of ``writer``; return 0, or the seconds to wait when it has
        made its most in the window, in which case it is not counted."""
        now = time.monotonic()
        with self._lock:
            self._forget_before(now - WINDOW_SECONDS)
            times = self._times[writer]
            if len(times) >= self.most:
                return max(1, math.ceil(times[0] + WINDOW_SECONDS - now))
            times.append(now)
            return 0

    def _forget_before(self, start):
        for writer in list(self._times):
            times = self._times[writer]
            while times and times[0] < start:
                times.popleft()
            if not times:
                del self._times[writer]


def check(announcements, db, size, most_staged_bytes):
    """:raise 429: this writer has announced its most this minute, or ``size`` more bytes would
    take the store's unclaimed staged bytes past ``most_staged_bytes``."""
    wait = announcements.take(request.remote_addr)
    if wait:
        _too_many(
            f"Too many uploads started from this address: at most {announcements.most} a minute. "
            f"Try again in {wait} seconds.",
            wait,
        )
    if staging.unclaimed_bytes(db, most_staged_bytes) + size > most_staged_bytes:
        megabytes = f"{most_staged_bytes / 2**20:g}"
        _too_many(
            f"Too many bytes are waiting to be claimed in this store (at most {megabytes} MB): "
            f"claim or let go of the uploads started, then try again in {STAGED_RETRY_SECONDS} seconds.",
            STAGED_RETRY_SECONDS,
        )


def _too_many(message, retry_after):
    raise TooManyRequests(message, retry_after=retry_after)
