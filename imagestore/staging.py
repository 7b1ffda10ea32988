"""Where direct uploads wait to be claimed (``direct_uploads``): under the reserved prefix,
so that nothing staged is ever listed, served or counted, named by when they were
staged on the store's clock and the size announced for them, so that those never claimed
are found by name alone and deleted after a day: by a store that takes direct uploads, in
the process that takes the discovery's turn, at most once an hour (``Sweeper``), or by
``imagestore verify --repair``.

A claim first creates a mark of its own under ``CLAIMED_PREFIX``, named as the staged
object is, which storage creates only once: a second claim of the same upload, at once or
later, finds it taken (``claim_mark``). What is sent to the upload URL after its claim is
never claimed: the sweep deletes it once its ticket has expired. The marks are swept after
a day, long after their tickets have expired.
"""

import secrets
import time

from .database import backend_of
from .keys import RESERVED_PREFIX

STAGING_PREFIX = RESERVED_PREFIX + "staging/"
CLAIMED_PREFIX = RESERVED_PREFIX + "claimed/"
KEPT_SECONDS = 24 * 3600
SMALLEST_COUNTED = 2**20
CLAIMABLE_SECONDS = 3600  # longer than a ticket is valid, with room for clocks that disagree
SWEEP_SECONDS = 3600


def staged_name(clock, size):
    """A name of its own for one upload of ``size`` bytes, beginning with the time it was staged."""
    return f"{STAGING_PREFIX}{clock.now_ns():020d}-{size}-{secrets.token_hex(8)}"


def claim_mark(staged):
    """The name of the mark the claim of ``staged`` creates."""
    return CLAIMED_PREFIX + staged.removeprefix(STAGING_PREFIX)


def announced_size(name):
    """The size announced for a staged object, as its name says; 0 for names of before 2026-12,
    which do not say it."""
    parts = name.removeprefix(STAGING_PREFIX).split("-")
    return int(parts[1]) if len(parts) == 3 and parts[1].isascii() and parts[1].isdigit() else 0


def unclaimed_bytes(db, most):
    """What the staged objects take, each counted as the largest of its size in storage, the
    size announced for it (Azure lists a blob of uncommitted blocks as empty) and
    ``SMALLEST_COUNTED``, so that the listing, which stops once past ``most``, stays short."""
    total = 0
    for name, size in backend_of(db).sizes_in_order(STAGING_PREFIX):
        total += max(size, announced_size(name), SMALLEST_COUNTED)
        if total > most:
            break
    return total


def is_abandoned(name, now_ns, prefix=STAGING_PREFIX, kept_seconds=KEPT_SECONDS):
    """Whether ``name`` was staged (or claimed, under ``CLAIMED_PREFIX``) more than
    ``kept_seconds`` (a day) before ``now_ns``."""
    if not name.startswith(prefix):
        return False
    stamp = name.removeprefix(prefix).split("-", 1)[0]
    return stamp.isascii() and stamp.isdigit() and now_ns - int(stamp) > kept_seconds * 10**9


def sweep(db, now_ns):
    """Delete what was staged more than a day ago and never claimed, even blocks never
    committed; what was sent again after its claim, once its ticket has expired; and the
    claims' marks of a day ago. Return how many staged objects were deleted."""
    backend = backend_of(db)
    claimed = set()
    for mark in backend.keys_in_order(CLAIMED_PREFIX, ""):
        if is_abandoned(mark, now_ns, CLAIMED_PREFIX):
            backend.delete(mark)
        else:
            claimed.add(mark.removeprefix(CLAIMED_PREFIX))
    deleted = 0
    for name, _ in backend.sizes_in_order(STAGING_PREFIX):
        sent_after_claim = name.removeprefix(STAGING_PREFIX) in claimed
        if is_abandoned(name, now_ns, kept_seconds=CLAIMABLE_SECONDS if sent_after_claim else KEPT_SECONDS):
            backend.discard(name)
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
