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

from .. import store
from ..photos.decoding import Busy

log = logging.getLogger(__name__)


class Readying:
    """What this process knows waits to be made ready, and its worker while it holds the turn,
    which decodes within the app's ``budget`` (``photos.decoding``) and calls ``made(key)``
    after each image it made ready."""

    def __init__(self, clock, per_second, budget, made=lambda key: None):
        self.clock = clock
        self.per_second = per_second
        self.budget = budget
        self.made = made
        self._waiting = None
        self._lock = threading.Lock()
        self._worker = None
        self._until_ns = 0

    @property
    def count(self):
        """How many images wait to be made ready; None until this process has worked it out."""
        waiting = self._waiting
        return None if waiting is None else len(waiting)

    def after_turn(self, db, indexed, added, removed, turn_ends_ns, open_db):
        """This process holds the discovery's turn until ``turn_ends_ns``: the index held
        ``indexed`` entries before the turn found ``added`` and ``removed`` ones. Work out
        what waits, if not yet, and make it ready meanwhile, in a thread of its own."""
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
                if place == len(self._waiting) or self._waiting[place] != key:
                    self._waiting.insert(place, key)

    def gone(self, keys):
        with self._lock:
            if self._waiting is None:
                return
            for key in keys:
                place = bisect.bisect_left(self._waiting, key)
                if place < len(self._waiting) and self._waiting[place] == key:
                    del self._waiting[place]

    def _next(self):
        """The next key to make ready, or None once none waits or the turn is over."""
        with self._lock:
            if not self._waiting or self.clock.now_ns() >= self._until_ns:
                self._worker = None
                return None
            return self._waiting[0]

    def _work(self, open_db):
        try:
            with open_db() as db:
                while (key := self._next()) is not None:
                    started = time.monotonic()
                    if not self._make_ready(db, key):
                        break
                    time.sleep(max(0.0, 1 / self.per_second - (time.monotonic() - started)))
        except Exception as error:
            log.warning("making images other tools put in ready stopped: %s", error)
        with self._lock:
            self._worker = None

    def _make_ready(self, db, key):
        """Make one image ready; False when storage failed, to try again at a later turn."""
        try:
            store.make_ready(db, key, self.budget)
        except KeyError:
            pass
        except Busy:
            return True
        except Exception as error:
            log.warning("could not make %s ready: %s", key, error)
            return False
        self.gone([key])
        self.made(key)
        return True
