"""Where direct uploads wait to be claimed (``direct_uploads``): under the reserved prefix,
so that nothing staged is ever listed, served or counted, named by when they were
staged on the store's clock, so that those never claimed are found by name alone and
deleted after a day: by a store that takes direct uploads, in the process that takes the
discovery's turn, at most once an hour (``Sweeper``), or by ``imagestore verify --repair``."""

import secrets
import time

from .database import backend_of
from .keys import RESERVED_PREFIX

STAGING_PREFIX = RESERVED_PREFIX + "staging/"
KEPT_SECONDS = 24 * 3600
SWEEP_SECONDS = 3600


def staged_name(clock):
    """A name of its own for one upload, beginning with the time it was staged."""
    return f"{STAGING_PREFIX}{clock.now_ns():020d}-{secrets.token_hex(8)}"


def is_abandoned(name, now_ns):
    """Whether ``name`` was staged more than a day before ``now_ns``."""
    if not name.startswith(STAGING_PREFIX):
        return False
    stamp = name.removeprefix(STAGING_PREFIX).split("-", 1)[0]
    return stamp.isascii() and stamp.isdigit() and now_ns - int(stamp) > KEPT_SECONDS * 10**9


def sweep(db, now_ns):
    """Delete what was staged more than a day ago and never claimed; return how many. Names
    list oldest first, so the listing stops at the first one younger than that."""
    backend, deleted = backend_of(db), 0
    for name in backend.keys_in_order(STAGING_PREFIX, ""):
        if not is_abandoned(name, now_ns):
            break
        backend.delete(name)
        deleted += 1
    return deleted


class Sweeper:
    """``sweep``, at most once every ``SWEEP_SECONDS`` in this process: one LIST an hour,
    not one at each of the discovery's turns."""

    def __init__(self, clock):
        self.clock = clock
        self._swept_at = None

    def __call__(self, db):
        now = time.monotonic()
        if self._swept_at is not None and now - self._swept_at < SWEEP_SECONDS:
            return
        self._swept_at = now
        sweep(db, self.clock.now_ns())
