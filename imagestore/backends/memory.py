"""The in-memory backend: one dict in this process, listed whole. Its clock is the
machine's, which it tells at every write."""

import threading
import time

from .base import Backend, KeyTaken

_lock = threading.Lock()


class Memory(Backend):
    def sample_clock(self):
        sent = self.clock.local_ns()
        now = time.time_ns()
        self.clock.observe(now, now, sent, self.clock.local_ns())

    def create(self, key, raw, token=None):
        self.sample_clock()
        with _lock:
            if key.encode() in self.provider.db:
                raise KeyTaken(key)
            self.provider.db[key.encode()] = raw

    def put(self, key, raw):
        self.sample_clock()
        super().put(key, raw)
