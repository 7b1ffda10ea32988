"""The one seam between views and the CShelve database.

Views call ``get_db()``, and work in a thread of its own ``background_db()``,
and never learn which access mode runs:

- ``single``: the database is opened at its first use in a request and
  closed when the request ends (``app-single-access.py``, ``app.py``).
- ``shared``: the database is opened once when the app starts, shared by all
  request threads, and closed when the process exits
  (``app-shared-access.py``).
"""

import atexit
import logging
import threading
import time
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import cshelve
from cshelve._factory import factory as make_provider
from flask import g

from . import backends, failures
from .clock import StoreClock
from .settings import StartupError, is_encrypted, read_provider
from .state import current

REQUEST_DB = "imagestore_db"  # in ``g``, beside whatever a host app keeps there
log = logging.getLogger(__name__)


class Database:
    """Opens the database an `.ini` describes, on one storage provider kept for the process.

    ``storage_call(operation)``, a context manager, is told of every call to storage;
    ``clock`` is the store's, read from its answers (``clock.py``) on this process's
    ``local_ns``.
    """

    def __init__(self, config_path, timeout, storage_call=None, local_ns=time.time_ns):
        self.config_path = str(config_path)
        self.ini_folder = Path(config_path).parent
        self.storage_call = storage_call or _not_counted
        self.provider = read_provider(config_path)
        self.encrypted = is_encrypted(config_path)
        self.clock = StoreClock(local_ns)
        self.network_settings = backends.client_settings(self.provider, timeout, self.clock)
        self._kept = None
        self._lock = threading.Lock()

    def open(self):
        return cshelve.open(
            self.config_path, provider_params=self.network_settings, factory=self._kept_provider
        )

    @property
    def backend(self):
        """What the app does beneath CShelve on this store (``backends``), once opened."""
        return self._kept.backend

    def close(self):
        """At shutdown: close the kept provider and its SDK client."""
        with self._lock:
            kept, self._kept = self._kept, None
        if kept is not None:
            _close_quietly(kept.provider)

    def _kept_provider(self, logger, name):
        with self._lock:
            if self._kept is None:
                provider = make_provider(logger, name)
                self._kept = KeptProvider(provider, self.storage_call, self.clock, self.ini_folder)
            return self._kept


class KeptProvider:
    """A CShelve storage provider that outlives the databases opened on it.

    CShelve makes a provider, and with it an SDK client, for each database it
    opens, then asks storage whether the bucket or container exists: on S3
    more CPU and time than downloading an image. Each open here is still a
    new database, closed after its request, but the provider is made and
    configured once, as a database engine keeps its pool across sessions, and
    the store is known to exist once storage has said so. Providers are thread-safe:
    shared access shares one across all request threads.
    """

    def __init__(self, provider, storage_call=None, clock=None, ini_folder="."):
        self.provider = provider
        self.ini_folder = ini_folder
        self.storage_call = storage_call or _not_counted
        self.clock = clock or StoreClock()
        self._configured = False
        self._store_exists = False

    @cached_property
    def backend(self):
        """What the app does beneath CShelve on this provider (``backends``)."""
        return backends.Observed(self._beneath, self.storage_call)

    @cached_property
    def _beneath(self):
        return backends.for_provider(self.provider, self.clock)

    def configure_logging(self, config):
        if not self._configured:
            self.provider.configure_logging(config)

    def configure_default(self, config):
        if not self._configured:
            self.provider.configure_default(backends.configured(self.provider, config, self.ini_folder))

    def set_provider_params(self, provider_params):
        """The last step of configuring: CShelve 1.6 calls it after the other two."""
        if not self._configured:
            self.provider.set_provider_params(provider_params)
            self._configured = True

    def exists(self):
        if not self._store_exists:
            with self.storage_call("store_exists"):
                self._store_exists = self.provider.exists()
        return self._store_exists

    def create(self):
        """Create the store, unless another process (a second gunicorn worker) just did."""
        try:
            self.provider.create()
        except Exception:
            if not self.provider.exists():
                raise
        self._store_exists = True

    def get(self, key):
        """Through the backend, for which "not found" alone is a missing key: CShelve's S3
        provider takes any failure for one."""
        with self.storage_call("get"), _missing_as_key_error(key):
            return self._beneath.read(key.decode())

    def set(self, key, value):
        with self.storage_call("put"):
            self.provider.set(key, value)

    def delete(self, key):
        with self.storage_call("delete"), _missing_as_key_error(key):
            self.provider.delete(key)

    def contains(self, key):
        with self.storage_call("exists"):
            return self._beneath.exists(key.decode())

    def iter(self):
        with self.storage_call("list"):
            yield from self.provider.iter()

    def close(self):
        """Closing a database leaves the provider open for the next one."""

    def __getattr__(self, name):
        return getattr(self.provider, name)


