"""Writes and checks that CShelve's mapping cannot do well, done beneath it by the
store's backend (``backends``), on values processed as the mapping would
(encrypted, if configured).

``create`` stores a value only if its key is absent, atomically even between
processes; ``put`` replaces a value in one step; ``exists`` asks without
downloading; ``claimable_key`` is the key an upload may create.
"""

from .backends import KeyTaken
from .database import backend_of

__all__ = ["KeyTaken", "claimable_key", "create", "exists", "put"]


def create(db, key, value):
    """Store ``value`` under ``key`` unless the key exists. :raise KeyTaken:"""
    backend_of(db).create(key, _processed(db, value))


def put(db, key, value):
    """``db[key] = value``, never seen half-written by a reader."""
    backend_of(db).put(key, _processed(db, value))


def exists(db, key):
    """Tell whether ``key`` holds a value, without downloading it."""
    return backend_of(db).exists(key)


def claimable_key(db, key):
    """The key an upload that wants ``key`` may create: ``key`` itself, except on S3
    endpoints that ignore conditional writes, where each process adds a tag of its own."""
    return backend_of(db).claimable(key)


def _processed(db, value):
    return db.dict.data_processing.apply_pre_processing(value)
