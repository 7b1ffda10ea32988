"""Copy every image of one store to another, with what the app keeps for it, so that the
gallery on the destination is the gallery on the source: keys, names, upload times,
order and bytes the same, across any two of folder, S3 and Azure, encrypted or not
(each side reads and writes through its own CShelve database).

Both stores are listed once, at the start, so that what each holds is known without
a request per object: the listing of the destination is what makes a second run
cheap (one HEAD per image it already holds, in case the image was deleted since),
and writes are still conditional, so an object another writer made since is kept.
Listing costs memory, about 300 bytes per object.

Safe to interrupt and run again: what the destination already holds is not written
again (an image is compared by its record's SHA-256, without downloading it), and a
different image under a key is a conflict, reported and left alone. Each image copied
is written to the destination's journal, so apps serving it show it at once.
"""

import hashlib
import json
from dataclasses import dataclass

from .. import atomic
from ..database import clock_of
from ..index import order
from ..index.journal import Journal
from ..store import KEPT_PREFIXES, METADATA_PREFIX


@dataclass(frozen=True)
class Copied:
    """What became of one image: ``copied``, ``already there`` or ``conflict``."""

    key: str
    verdict: str


class StoreCopy:
    """Copies images from the ``source`` database to the ``destination`` one."""

    def __init__(self, source, destination):
        self.source, self.destination = source, destination
        self.source_keys = list(iter(source))
        self.held = set(iter(destination))
        self.kept_in_source = {key for key in self.source_keys if key.startswith(KEPT_PREFIXES)}
        self.journal = Journal(clock_of(destination), prunes=False)

    def images(self):
        """``(uploaded_ns, key)`` of every image in the source, in the gallery's order, read
        without changing anything (markers of earlier versions are read as they are)."""
        return order.entries_newest_first(self.source_keys)

    def copy(self, entry):
        """Copy one image and what is kept for it; return a ``Copied``.

        The upload marker is written last, after the journal's entry: a copy cut short
        before the marker writes both when run again, so apps serving the destination
        are told of every image, whenever the first run stopped."""
        uploaded_ns, key = entry
        kept = [prefix + key for prefix in KEPT_PREFIXES if prefix + key in self.kept_in_source]
        marker = order.upload_marker(key, uploaded_ns) if uploaded_ns else None
        if key in self.held and not atomic.exists(self.destination, key):
            self.held.difference_update([key, marker, *kept])
        image_written = self._copy_image(key)
        if image_written is None:
            return Copied(key, "conflict")
        written = [image_written] + [self._copy_if_missing(kept_key) for kept_key in kept]
        marker_missing = marker is not None and marker not in self.held
        if not any(written) and not marker_missing:
            return Copied(key, "already there")
        self.journal.record(self.destination, "added", key, uploaded_ns)
        if marker_missing:
            self._create(marker, b"")
        return Copied(key, "copied")

    def _copy_image(self, key):
        """True when the image was written; False when the destination holds the same bytes;
        None when it holds different ones. One deleted from the destination since it was
        listed is written again."""
        if key not in self.held and self._create(key, self.source[key]):
            return True
        try:
            held = self._sha256(self.destination, key)
        except KeyError:
            return True if self._create(key, self.source[key]) else None
        return False if held == self._sha256(self.source, key) else None

    def _copy_if_missing(self, kept_key):
        if kept_key in self.held:
            return False
        try:
            value = self.source[kept_key]
        except KeyError:
            return False
        return self._create(kept_key, value)

    def _create(self, key, value):
        """Write ``key`` unless it is there: True when it was written."""
        try:
            atomic.create(self.destination, key, value)
        except atomic.KeyTaken:
            return False
        return True

    @staticmethod
    def _sha256(db, key):
        """The image's SHA-256, from its record where it has one, else from its bytes."""
        try:
            recorded = json.loads(db[METADATA_PREFIX + key]).get("sha256")
        except (KeyError, ValueError):
            recorded = None
        return recorded or hashlib.sha256(db[key]).hexdigest()
