"""What the app changed in the store, written in the store's own keys so that every
process on it sees the change at once.

Each upload and delete through the app leaves an empty object named after it:
``.imagestore/journal/STAMP/upload/UPLOADED/KEY`` or ``.../delete/UPLOADED/KEY``,
where ``STAMP`` is the time in nanoseconds and the writing process's own tag, so
that no two processes ever write one name, on any storage, and ``UPLOADED`` is
the image's upload time, which places it in the gallery's order. The names sort
by time: listing the journal from a moment on gives every change since, in one
request, whatever the size of the store. What the discovery finds other tools
did (``discovery.py``) is one entry, ``STAMP/found/TOKEN``, whose JSON body lists
the images added and removed; what the process holding the discovery's turn made
ready of those images (``readying.py``) is ``STAMP/ready/TOKEN``, whose body lists
their keys. (Versions of 2026-11 wrote ``STAMP/added/KEY`` and
``STAMP/removed/KEY``; those are still read.)

Times are the store's (``clock.py``), so processes whose own clocks disagree
still read each other's changes. A change's time is taken by its writer before
the write lands; so a reader lists from ``SETTLE_NS`` before its own last read
began, and skips the changes it has already read. Changes older than ``KEPT_NS``
(a day) are deleted by processes that write changes, every
``PRUNE_EVERY_SECONDS`` at most, unless the store's index still needs them
(``keep_from_ns``).
"""

import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass

from .. import atomic
from ..database import backend_of
from ..keys import RESERVED_PREFIX

JOURNAL_PREFIX = RESERVED_PREFIX + "journal/"
NAMES_OF_CHANGES = {"added": "upload", "removed": "delete"}
FOUND = "found"
READY = "ready"
CHANGES_OF_NAMES = {name: change for change, name in NAMES_OF_CHANGES.items()}
SETTLE_NS = 60 * 10**9
KEPT_NS = 24 * 3600 * 10**9
PRUNE_EVERY_SECONDS = 600
PRUNED_AT_ONCE = 1000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """An image ``added`` or ``removed``; ``uploaded_ns`` is None where its writer did not know it.
    A change ``found`` is the discovery's: ``key`` names it, its entry holds what it found."""

    name: str
    at_ns: int
    change: str
    key: str
    uploaded_ns: int | None

    @property
    def entry(self):
        return self.uploaded_ns, self.key


def change_name(change, key, uploaded_ns, at_ns, writer):
    if uploaded_ns is None:
        return f"{JOURNAL_PREFIX}{at_ns:020d}-{writer}/{change}/{key}"
    return f"{JOURNAL_PREFIX}{at_ns:020d}-{writer}/{NAMES_OF_CHANGES[change]}/{uploaded_ns:020d}/{key}"


def parse(name):
    """The change a journal entry's name records; None for a name that is not one."""
    stamp, _, rest = name.removeprefix(JOURNAL_PREFIX).partition("/")
    change, _, key = rest.partition("/")
    digits = stamp.partition("-")[0]
    uploaded_ns = None
    if change in (FOUND, READY) and name.startswith(JOURNAL_PREFIX) and digits.isascii() and digits.isdigit():
        return Change(name, int(digits), change, key, None) if key else None
    if change in CHANGES_OF_NAMES:
        change, (uploaded, _, key) = CHANGES_OF_NAMES[change], key.partition("/")
        uploaded_ns = int(uploaded) if uploaded.isascii() and uploaded.isdigit() else -1
    if not name.startswith(JOURNAL_PREFIX) or change not in NAMES_OF_CHANGES or not key:
        return None
    if not (digits.isascii() and digits.isdigit()) or uploaded_ns == -1:
        return None
    return Change(name, int(digits), change, key, uploaded_ns)


