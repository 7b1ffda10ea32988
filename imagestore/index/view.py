"""The gallery's order in one process: the store's snapshot (``snapshot.py``), with the
changes made since it was written, read from the journal.

The snapshot is read a part at a time, as pages need it; the changes since are
few, kept apart (images added that the snapshot does not hold, and images it
holds that were removed), and laid over the parts when a page is shown. So
page 300 costs what page 1 does, and the count is the snapshot's plus what
came and went since.

A change can be made twice (a process reads the journal again from where a new
snapshot was made): adding what is there, or removing what is not, does nothing.
"""

import bisect
import itertools
from collections import OrderedDict

from . import snapshot
from .order import rank

KEPT_PARTS = 64


class View:
    """Image entries ``(uploaded_ns, key)`` in the gallery's order, from ``manifest``'s parts
    (read from ``db`` as they are needed, up to ``KEPT_PARTS`` kept, and ``parts_read`` by
    name already) and the changes applied since."""

    def __init__(self, manifest, parts_read=None):
        self.manifest = manifest
        self._parts = OrderedDict(parts_read or {})
        self._lasts = [rank(part.last) for part in manifest.parts]
        self._added, self._removed = set(), set()
        self._added_keys = {}
        self._layout = None
        self._merged = {}

    @property
    def total(self):
        return self.manifest.total + len(self._added) - len(self._removed)

    @property
    def changes(self):
        """How many changes lie over the snapshot."""
        return len(self._added) + len(self._removed)

    def apply(self, db, change, entry):
        """An image ``added`` or ``removed``; an entry whose ``uploaded_ns`` is None is
        looked for by key.

        A listing made while an image was uploaded may have seen the image but not its
        marker or journal entry (written last), and so hold it as put in by another tool
        (``(0, key)``): a change with the upload time replaces that entry, and such an
        entry read after the upload's is not added beside it.
        """
        if entry[0] is None:
            entry = self._entry_of_key(db, entry[1])
            if entry is None:
                return
        if entry[0]:
            self._apply_removal(db, (0, entry[1]))
        if change == "removed":
            self._apply_removal(db, entry)
        elif entry in self._removed:
            self._removed.discard(entry)
        elif entry[0] == 0 and entry[1] in self._added_keys:
            return
        elif entry not in self._added and not self._holds(db, entry):
            self._add(entry)
        self._layout = None

    def _apply_removal(self, db, entry):
        if entry in self._added:
            self._added.discard(entry)
            self._added_keys.pop(entry[1], None)
        elif entry not in self._removed and self._holds(db, entry):
            self._removed.add(entry)
        self._layout = None

    def _add(self, entry):
        self._added.add(entry)
        self._added_keys[entry[1]] = entry

    def entries(self, db, start, count):
        """The entries from place ``start`` (0 is the newest), at most ``count`` of them."""
        sizes, ends = self._sizes()
        shown = []
        for index in range(bisect.bisect_right(ends, start), len(sizes)):
            begins = ends[index] - sizes[index]
            shown += self._bucket(db, index)[max(0, start - begins) : start + count - begins]
            if ends[index] >= start + count:
                break
        return shown

    def all_entries(self, db, read=None):
        """Every entry, in order, the parts taken from ``read`` (entries by part name) where
        they were read already."""
        return [
            entry for index in range(len(self.manifest.parts) + 1) for entry in self._bucket(db, index, read)
        ]

    def parts_not_kept(self):
        """The parts this view would have to read to show every page."""
        return [part for part in self.manifest.parts if part.name not in self._parts]

    def parts_for_runs(self):
        """What a new snapshot needs of the parts changes touched (``runs``): the entries of
        those this view keeps, by part name, and the parts it has still to read."""
        added, removed = self._by_bucket()
        touched = [part for n, part in enumerate(self.manifest.parts) if added[n] or removed[n]]
        kept = {part.name: self._parts[part.name] for part in touched if part.name in self._parts}
        return kept, [part for part in touched if part.name not in kept]

    def runs(self, db, read=None):
        """What a new snapshot of this view is made of (``snapshot.write``): the parts no
        change touched, and, between them, the entries of those changes touched, taken from
        ``read`` (entries by part name) where they were read already."""
        added, removed = self._by_bucket()
        runs = []
        for index in range(len(self.manifest.parts) + 1):
            if index < len(self.manifest.parts) and not added[index] and not removed[index]:
                runs.append(self.manifest.parts[index])
                continue
            entries = self._bucket(db, index, read)
            if runs and isinstance(runs[-1], list):
                runs[-1] += entries
            elif entries:
                runs.append(list(entries))
        return runs

    def _bucket(self, db, index, read=None):
        """The entries of part ``index`` as they are now, with the images added that come
        between it and the part before; the last index is for those after every part."""
        added, removed = self._by_bucket()
        held = []
        if index < len(self.manifest.parts):
            name = self.manifest.parts[index].name
            held = read[name] if read and name in read else self._entries_of(db, index)
        if not added[index] and not removed[index]:
            return held
        merged = self._merged.get(index)
        if merged is None:
            merged = sorted([entry for entry in held if entry not in removed[index]] + added[index], key=rank)
            self._merged[index] = merged
        return merged

    def _sizes(self):
        added, removed = self._by_bucket()
        counts = [part.count for part in self.manifest.parts] + [0]
        sizes = [count + len(added[n]) - len(removed[n]) for n, count in enumerate(counts)]
        return sizes, list(itertools.accumulate(sizes))

    def _by_bucket(self):
        """The changes by the part they fall in, worked out again after each change, and with
        them the parts as the changes leave them (``_merged``), sorted once, not at each page:
        images other tools put in, thousands at a time, fall in one part."""
        if self._layout is None:
            self._merged = {}
            buckets = len(self.manifest.parts) + 1
            added, removed = [[] for _ in range(buckets)], [set() for _ in range(buckets)]
            for entry in self._added:
                added[self._place(entry)].append(entry)
            for entry in self._removed:
                removed[self._place(entry)].add(entry)
            self._layout = added, removed
        return self._layout

    def _place(self, entry):
        """The index of the part that holds, or would hold, ``entry``."""
        return bisect.bisect_left(self._lasts, rank(entry))

    def _holds(self, db, entry):
        if entry[0] == 0 and not self._holds_others_images():
            return False
        index = self._place(entry)
        if index == len(self.manifest.parts) or rank(entry) < rank(self.manifest.parts[index].first):
            return False
        return entry in self._entries_of(db, index)

    def _holds_others_images(self):
        """Whether the snapshot holds images other tools put in (no upload time): they come last."""
        return bool(self.manifest.parts) and self.manifest.parts[-1].last[0] == 0

    def _entry_of_key(self, db, key):
        """The entry of ``key`` among the changes, or else in the snapshot: first as an image
        another tool put in, else read whole."""
        if key in self._added_keys:
            return self._added_keys[key]
        if self._holds(db, (0, key)):
            return 0, key
        for index in range(len(self.manifest.parts)):
            for entry in self._entries_of(db, index):
                if entry[1] == key:
                    return entry
        return None

    def _entries_of(self, db, index):
        part = self.manifest.parts[index]
        entries = self._parts.get(part.name)
        if entries is None:
            entries = snapshot.read_part(db, part)
            self._parts[part.name] = entries
            while len(self._parts) > KEPT_PARTS:
                self._parts.popitem(last=False)
        else:
            self._parts.move_to_end(part.name)
        return entries