@contextmanager
def _missing_as_key_error(key):
    """The filesystem provider says "no such key" with these when a key is a folder, or runs
    through a file (``a.png`` exists and ``a.png/b.png`` is asked for); say it as every
    provider does."""
    try:
        yield
    except (IsADirectoryError, NotADirectoryError):
        raise KeyError(key) from None


def backend_of(db):
    """The backend beneath a database that ``Database`` opened."""
    return db.dict.db.backend


def clock_of(db):
    """The store's clock (``clock.py``), as the process that opened ``db`` reads it."""
    return db.dict.db.clock


class SingleAccess:
    """Open the database around every request that uses it."""

    def __init__(self, database):
        self.database = database
        _close_quietly(_open_or_explain(database))

    def get(self):
        if REQUEST_DB not in g:
            setattr(g, REQUEST_DB, self.database.open())
        return g.get(REQUEST_DB)

    @contextmanager
    def outside_request(self):
        db = self.database.open()
        try:
            yield db
        finally:
            _close_quietly(db)

    def end_request(self, exception=None):
        db = g.pop(REQUEST_DB, None)
        if db is not None:
            _close_quietly(db)

    def close(self):
        self.database.close()


class SharedAccess:
    """Open the database once and share it across request threads."""

    def __init__(self, database):
        self.database = database
        self.db = _open_or_explain(database)
        atexit.register(self.close)

    def get(self):
        return self.db

    @contextmanager
    def outside_request(self):
        yield self.db

    def end_request(self, exception=None):
        pass

    def close(self):
        if self.db is not None:
            _close_quietly(self.db)
            self.db = None
        self.database.close()


ACCESS_MODES = {"single": SingleAccess, "shared": SharedAccess}


@contextmanager
def _not_counted(operation):
    yield


def open_access(config_path, access, settings, storage_call=None):
    """Open the database in the chosen access mode, for views to reach through ``get_db``;
    the app calls its ``end_request`` as each request ends.

    :raise StartupError: the `.ini` is unusable or the backend does not answer.
    """
    if access not in ACCESS_MODES:
        raise StartupError(f"access mode {access!r} is not one of {', '.join(ACCESS_MODES)}")
    database = Database(config_path, settings["STORAGE_TIMEOUT"], storage_call, settings["CLOCK"])
    return ACCESS_MODES[access](database)


def get_db():
    """Return the database for this request, in whichever mode the app runs."""
    return current().access.get()


def background_db():
    """Return a context manager that gives a database to a thread working outside any
    request, in whichever mode the app runs. Ask for it within a request."""
    return current().access.outside_request


def _open_or_explain(database):
    """Open the database, and find out once what its storage does with a second create."""
    try:
        db = database.open()
    except failures.BACKEND_ERRORS as error:
        raise _unusable(database, error) from None
    try:
        database.backend.check_conditional_writes()
        database.backend.sample_clock()
    except failures.BACKEND_ERRORS as error:
        _close_quietly(db)
        raise _unusable(database, error) from None
    return db


def _unusable(database, error):
    return StartupError(f"{database.config_path} ({database.provider}): {failures.describe(error)}")


def _close_quietly(closable):
    """Closing must never turn a served request, or a shutdown, into an error."""
    try:
        closable.close()
    except Exception:
        log.warning("closing storage failed", exc_info=True)
