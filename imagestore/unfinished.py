"""Uploads and deletes under way, written down before they touch the store, so that one
that fails half way (storage answered 503, lost an answer, or the process died) is
undone or finished by whoever comes next, and an answer of 201 or 204 always means
the whole of it is done.

Before its first write an operation writes a note,
``.imagestore/unfinished/SETTLE-TOKEN``, saying what it is about to do; deleting the
note is its last write, made only within its ``budget``, and only then is it
answered as done. A note still there once its operation can no longer be running is
settled: an upload is undone (what it wrote is deleted), a delete is finished
(what it did not delete yet is). ``SETTLE`` is that moment on the store's clock:
the end of the budget plus the longest one storage call can take, so that a
write still on its way when its operation gave up lands before it is undone.
Notes sort by it, so that one short listing finds those due.

Who settles: the process whose operation failed, at once as far as storage lets it,
and again in the background as soon as the note is due (``Operations.failed``); and,
for processes that died, the process that takes the discovery's turn
(``Operations.settle_due``), every turn. So leftovers stay at most
``budget + longest call + the discovery's turn`` while the store is in use (20 s,
31 s and 30 s with the defaults). ``imagestore verify --repair`` settles too.
"""

import hashlib
import json
import logging
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from cshelve import EncryptedDataCorruptionError

from . import atomic
from .database import backend_of
from .failures import StorageUnavailable
from .keys import RESERVED_PREFIX

UNFINISHED_PREFIX = RESERVED_PREFIX + "unfinished/"
FOLDER_KEEPER = UNFINISHED_PREFIX + "~folder"  # sorts after every note, and is never due
UPLOAD, DELETE = "upload", "delete"
BYTES_PER_SECOND = 1_000_000  # the slowest link to storage an upload's budget allows for
SETTLE_TRIES = 12
SETTLE_RETRY_SECONDS = 5
log = logging.getLogger(__name__)


class TooSlow(StorageUnavailable):
    """An operation outlasted its budget: it is left to be settled, never answered as done."""

    def __str__(self):
        return "storage was too slow to finish in time"


@dataclass(frozen=True)
class Operation:
    """An upload or a delete of ``key``; ``sha256`` is that of the image uploaded or deleted
    (None where a delete met no record), ``token`` marks what the upload creates."""

    kind: str
    key: str
    uploaded_ns: int | None
    token: str
    sha256: str | None
    deadline_ns: int
    settle_ns: int

    @property
    def name(self):
        return f"{UNFINISHED_PREFIX}{self.settle_ns:020d}-{self.token}"

    @classmethod
    def read(cls, db, name):
        """The operation a note holds. :raise KeyError: it is gone; ValueError: unreadable."""
        try:
            return cls(**json.loads(db[name]))
        except (TypeError, EncryptedDataCorruptionError) as error:
            raise ValueError(f"{name} holds no operation") from error


class Operations:
    """This process's operations: their notes, written on the store's ``clock``, within
    ``budget_seconds``, settled ``longest_call_seconds`` later; ``settle(db, operation)``
    (``store.settle``) undoes or finishes one; ``open_db`` gives a database to a thread."""

    def __init__(self, clock, budget_seconds, longest_call_seconds, settle, open_db=None):
        self._folder_kept = False
        self.clock = clock
        self.budget_ns = int(budget_seconds * 10**9)
        self.longest_call_ns = int(longest_call_seconds * 10**9)
        self.settle = settle
        self.open_db = open_db

    def begin(self, db, kind, key, uploaded_ns, sha256=None, size=0):
        """Write the note of an operation about to start, which writes ``size`` bytes, and
        return it. :raise: storage failed."""
        self._keep_folder(db)
        now = self.clock.now_ns()
        deadline = now + self.budget_ns + size * 10**9 // BYTES_PER_SECOND
        operation = Operation(
            kind, key, uploaded_ns, secrets.token_hex(8), sha256, deadline, deadline + self.longest_call_ns
        )
        try:
            atomic.put(db, operation.name, json.dumps(asdict(operation)).encode())
        except BaseException:
            self.failed(db, operation)
            raise
        return operation

    def _keep_folder(self, db):
        """Write, once a process, an object that stays in the notes' folder: S3-compatible
        servers that keep objects as files (s3rver) remove a folder its last delete leaves
        empty, and fail a note written into it meanwhile."""
        if not self._folder_kept:
            atomic.put(db, FOLDER_KEEPER, b"")
            self._folder_kept = True

    def cancel(self, db, operation):
        """Forget an operation that wrote nothing. :raise: storage failed (the note is settled later)."""
        try:
            backend_of(db).delete(operation.name)
        except BaseException:
            self.failed(db, operation)
            raise

    @contextmanager
    def completing(self, db, operation):
        """Run the operation's writes, then delete its note, within its budget. Whatever
        fails on the way leaves the note to be settled, and is raised."""
        try:
            yield
            if self.clock.now_ns() >= operation.deadline_ns:
                raise TooSlow()
            backend_of(db).delete(operation.name)
        except BaseException:
            self.failed(db, operation)
            raise

    def failed(self, db, operation):
        """Settle an operation that failed: at once, as far as storage lets us, and again once
        due, in the background, for writes that were still on their way."""
        try:
            self.settle(db, operation)
        except Exception as error:
            log.info("could not settle the %s of %s at once: %s", operation.kind, operation.key, error)
        if self.open_db is None:
            return
        thread = threading.Thread(
            target=self._settle_when_due, args=(operation,), name="imagestore-settle", daemon=True
        )
        thread.start()

    def _settle_when_due(self, operation):
        time.sleep(max(0, operation.settle_ns - self.clock.now_ns()) / 1e9)
        for _ in range(SETTLE_TRIES):
            try:
                with self.open_db() as db:
                    self._settle_note(db, operation.name, operation)
                return
            except Exception as error:
                log.info("could not settle the %s of %s yet: %s", operation.kind, operation.key, error)
                time.sleep(SETTLE_RETRY_SECONDS)

    def finish_delete_of(self, db, key):
        """Finish now an unfinished delete of ``key``, due or not, and return it; None when
        there is none. One listing of the notes, which are few: for a delete that finds no
        image, as a client's second try after a 503 does."""
        for name in list(backend_of(db).keys_in_order(UNFINISHED_PREFIX, "")):
            if name == FOLDER_KEEPER:
                continue
            try:
                operation = Operation.read(db, name)
            except (KeyError, ValueError):
                continue
            if operation.kind == DELETE and operation.key == key:
                self._settle_note(db, name, operation)
                return operation
        return None

    def settle_due(self, db):
        """Settle every operation whose note is due; return how many."""
        backend, now, settled = backend_of(db), self.clock.now_ns(), 0
        for name in backend.keys_in_order(UNFINISHED_PREFIX, ""):
            if not is_due(name, now):
                break
            self._settle_note(db, name)
            settled += 1
        return settled

    def _settle_note(self, db, name, operation=None):
        try:
            operation = operation or Operation.read(db, name)
        except KeyError:
            return
        except ValueError:
            log.warning("deleting a note of an unfinished operation that cannot be read: %s", name)
        else:
            self.settle(db, operation)
            log.info("settled the unfinished %s of %s", operation.kind, operation.key)
        backend_of(db).delete(name)


def is_due(name, now_ns):
    """Whether the note ``name`` is due to be settled at ``now_ns``."""
    stamp = name.removeprefix(UNFINISHED_PREFIX).split("-", 1)[0]
    return stamp.isascii() and stamp.isdigit() and int(stamp) <= now_ns


def digest(data):
    return hashlib.sha256(data).hexdigest()
