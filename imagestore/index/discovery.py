"""Images other tools put into the store or took out (``aws s3 sync``, ``azcopy``, ``cp``),
found by listing the store's originals, and told to every process through the journal.

The journal tells every process what went through the app; what another tool did
only a listing shows. An original's key holds no ``/``, so listing the top level
(``Backend.top_level_keys``) lists the originals alone, one request per 1,000,
never what the app keeps under its reserved prefix. What the listing and the
index disagree on becomes one journal entry (``Journal.record_found``), which
every process reads at its next page: images added, placed after the uploads by
name, as before, with records and previews made on first view; images gone.

Processes take turns, so that the store is listed by one process at a time
whatever their number: turn N is ``.imagestore/discovery/turns/COUNTDOWN(N)``,
written only if absent, holding when it ends on the store's clock
(``clock.py``), so that no process takes a turn early because its own clock runs
ahead, nor holds one for long because its own runs behind. The process that
writes it lists the store; the others wait for its end. A turn lasts
``turn_seconds``: long enough that the listings of a whole hour make at most
``lists_per_hour`` requests, and at least ``shortest_seconds``. A store of up
to 10,000 images is listed every 30 s (the default), one of 100,000 every 5
minutes, one of a million every 50 minutes: 1,200 LISTs an hour in each case.
On endpoints that ignore conditional writes, two processes may take one turn and
both list: it costs twice as much, and finds the same.

Nothing happens while nobody looks: a turn is taken after a page view.
"""

import json
import math
import secrets
from dataclasses import dataclass

from .. import atomic
from ..database import backend_of
from ..keys import RESERVED_PREFIX, is_servable_key

TURN_PREFIX = RESERVED_PREFIX + "discovery/turns/"
LATEST_TURN = 10**12 - 1
KEPT_TURNS = 3
KEYS_PER_LIST = 1000
FOUND_PER_ENTRY = 10_000
MOST_TURNS_LOOKED_AT = 10


@dataclass(frozen=True)
class Turn:
    number: int
    ends_ns: int


def turn_seconds(images, shortest_seconds, lists_per_hour):
    """How long a turn lasts on a store of ``images``: the listings of an hour stay within
    ``lists_per_hour`` requests."""
    lists = max(1, math.ceil(images / KEYS_PER_LIST))
    return max(shortest_seconds, lists * 3600 / lists_per_hour)


class Discovery:
    """This process's part in the turns."""

    def __init__(self, clock, shortest_seconds, lists_per_hour):
        self.clock = clock
        self.shortest_seconds = shortest_seconds
        self.lists_per_hour = lists_per_hour
        self.writer = secrets.token_hex(4)
        self._turn = None

    def due(self):
        """Whether the turn this process knows of has ended (or it knows of none yet); never
        with ``shortest_seconds`` 0, which turns discovery off."""
        if not self.shortest_seconds:
            return False
        return self._turn is None or self.clock.now_ns() >= self._turn.ends_ns

    def take_turn(self, db, images):
        """Take the next turn if it is free and due; return whether this process took it."""
        if self._turn is None:
            self._turn = _newest_turn(db) or Turn(-1, 0)
        for _ in range(MOST_TURNS_LOOKED_AT):
            if self.clock.now_ns() < self._turn.ends_ns:
                return False
            number = self._turn.number + 1
            taken = _read_turn(db, number)
            if taken is not None:
                self._turn = taken
                continue
            seconds = turn_seconds(images, self.shortest_seconds, self.lists_per_hour)
            turn = Turn(number, self.clock.now_ns() + int(seconds * 10**9))
            try:
                atomic.create(db, _turn_name(number), json.dumps(_stored(turn, self.writer)).encode())
            except atomic.KeyTaken:
                self._turn = _read_turn(db, number) or turn
                continue
            self._turn = turn
            if number >= KEPT_TURNS:
                backend_of(db).delete(_turn_name(number - KEPT_TURNS))
            return True
        return False

    @property
    def turn_ends_ns(self):
        """When the turn this process knows of ends, on the store's clock."""
        return 0 if self._turn is None else self._turn.ends_ns

    def postpone(self):
        """After a failure: try again once the shortest turn has passed, not at every page."""
        number = -1 if self._turn is None else self._turn.number
        self._turn = Turn(number, self.clock.now_ns() + int(self.shortest_seconds * 10**9))


def differences(indexed_entries, listed_keys):
    """What a listing shows that the index does not: entries ``[uploaded_ns, key]`` added
    (0: put in by another tool) and removed."""
    indexed = {key: uploaded_ns for uploaded_ns, key in indexed_entries}
    listed = {key for key in listed_keys if is_servable_key(key)}
    added = sorted([0, key] for key in listed - indexed.keys())
    removed = sorted([indexed[key], key] for key in indexed.keys() - listed)
    return added, removed


def tell(journal, db, added, removed):
    """Write what was found to the journal, in entries of at most ``FOUND_PER_ENTRY`` images."""
    changes = [("added", entry) for entry in added] + [("removed", entry) for entry in removed]
    for start in range(0, len(changes), FOUND_PER_ENTRY):
        chunk = changes[start : start + FOUND_PER_ENTRY]
        journal.record_found(
            db, [entry for change, entry in chunk if change == "added"],
            [entry for change, entry in chunk if change == "removed"],
        )  # fmt: skip


def _turn_name(number):
    return f"{TURN_PREFIX}{LATEST_TURN - number:012d}"


def _newest_turn(db):
    for name in backend_of(db).keys_in_order(TURN_PREFIX, ""):
        digits = name.removeprefix(TURN_PREFIX)
        if digits.isascii() and digits.isdigit():
            return _read_turn(db, LATEST_TURN - int(digits))
    return None


def _read_turn(db, number):
    """Turn ``number``, None while nobody took it; one that cannot be read is over."""
    try:
        stored = db[_turn_name(number)]
    except KeyError:
        return None
    try:
        return Turn(number, int(json.loads(stored)["ends_ns"]))
    except (ValueError, TypeError, KeyError):
        return Turn(number, 0)


def _stored(turn, writer):
    return {"ends_ns": turn.ends_ns, "writer": writer}
