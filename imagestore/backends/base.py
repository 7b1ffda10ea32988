"""The interface every backend offers; see the package's docstring."""


class KeyTaken(Exception):
    """The key already holds a value."""


class Changed(Exception):
    """What the key holds changed while it was read."""


class Backend:
    """A CShelve provider and what the app does beneath it.

    ``refuses_second_create`` is True where storage itself refuses to create a
    key twice, so that uploads in several processes never overwrite each other.
    ``clock`` is told the store's time whenever storage says it (``clock.py``).
    """

    refuses_second_create = True

    def __init__(self, provider, clock):
        self.provider = provider
        self.clock = clock

    def check_conditional_writes(self):
        """Find out whether storage refuses a second create; here it always does."""

    def sample_clock(self):
        """At start: have storage tell its time, if nothing has yet. Cloud storage says it
        in every answer, such as those of opening the store."""

    def startup_note(self):
        """A line to say at start about this backend's writes, or None."""
        return None

    @staticmethod
    def configured(config, ini_folder):
        """The `.ini`'s ``[default]`` section with its paths taken from ``ini_folder``."""
        return config

    def signed_url(self, key, answer_headers, expires_at, endpoint=None, version=None):
        """A URL a browser fetches ``key`` from, straight from storage, until ``expires_at``,
        answered with ``answer_headers`` (``Content-Type``, ``Content-Disposition``,
        ``Cache-Control``); ``endpoint`` is the storage's address as browsers reach it.
        ``version`` (what the URL serves, as its SHA-256 shortened) is in the URL, so that no
        two versions of a key ever share one. None where storage cannot sign one: the folder and
        memory serve through the app."""
        return None

    def signed_upload(self, key, content_type, size, expires_at, endpoint=None):
        """How a browser sends ``size`` bytes straight into ``key`` until ``expires_at``:
        ``{"method", "url", "headers"}``; None where storage cannot sign it."""
        return None

    def size_of(self, key):
        """The size of what ``key`` holds. :raise KeyError: none."""
        return len(self.provider.get(key.encode()))

    def read_at_most(self, key, length):
        """The first ``length`` bytes of what ``key`` holds, read in one piece, and the size of
        the whole. :raise KeyError: none."""
        raw = self.provider.get(key.encode())
        return raw[:length], len(raw)

    def sizes_in_order(self, prefix, start_after):
        """``(key, size)`` of each key under ``prefix`` after ``start_after``, in name order: of
        what storage holds under it, even what is not complete yet."""
        for key in self.keys_in_order(prefix, start_after):
            try:
                yield key, self.size_of(key)
            except KeyError:
                continue

    def discard(self, key):
        """Delete ``key`` and anything sent towards it that storage holds uncommitted."""
        self.delete(key)

    def claimable(self, key):
        """The key this process may create for an upload that wants ``key``: here ``key`` itself."""
        return key

    def read(self, key):
        """The value ``key`` holds. :raise KeyError: storage says there is none; any other
        failure is raised as it is, never taken for absence."""
        return self.provider.get(key.encode())

    def create(self, key, raw, token=None):
        """Store ``raw`` under ``key`` only if absent, marked with ``token`` where storage
        keeps metadata (``created_with``). :raise KeyTaken:"""
        raise NotImplementedError

    def created_with(self, key, token):
        """Whether ``key`` holds the value a ``create`` marked with ``token`` wrote: True or
        False where storage keeps the mark, None where it keeps none (its creates never
        lose their answer). :raise KeyError: ``key`` holds nothing."""
        if not self.exists(key):
            raise KeyError(key)
        return None

    def put(self, key, raw):
        self.provider.set(key.encode(), raw)

    def exists(self, key):
        return self.provider.contains(key.encode())

    def delete(self, key):
        """Delete ``key``; one already gone is no error."""
        try:
            self.provider.delete(key.encode())
        except (KeyError, FileNotFoundError):
            pass

    def keys_in_order(self, prefix, start_after):
        """Local stores are listed whole and sorted."""
        keys = (key.decode() for key in self.provider.iter())
        return iter(sorted(key for key in keys if key.startswith(prefix) and key > start_after))

    def top_level_keys(self):
        """The keys that hold no ``/``: the originals, without listing what the app keeps
        under its reserved prefix where storage can leave it out."""
        return (key.decode() for key in self.provider.iter() if b"/" not in key)
