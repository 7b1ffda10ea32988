"""This process's copy of the store's index, and the work that keeps the index in the
store up to date, done in a thread of its own after a page is answered:

- a store with no index yet (a new one, or one from before 2026-12) is listed
  whole, once, and its index written;
- once the changes laid over the snapshot reach ``max(1000, total / 100)``, a new
  snapshot is written (the parts it needs read without holding up pages), or a
  newer one written by another process taken up;
- once the snapshot's whole listing is older than ``listing_seconds``
  (``IMAGESTORE_LISTING_SECONDS``, a day) and up to a tenth more, drawn by each
  process, the store is listed whole again (markers included), unless another
  process just did: the draw spreads the processes that started together, so
  that the first to list spares the others;
- when this process takes the discovery's turn, the store's originals are listed,
  for the images other tools put in or deleted (``discovery.py``), and those found are
  made ready while the turn lasts (``readying.py``).

Nothing runs while nobody looks at the gallery.
"""

import logging
import random
import threading
import time
from concurrent.futures import Future

from ..database import backend_of
from . import discovery, snapshot
from .view import View

COMPACT_AT_LEAST = 1000
COMPACT_SHARE = 100
LISTING_SPREAD = 0.1
NEWER_CHECK_SECONDS = 60
log = logging.getLogger(__name__)