class Journal:
    """This process's place in the journal: what it has read, and what it writes.

    ``lock`` is held while changes are read and applied; hold it too while applying
    this process's own changes, so that the two never interleave. A process reads
    its own changes back too: applied again in the journal's order, they undo what
    an earlier change of another process, read late, would otherwise get wrong (a
    delete here of an upload there not read yet). ``prunes`` is False for commands,
    which leave pruning to the apps that know the store's index.
    """

    def __init__(self, clock, prunes=True):
        self.writer = secrets.token_hex(4)
        self.clock = clock
        self.lock = threading.RLock()
        self._read_from_ns = clock.now_ns() - SETTLE_NS
        self._read = set()
        self._last_read_started = 0.0
        self._pruned_at = None
        self.keep_from_ns = None
        self.prunes = prunes

    def record(self, db, change, key, uploaded_ns):
        """Write that ``key``, uploaded at ``uploaded_ns``, was ``change`` (added or removed)
        through this process, and delete the oldest changes. :raise: storage failed to write
        it: a change is done only once every process can read it."""
        name = change_name(change, key, uploaded_ns, self.clock.stamp_ns(), self.writer)
        atomic.put(db, name, b"")
        self._prune_quietly(db)

    def record_found(self, db, added, removed):
        """Write what the discovery found: the entries ``added`` and ``removed``, in one entry."""
        body = json.dumps({"added": added, "removed": removed}).encode()
        self._write(db, FOUND, body, f"{len(added)} images added and {len(removed)} removed by other tools")

    def record_ready(self, db, keys):
        """Write that the images under ``keys`` have their records now, in one entry."""
        self._write(db, READY, json.dumps({"ready": keys}).encode(), f"{len(keys)} images made ready")

    def _write(self, db, change, body, what):
        name = f"{JOURNAL_PREFIX}{self.clock.stamp_ns():020d}-{self.writer}/{change}/{secrets.token_hex(8)}"
        try:
            atomic.put(db, name, body)
        except Exception as error:
            log.warning("could not write %s to the journal: %s", what, error)
            return
        self._prune_quietly(db)

    def _prune_quietly(self, db):
        if not self.prunes:
            return
        try:
            self._prune(db)
        except Exception as error:
            log.warning("could not delete the journal's oldest changes: %s", error)

    def catch_up(self, db, apply):
        """``apply(change)`` each change other processes made since this one last read the
        journal, oldest first, under ``lock``.

        Readers that arrive while another reads wait for it, then read again only if
        that read began before they arrived, so a burst of page views costs two reads.
        """
        arrived = time.monotonic()
        with self.lock:
            if self._last_read_started > arrived:
                return
            started, started_ns = time.monotonic(), self.clock.now_ns()
            start_after = f"{JOURNAL_PREFIX}{max(0, self._read_from_ns):020d}"
            changes = [
                change
                for name in backend_of(db).keys_in_order(JOURNAL_PREFIX, start_after)
                if (change := parse(name)) is not None and name not in self._read
            ]
            for change in changes:
                self._read.add(change.name)
                apply(change)
            self._last_read_started = started
            self._read_from_ns = started_ns - SETTLE_NS
            oldest_listed = f"{JOURNAL_PREFIX}{self._read_from_ns:020d}"
            self._read = {name for name in self._read if name > oldest_listed}

    def read_again_from(self, from_ns):
        """Read, at the next ``catch_up``, every change from ``from_ns`` on, even those read
        already: for an index made at ``from_ns``, on which changes can be made again."""
        with self.lock:
            self._read_from_ns, self._read, self._last_read_started = from_ns, set(), 0.0

    @property
    def read_from_ns(self):
        """Every change before this time has been read (given ``SETTLE_NS``)."""
        return self._read_from_ns

    def _prune(self, db):
        if self._pruned_at is not None and time.monotonic() - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = time.monotonic()
        oldest_kept_ns = self.clock.now_ns() - KEPT_NS
        if self.keep_from_ns is not None:
            oldest_kept_ns = min(oldest_kept_ns, self.keep_from_ns)
        oldest_kept = f"{JOURNAL_PREFIX}{oldest_kept_ns:020d}"
        backend = backend_of(db)
        for number, name in enumerate(backend.keys_in_order(JOURNAL_PREFIX, "")):
            if name >= oldest_kept or number >= PRUNED_AT_ONCE:
                return
            backend.delete(name)


def index_changes(db, change):
    """The ``(change, entry)`` pairs a journal entry makes to the index: its own, or those a
    ``found`` entry holds (none once it was deleted); a ``ready`` entry makes none."""
    if change.change == READY:
        return []
    if change.change != FOUND:
        return [(change.change, change.entry)]
    found = _body(db, change)
    return [("added", tuple(entry)) for entry in found.get("added", [])] + [
        ("removed", tuple(entry)) for entry in found.get("removed", [])
    ]


def ready_keys(db, change):
    """The keys a ``ready`` entry says were made ready."""
    return _body(db, change).get("ready", []) if change.change == READY else []


def _body(db, change):
    try:
        return json.loads(db[change.name])
    except KeyError:
        return {}
