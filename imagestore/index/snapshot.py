"""The gallery's order as the store keeps it: a snapshot of every image's place, in
parts of at most ``PART_SIZE``, named by a manifest.

- ``.imagestore/index/parts/TOKEN``: a JSON list of ``[uploaded_ns, key]``, in the
  gallery's order (``order.rank``), never changed once written;
- ``.imagestore/index/manifests/COUNTDOWN-WRITER``: JSON naming the parts in order,
  with the count, first and last entry of each, and ``position_ns``: every change
  in the journal before it is in the snapshot. ``COUNTDOWN`` gets smaller as
  ``position_ns`` grows, so the first manifest listed is the newest.

A process reads the newest manifest and only the parts its pages need, and
brings them up to date from the journal (``view.py``). A new manifest reuses
the parts nothing changed, so writing one costs requests in proportion to the
changes since the last, not to the size of the store.
"""

import json
import logging
import secrets
from dataclasses import dataclass

from .. import atomic, failures
from ..database import backend_of, clock_of
from ..keys import RESERVED_PREFIX
from ..parallel import map_in_threads
from . import order
from .journal import SETTLE_NS
from .order import LATEST_NS

INDEX_PREFIX = RESERVED_PREFIX + "index/"
MANIFEST_PREFIX = INDEX_PREFIX + "manifests/"
PART_PREFIX = INDEX_PREFIX + "parts/"
PART_SIZE = 1000
KEPT_MANIFESTS = 3
WRITING_THREADS = 8
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Part:
    name: str
    count: int
    first: tuple
    last: tuple


@dataclass(frozen=True)
class Manifest:
    """A snapshot of the gallery's order: ``parts`` in order, made of the journal up to
    ``position_ns`` and of a whole listing of the store made at ``listed_ns``."""

    name: str
    position_ns: int
    listed_ns: int
    parts: tuple

    @property
    def total(self):
        return sum(part.count for part in self.parts)


def newest(db):
    """The newest manifest the store holds, or None; one that cannot be read is passed over,
    but a storage failure is raised: it says nothing of the manifest."""
    for name in backend_of(db).keys_in_order(MANIFEST_PREFIX, ""):
        try:
            return _manifest(name, json.loads(db[name]))
        except KeyError:
            continue
        except failures.BACKEND_ERRORS:
            raise
        except Exception as error:
            log.warning("the index manifest %s cannot be read: %s", name, error)
    return None


class PartGone(Exception):
    """A part was deleted: its manifest is old, and the newest should be read instead."""


def read_part(db, part):
    """The entries of ``part``. :raise PartGone: it was deleted."""
    try:
        return [tuple(entry) for entry in json.loads(db[part.name])]
    except KeyError:
        raise PartGone(part.name) from None


def write(db, runs, position_ns, listed_ns, writer):
    """Write a manifest made of ``runs``, in order: each a ``Part`` already stored, or a list
    of entries to store in new parts. Return it, and the new parts' entries by name.

    The parts are written before the manifest that names them, so a reader never
    finds a manifest whose parts are missing.
    """
    layout, new = [], {}
    for run in runs:
        if isinstance(run, Part):
            layout.append(run)
            continue
        for start in range(0, len(run), PART_SIZE):
            entries = run[start : start + PART_SIZE]
            part = Part(PART_PREFIX + secrets.token_hex(8), len(entries), entries[0], entries[-1])
            layout.append(part)
            new[part.name] = entries
    map_in_threads(lambda name: atomic.put(db, name, json.dumps(new[name]).encode()), new, WRITING_THREADS)
    name = f"{MANIFEST_PREFIX}{LATEST_NS - position_ns:020d}-{writer}"
    manifest = Manifest(name, position_ns, listed_ns, tuple(layout))
    atomic.put(db, name, json.dumps(_stored(manifest)).encode())
    return manifest, new


def of_whole_listing(db):
    """List the store whole, and return what ``write`` needs for a snapshot of it:
    the runs, and a position a moment before the listing began, so that every change
    the listing may have missed is read again from the journal."""
    listed_ns = clock_of(db).now_ns()
    entries = order.all_image_entries(db)
    return [entries] if entries else [], listed_ns - SETTLE_NS, listed_ns


def held_in_memory(runs, position_ns, listed_ns):
    """A manifest like ``write``'s for a store that cannot be written to: its parts exist
    only in this process, as returned."""
    entries = [entry for run in runs for entry in run]
    chunks = [entries[start : start + PART_SIZE] for start in range(0, len(entries), PART_SIZE)]
    parts = {f"{PART_PREFIX}in-memory-{number}": chunk for number, chunk in enumerate(chunks)}
    layout = tuple(Part(name, len(chunk), chunk[0], chunk[-1]) for name, chunk in parts.items())
    return Manifest(f"{MANIFEST_PREFIX}in-memory", position_ns, listed_ns, layout), parts


def prune(db, newest_manifest):
    """Delete all but the newest ``KEPT_MANIFESTS`` manifests, and the parts only they name.

    A process still reading a deleted part takes up the newest manifest instead.
    :raise: a manifest that cannot be read, before anything it might name is deleted.
    """
    backend = backend_of(db)
    names = [name for name in backend.keys_in_order(MANIFEST_PREFIX, "") if name != newest_manifest.name]
    kept, old = names[: KEPT_MANIFESTS - 1], names[KEPT_MANIFESTS - 1 :]
    if not old:
        return
    still_named = {part.name for part in newest_manifest.parts}
    for name in kept:
        still_named |= _part_names(db, name)
    for name in old:
        for part in _part_names(db, name) - still_named:
            backend.delete(part)
        backend.delete(name)


def _part_names(db, manifest_name):
    try:
        return {part["name"] for part in json.loads(db[manifest_name])["parts"]}
    except KeyError:
        return set()


def _stored(manifest):
    parts = [
        {"name": part.name, "count": part.count, "first": part.first, "last": part.last}
        for part in manifest.parts
    ]
    return {"position_ns": manifest.position_ns, "listed_ns": manifest.listed_ns, "parts": parts}


def _manifest(name, stored):
    parts = tuple(
        Part(part["name"], part["count"], tuple(part["first"]), tuple(part["last"]))
        for part in stored["parts"]
    )
    return Manifest(name, stored["position_ns"], stored["listed_ns"], parts)