class KeptIndex:
    """The index as this process sees it (a ``View``), guarded by ``journal.lock``, so that
    changes read from the journal and those made here are applied one at a time."""

    def __init__(self, journal, listing_seconds, discovery, after_turn=None, readying=None):
        self.journal = journal
        self.discovery = discovery
        self.after_turn = after_turn
        self.readying = readying
        self._open_db = None
        self.listing_seconds = listing_seconds * (1 + random.uniform(0, LISTING_SPREAD))
        self._view = None
        self._looked = False
        self._under_way = None
        self._checked_at = time.monotonic()

    @property
    def total(self):
        """The gallery's count, or None before the store's index is read."""
        view = self._view
        return None if view is None else view.total

    @property
    def working(self):
        """Whether work on the index is under way in the background."""
        return self._under_way is not None

    def view(self, db):
        """The view, reading the newest snapshot at first use; None while the store has none."""
        with self.journal.lock:
            if self._view is None and not self._looked:
                manifest = snapshot.newest(db)
                self._looked = True
                if manifest is not None:
                    self._take_up(manifest, {})
            return self._view

    def wait(self, db, open_db):
        """The view, waiting for the store's index to be made if it has none.

        :raise: what listing the store raised.
        """
        view = self.view(db)
        while view is None:
            under_way = self.maintain(open_db)
            if under_way is not None:
                under_way.result()
            view = self.view(db)
        return view

    def forget(self):
        """Drop the view, whose snapshot was deleted; the next use reads the newest."""
        with self.journal.lock:
            self._view, self._looked = None, False

    def maintain(self, open_db):
        """Start what is due in the background (see the module's docstring), unless work is
        under way already. :return: the ``Future`` of the work under way, or None."""
        with self.journal.lock:
            self._open_db = open_db
            if self._under_way is None:
                work = self._due()
                if work is not None:
                    self._under_way = Future()
                    thread = threading.Thread(
                        target=self._run,
                        args=(work, open_db, self._under_way),
                        name="imagestore-index",
                        daemon=True,
                    )
                    thread.start()
            return self._under_way

    def _due(self):
        view = self._view
        if view is None:
            return self._list_whole if self._looked else None
        if view.changes >= max(COMPACT_AT_LEAST, view.total // COMPACT_SHARE):
            return self._write_snapshot
        listed_age = (self.journal.clock.now_ns() - view.manifest.listed_ns) / 1e9
        since_checked = time.monotonic() - self._checked_at
        if listed_age >= self.listing_seconds and since_checked >= min(
            NEWER_CHECK_SECONDS, self.listing_seconds
        ):
            return self._list_again
        if self.discovery.due():
            return self._take_discovery_turn
        return None

    def _run(self, work, open_db, under_way):
        try:
            with open_db() as db:
                work(db)
        except Exception as error:
            log.warning("keeping the store's index failed: %s", error)
            with self.journal.lock:
                self._under_way, self._checked_at = None, time.monotonic()
            under_way.set_exception(error)
            return
        with self.journal.lock:
            self._under_way, self._checked_at = None, time.monotonic()
        under_way.set_result(None)

    def _write_snapshot(self, db):
        """Write the view as a new snapshot, or take up a newer one another process wrote.
        The parts the changes touched are read first, outside the lock, so that pages are
        not held up while they download."""
        if self._took_up_newer(db, lambda newer, ours: newer.position_ns > ours.position_ns):
            return
        with self.journal.lock:
            view = self._view
            if view is None:
                return
            read, missing = view.parts_for_runs()
        read |= {part.name: snapshot.read_part(db, part) for part in missing}
        with self.journal.lock:
            if self._view is not view:
                return
            position_ns, runs = self.journal.read_from_ns, view.runs(db, read)
        self._write(db, runs, position_ns, view.manifest.listed_ns)

    def _take_discovery_turn(self, db):
        try:
            if self.discovery.take_turn(db, self._view.total):
                discovered = self._discover(db)
                if self.after_turn is not None:
                    self.after_turn(db)
                if discovered is not None and self.readying is not None:
                    self.readying.after_turn(db, *discovered, self.discovery.turn_ends_ns, self._open_db)
        except Exception:
            self.discovery.postpone()
            raise

    def discover(self, db, listed=iter):
        """List the store's originals (through ``listed``, which may show progress) and tell
        every process, through the journal, what other tools added and removed.

        The index's entries are taken before the listing, so that an upload that lands
        meanwhile is seen, at worst, as an image another tool added, which its journal
        entry then places (``View.apply``), never as one removed.

        :return: the entries added and removed, or None while the store has no index.
        """
        discovered = self._discover(db, listed)
        return None if discovered is None else discovered[1:]

    def _discover(self, db, listed=iter):
        """``discover``'s work: the entries the index held, and those added and removed."""
        indexed = self._indexed_entries(db)
        if indexed is None:
            return None
        added, removed = discovery.differences(indexed, listed(backend_of(db).top_level_keys()))
        discovery.tell(self.journal, db, added, removed)
        return indexed, added, removed

    def _indexed_entries(self, db):
        """Every entry of the view as it is now; the parts it does not keep are read first,
        outside the lock, so that pages are not held up while they download."""
        with self.journal.lock:
            view = self._view
        if view is None:
            return None
        read = {part.name: snapshot.read_part(db, part) for part in view.parts_not_kept()}
        with self.journal.lock:
            return view.all_entries(db, read)

    def _list_again(self, db):
        if not self._took_up_newer(db, lambda newer, ours: newer.listed_ns > ours.listed_ns):
            self._list_whole(db)

    def _list_whole(self, db):
        """List the store whole and write its index, made of the journal up to a moment
        before the listing began.

        Processes must share one index, for what a listing finds that the journal does not
        say (images other tools changed) differs between two listings: so a first index
        another process wrote meanwhile is taken up instead, and of two written at once,
        each process takes up the newest.
        """
        runs, position_ns, listed_ns = snapshot.of_whole_listing(db)
        if self._view is None and self._took_up_newer(db, lambda newer, ours: True):
            return
        try:
            self._write(db, runs, position_ns, listed_ns)
        except Exception as error:
            log.warning("could not write the store's index, kept in this process only: %s", error)
            self._take_up(*snapshot.held_in_memory(runs, position_ns, listed_ns))
            return
        self._took_up_newer(db, lambda newer, ours: newer.name != ours.name)

    def _write(self, db, runs, position_ns, listed_ns):
        manifest, parts = snapshot.write(db, runs, position_ns, listed_ns, self.journal.writer)
        self._take_up(manifest, parts)
        try:
            snapshot.prune(db, manifest)
        except Exception as error:
            log.warning("could not delete the store's old index snapshots: %s", error)

    def _took_up_newer(self, db, is_newer):
        """Take up the store's newest manifest if ``is_newer(it, this view's)``, or if this
        process has no view yet."""
        newer = snapshot.newest(db)
        with self.journal.lock:
            if newer is None or (self._view is not None and not is_newer(newer, self._view.manifest)):
                return False
            self._take_up(newer, {})
            return True

    def _take_up(self, manifest, parts_read):
        """Use ``manifest`` from now on, and read the journal again from where it was made."""
        with self.journal.lock:
            self._view = View(manifest, parts_read)
            self.journal.read_again_from(manifest.position_ns)
            self.journal.keep_from_ns = manifest.position_ns
