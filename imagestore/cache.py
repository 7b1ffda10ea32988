"""A bounded in-process cache of the bytes the app serves.

An upload never overwrites a key, so stored bytes never change under a key:
the only way a cached entry goes wrong is that the image is deleted. A delete
through this process drops the entry at once; a delete by another process (or
another tool) is noticed when the entry is next used after ``max_age``
seconds, when the cache asks storage whether the key still exists (without
downloading it). That is the most a cached image can be stale.
"""

import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field

PLACEHOLDER_SECONDS = 300


@dataclass(frozen=True)
class Served:
    """Bytes as they are sent: with their ETag and Content-Type, worked out once."""

    data: bytes
    etag: str
    content_type: str


@dataclass
class _Entry:
    served: Served
    checked_at: float = field(default_factory=time.monotonic)


class ServedCache:
    """Least recently used entries, at most ``max_bytes`` of data in all.

    An entry larger than a quarter of the cache is served but not kept, so one
    huge image cannot push out everything else. However many threads ask for
    a key that is not cached, it is loaded once and they all get that copy.
    """

    def __init__(self, max_bytes, max_age, counted=None):
        """``counted(hit)`` is told of each lookup, whether the cache held it or not."""
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._counted = counted or (lambda hit: None)
        self._entries = OrderedDict()
        self._size = 0
        self._loading = {}
        self._lock = threading.Lock()

    def get(self, key, load, still_exists):
        """Return the cached ``Served`` for ``key``, or ``load()`` it.

        ``still_exists()`` is asked when the entry is older than ``max_age``.
        Whatever ``load`` raises reaches every thread that waited for it.
        """
        served = self._fresh(key, still_exists)
        self._counted(served is not None)
        if served is not None:
            return served
        with self._lock:
            pending = self._loading.get(key)
            loads_it = pending is None
            if loads_it:
                pending = self._loading[key] = Future()
        if not loads_it:
            return pending.result()
        try:
            served = load()
            self._keep(key, served)
            pending.set_result(served)
            return served
        except BaseException as error:
            pending.set_exception(error)
            raise
        finally:
            with self._lock:
                del self._loading[key]

    def holds(self, key):
        with self._lock:
            return key in self._entries

    def forget(self, image_key):
        """Drop what is held of a deleted image: its bytes of every kind and size, the entries
        keyed ``(kind, image_key)``."""
        with self._lock:
            held = [key for key in self._entries if key[1] == image_key]
        self.discard(*held)

    def discard(self, *keys):
        with self._lock:
            for key in keys:
                entry = self._entries.pop(key, None)
                if entry is not None:
                    self._size -= len(entry.served.data)

    @property
    def size(self):
        return self._size

    def _fresh(self, key, still_exists):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            if time.monotonic() - entry.checked_at < self.max_age:
                return entry.served
        if still_exists():
            entry.checked_at = time.monotonic()
            return entry.served
        self.discard(key)
        return None

    def _keep(self, key, served):
        size = len(served.data)
        if size > self.max_bytes / 4:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = _Entry(served)
            self._size += size
            while self._size > self.max_bytes:
                _, oldest = self._entries.popitem(last=False)
                self._size -= len(oldest.served.data)


class RecordCache:
    """Image records (metadata) by key, at most ``max_entries``, least recently used out first.

    A record never changes under its key, so an entry is only ever wrong once its
    image is deleted: ``discard`` it then.
    """

    def __init__(self, max_entries, placeholder_seconds=PLACEHOLDER_SECONDS):
        self.max_entries = max_entries
        self.placeholder_seconds = placeholder_seconds
        self._records = OrderedDict()
        self._placeholders = {}
        self._lock = threading.Lock()

    def read(self, key, load):
        """The record of ``key``, or ``load()`` it; a failed load is not kept, and the
        placeholder of an image not made ready yet (``ready`` False) until it is discarded
        (the journal says it was made ready) or at most ``placeholder_seconds``, in case
        that news was lost."""
        with self._lock:
            record = self._records.get(key)
            if record is not None:
                self._records.move_to_end(key)
                return record
            placeholder, until = self._placeholders.get(key, (None, 0))
            if placeholder is not None and time.monotonic() < until:
                return placeholder
        record = load()
        if record.get("ready") is False:
            with self._lock:
                self._placeholders[key] = record, time.monotonic() + self.placeholder_seconds
                while len(self._placeholders) > self.max_entries:
                    self._placeholders.pop(next(iter(self._placeholders)))
            return record
        with self._lock:
            self._placeholders.pop(key, None)
            self._records[key] = record
            while len(self._records) > self.max_entries:
                self._records.popitem(last=False)
        return record

    @property
    def keeps_placeholders(self):
        """Whether any placeholder is kept, which the journal's ``ready`` entries may drop."""
        return bool(self._placeholders)

    def discard(self, key):
        with self._lock:
            self._records.pop(key, None)
            self._placeholders.pop(key, None)
