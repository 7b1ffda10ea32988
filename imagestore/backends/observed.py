"""A backend whose every call to storage is counted and timed (``metrics``)."""


class Observed:
    """Wraps a backend; ``storage_call(operation)`` is a context manager around each call."""

    def __init__(self, backend, storage_call):
        self._backend = backend
        self._storage_call = storage_call

    def check_conditional_writes(self):
        with self._storage_call("probe"):
            self._backend.check_conditional_writes()

    def create(self, key, raw, token=None):
        with self._storage_call("create"):
            self._backend.create(key, raw, token)

    def created_with(self, key, token):
        with self._storage_call("exists"):
            return self._backend.created_with(key, token)

    def put(self, key, raw):
        with self._storage_call("put"):
            self._backend.put(key, raw)

    def exists(self, key):
        with self._storage_call("exists"):
            return self._backend.exists(key)

    def read_at_most(self, key, length):
        with self._storage_call("get"):
            return self._backend.read_at_most(key, length)

    def sizes_in_order(self, prefix, start_after):
        with self._storage_call("list"):
            yield from self._backend.sizes_in_order(prefix, start_after)

    def discard(self, key):
        with self._storage_call("delete"):
            self._backend.discard(key)

    def delete(self, key):
        with self._storage_call("delete"):
            self._backend.delete(key)

    def sample_clock(self):
        with self._storage_call("probe"):
            self._backend.sample_clock()

    def top_level_keys(self):
        with self._storage_call("list"):
            yield from self._backend.top_level_keys()

    def keys_in_order(self, prefix, start_after):
        with self._storage_call("list"):
            yield from self._backend.keys_in_order(prefix, start_after)

    def __getattr__(self, name):
        return getattr(self._backend, name)
