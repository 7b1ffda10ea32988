"""What CShelve's mapping cannot do well, done per provider.

``db[key] = value`` silently overwrites, the filesystem provider writes a file
in place, so a reader in another thread or process can see half of it, and
``key in db`` downloads the whole value (the mapping has no ``__contains__``).
``create`` stores a value only if its key is absent, atomically even between
processes; ``put`` replaces a value in one step; ``exists`` asks without
downloading. They reach beneath the mapping to the provider, after applying
CShelve's own processing (encryption, if configured) to values, as the mapping
would.
"""

import os
import tempfile
import threading
from pathlib import Path

from azure.core.exceptions import ResourceExistsError
from botocore.exceptions import ClientError
from cshelve._aws_s3 import AwsS3
from cshelve._azure_blob_storage import AzureBlobStorage
from cshelve._filesystem import FileSystem
from cshelve._in_memory import InMemory

from .database import provider_of
from .keys import RESERVED_PREFIX

SCRATCH_FOLDER = RESERVED_PREFIX + "incoming"
S3_KEY_EXISTS = ("PreconditionFailed", "ConditionalRequestConflict")
_in_memory_lock = threading.Lock()


class KeyTaken(Exception):
    """The key already holds a value."""


def create(db, key, value):
    """Store ``value`` under ``key`` unless the key exists. :raise KeyTaken:"""
    provider, raw = provider_of(db), _processed(db, value)
    if isinstance(provider, AwsS3):
        _create_s3(provider, key, raw)
    elif isinstance(provider, AzureBlobStorage):
        _create_azure(provider, key, raw)
    elif isinstance(provider, FileSystem):
        _write_file(provider, key, raw, exclusive=True)
    elif isinstance(provider, InMemory):
        with _in_memory_lock:
            if key.encode() in provider.db:
                raise KeyTaken(key)
            provider.db[key.encode()] = raw
    else:
        raise TypeError(f"no atomic create for {type(provider).__name__}")


def exists(db, key):
    """Tell whether ``key`` holds a value, without downloading it."""
    return provider_of(db).contains(key.encode())


def put(db, key, value):
    """``db[key] = value``, never seen half-written by a reader."""
    provider = provider_of(db)
    if isinstance(provider, FileSystem):
        _write_file(provider, key, _processed(db, value), exclusive=False)
    else:
        db[key] = value


def _processed(db, value):
    """``value`` as CShelve would store it (encrypted, if configured)."""
    return db.dict.data_processing.apply_pre_processing(value)


def _create_s3(provider, key, raw):
    try:
        provider.s3.put_object(Bucket=provider.bucket_name, Key=key, Body=raw, IfNoneMatch="*")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in S3_KEY_EXISTS:
            raise KeyTaken(key) from None
        raise


def _create_azure(provider, key, raw):
    try:
        provider.container_client.upload_blob(key, raw, overwrite=False, length=len(raw))
    except ResourceExistsError:
        raise KeyTaken(key) from None


def _write_file(provider, key, raw, exclusive):
    """Write a scratch file beside the store, then link it in (exclusive) or rename it over."""
    root = Path(provider.folder_path)
    target = root / key
    scratch = root / SCRATCH_FOLDER
    scratch.mkdir(parents=True, exist_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=scratch)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        if exclusive:
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise KeyTaken(key) from None
        else:
            os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
