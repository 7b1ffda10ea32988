"""Writes and checks that CShelve's mapping cannot do well, done beneath it by the
store's backend (``backends``), on values processed as the mapping would
(encrypted, if configured).

``create`` stores a value only if its key is absent, atomically even between
processes; ``put`` replaces a value in one step; ``exists`` asks without
downloading; ``claimable_key`` is the key an upload may create.
"""

from .backends import KeyTaken
from .database import backend_of

__all__ = ["KeyTaken", "claimable_key", "create", "created_with", "exists", "put"]


def create(db, key, value, token=None):
    """Store ``value`` under ``key`` unless the key exists. :raise KeyTaken:

    With a ``token``, a create whose answer was lost and that storage refused when the
    SDK sent it again is told from one refused because another wrote the key first:
    the key holds what this create wrote, marked with the token.
    """
    backend = backend_of(db)
    try:
        backend.create(key, _processed(db, value), token)
    except KeyTaken:
        if token is None or not _created_with(backend, key, token):
            raise


def _created_with(backend, key, token):
    try:
        return backend.created_with(key, token)
    except KeyError:
        return False


def put(db, key, value):
    """``db[key] = value``, never seen half-written by a reader."""
    backend_of(db).put(key, _processed(db, value))


def created_with(db, key, token):
    """Whether ``key`` holds what a create marked with ``token`` wrote; None where storage
    keeps no such mark. :raise KeyError: ``key`` holds nothing."""
    return backend_of(db).created_with(key, token)


def exists(db, key):
    """Tell whether ``key`` holds a value, without downloading it."""
    return backend_of(db).exists(key)


def claimable_key(db, key):
    """The key an upload that wants ``key`` may create: ``key`` itself, except on S3
    endpoints that ignore conditional writes, where each process adds a tag of its own."""
    return backend_of(db).claimable(key)


def _processed(db, value):
    return db.dict.data_processing.apply_pre_processing(value)
