"""Where direct uploads wait to be claimed (``direct_uploads``): under the reserved prefix,
so that nothing staged is ever listed, served or counted, named by when they were staged on
the store's clock and the size announced for them, so that those whose ticket has expired
are found by name alone and deleted an hour after they were staged (``CLAIMABLE_SECONDS``),
claimed or not: by a store that takes direct uploads, at most once an hour, in the process
that takes the discovery's turn or answers an announcement (``Sweeper``). ``imagestore
verify --repair`` deletes those of more than a day ago.

A claim first creates a mark of its own under ``CLAIMED_PREFIX``, named as the staged
object is, which storage creates only once: a second claim of the same upload, at once or
later, finds it taken (``claim_mark``). What is sent to the upload URL after its claim is
never claimed, and is swept with the mark."""

import secrets
import time

from .database import backend_of, clock_of
from .keys import RESERVED_PREFIX

STAGING_PREFIX = RESERVED_PREFIX + "staging/"
CLAIMED_PREFIX = RESERVED_PREFIX + "claimed/"
KEPT_SECONDS = 24 * 3600
CLAIMABLE_SECONDS = 3600  # longer than a ticket is valid, with room for clocks that disagree
SMALLEST_COUNTED = 2**20
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
    """What the objects staged for tickets still valid take, each counted as the largest of its
    size in storage, the size announced for it (Azure lists a blob of uncommitted blocks as
    empty) and ``SMALLEST_COUNTED``, so that the listing, which stops once past ``most``,
    stays short. Those staged before are not counted: no ticket can claim them any longer."""
    total = 0
    listed = backend_of(db).sizes_in_order(STAGING_PREFIX, _staged_before(clock_of(db).now_ns()))
    for name, size in listed:
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
    """Delete what was staged for tickets no longer valid, claimed or not, even blocks never
    committed, and the marks of their claims; return how many staged objects. Names list
    oldest first, so each listing stops at the first one younger than that."""
    backend, deleted = backend_of(db), 0
    for name, _ in backend.sizes_in_order(STAGING_PREFIX, ""):
        if not is_abandoned(name, now_ns, kept_seconds=CLAIMABLE_SECONDS):
            break
        backend.discard(name)
        deleted += 1
    for mark in backend.keys_in_order(CLAIMED_PREFIX, ""):
        if not is_abandoned(mark, now_ns, CLAIMED_PREFIX, CLAIMABLE_SECONDS):
            break
        backend.delete(mark)
    return deleted


def _staged_before(now_ns):
    """The name before any staged for a ticket still valid at ``now_ns``."""
    return f"{STAGING_PREFIX}{now_ns - CLAIMABLE_SECONDS * 10**9:020d}"


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
