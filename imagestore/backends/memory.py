"""The in-memory backend: one dict in this process, listed whole."""

import threading

from .base import Backend, KeyTaken

_lock = threading.Lock()


class Memory(Backend):
    def create(self, key, raw):
        with _lock:
            if key.encode() in self.provider.db:
                raise KeyTaken(key)
            self.provider.db[key.encode()] = raw
