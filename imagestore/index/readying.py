"""Images other tools put in (``aws s3 sync``, ``azcopy``, ``cp``), made ready in the
background: their record and thumbnail, from one read of each original
(``store.make_ready``), so that a page of them costs what a page of uploads costs and
never downloads an original (a page shows one not ready yet by its name alone).

One process at a time does it: the one that holds the discovery's turn
(``discovery.py``), until the turn ends, at most ``per_second`` images a second, in
the gallery's order (images other tools put in come after the uploads, by name). When
it first holds a turn, it works out what waits: the index's images other tools put in
(``uploaded_ns`` 0) that have no record, from one listing of the records; then it adds
what each of its turns finds. Another process that takes a later turn works it out
for itself, so the work goes on whichever process holds the turn.
"""

import bisect
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from .. import store
from ..photos.decoding import Busy

log = logging.getLogger(__name__)


READYING_THREADS = 4
ANNOUNCE_EVERY_SECONDS = 1.0


class Readying:
    """What this process knows waits to be made ready, and its workers while it holds the
    turn, which decode within the app's ``budget`` (``photos.decoding``). What they made
    ready is announced with ``announce(db, keys)`` (the journal's ``ready`` entries, from
    which every process learns to read those records), at most once a second."""

    def __init__(self, clock, per_second, budget, announce=lambda db, keys: None):
        self.clock = clock
        self.per_second = per_second
        self.budget = budget
        self.announce = announce
        self._waiting = None
        self._taken = set()
        self._lock = threading.Lock()
        self._worker = None
        self._until_ns = 0

    @property
    def count(self):
        """How many images wait to be made ready; None until this process has worked it out."""
        waiting = self._waiting
        return None if waiting is None else len(waiting) + len(self._taken)

    def after_turn(self, db, indexed, added, removed, turn_ends_ns, open_db):
        """This process holds the discovery's turn until ``turn_ends_ns``: the index held
        ``indexed`` entries before the turn found ``added`` and ``removed`` ones. Work out
        what waits, if not yet, and make it ready meanwhile, in threads of their own."""
        if not self.per_second:
            return
        if self._waiting is None:
            found = {key for uploaded_ns, key in [*indexed, *added] if not uploaded_ns}
            ready = store.keys_with_records(db)
            with self._lock:
                self._waiting = sorted(found - ready)
        else:
            self.found([key for uploaded_ns, key in added if not uploaded_ns])
        self.gone([key for _, key in removed])
        with self._lock:
            self._until_ns = turn_ends_ns
            if self._worker is None and self._waiting:
                self._worker = threading.Thread(
                    target=self._work, args=(open_db,), name="imagestore-readying", daemon=True
                )
                self._worker.start()

    def found(self, keys):
        with self._lock:
            if self._waiting is None:
                return
            for key in keys:
                place = bisect.bisect_left(self._waiting, key)
                if key not in self._taken and (place == len(self._waiting) or self._waiting[place] != key):
                    self._waiting.insert(place, key)

    def gone(self, keys):
        with self._lock:
            if self._waiting is None:
                return
            for key in keys:
                self._taken.discard(key)
                place = bisect.bisect_left(self._waiting, key)
                if place < len(self._waiting) and self._waiting[place] == key:
                    del self._waiting[place]

    def _take_next(self):
        """The next key to make ready, taken off the waiting list; None once none waits or
        the turn is over."""
        with self._lock:
            if not self._waiting or self.clock.now_ns() >= self._until_ns:
                return None
            key = self._waiting.pop(0)
            self._taken.add(key)
            return key

    def _put_back(self, key):
        with self._lock:
            self._taken.discard(key)
        self.found([key])

    def _work(self, open_db):
        """Start an image every ``1 / per_second`` seconds, on at most ``READYING_THREADS`` at
        once, until none waits, the turn ends, or storage fails."""
        made, failed = _Made(self.announce), threading.Event()
        try:
            with open_db() as db:
                with ThreadPoolExecutor(READYING_THREADS) as pool:
                    running = threading.Semaphore(READYING_THREADS)
                    while not failed.is_set() and (key := self._take_next()) is not None:
                        started = time.monotonic()
                        running.acquire()
                        pool.submit(self._make_ready_in_thread, db, key, made, failed, running)
                        time.sleep(max(0.0, 1 / self.per_second - (time.monotonic() - started)))
                made.announce_now(db)
        except Exception as error:
            log.warning("making images other tools put in ready stopped: %s", error)
        with self._lock:
            self._worker = None

    def _make_ready_in_thread(self, db, key, made, failed, running):
        try:
            if self._make_ready(db, key):
                made.add(db, key)
            else:
                failed.set()
        finally:
            running.release()

    def _make_ready(self, db, key):
        """Make one image ready; False when storage failed, to try again at a later turn."""
        try:
            store.make_ready(db, key, self.budget)
        except KeyError:
            pass
        except Busy:
            self._put_back(key)
            return True
        except Exception as error:
            log.warning("could not make %s ready: %s", key, error)
            self._put_back(key)
            return False
        self.gone([key])
        return True


class _Made:
    """Keys made ready, announced in one journal entry a second rather than one an image."""

    def __init__(self, announce):
        self._announce = announce
        self._keys = []
        self._announced_at = time.monotonic()
        self._lock = threading.Lock()

    def add(self, db, key):
        with self._lock:
            self._keys.append(key)
            if time.monotonic() - self._announced_at < ANNOUNCE_EVERY_SECONDS:
                return
            keys, self._keys, self._announced_at = self._keys, [], time.monotonic()
        self._announce(db, keys)

    def announce_now(self, db):
        with self._lock:
            keys, self._keys = self._keys, []
        if keys:
            self._announce(db, keys)
