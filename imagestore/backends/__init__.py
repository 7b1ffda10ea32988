"""What CShelve's providers cannot do well, done per backend: one module each.

``db[key] = value`` silently overwrites, the filesystem provider writes a file
in place, so a reader in another thread or process can see half of it, ``key
in db`` downloads the whole value, and listing gives every key in the store at
once. Each backend here wraps one CShelve provider and offers:

- ``create(key, raw)``: store ``raw`` only if ``key`` is absent, atomically
  between threads, and between processes where storage allows it;
  :raise KeyTaken: otherwise;
- ``put(key, raw)``: replace a value in one step, never seen half-written;
- ``exists(key)``: ask without downloading;
- ``keys_in_order(prefix, start_after)``: keys in name order, a few at a time;
- ``top_level_keys()``: the keys that hold no ``/`` (the originals), without the
  reserved prefix's where storage can leave them out;
- ``check_conditional_writes()``: find out, once, whether storage refuses a
  second create of one key (``refuses_second_create``);
- ``sample_clock()``: have storage tell its time, for the store's clock.

Values are bytes as CShelve stores them (encrypted, if configured). Adding a
backend means adding a module and a line to ``BACKENDS``.
"""

from pathlib import Path

from cshelve._aws_s3 import AwsS3
from cshelve._azure_blob_storage import AzureBlobStorage
from cshelve._filesystem import FileSystem
from cshelve._in_memory import InMemory

from . import azure, folder, memory, s3
from .base import Backend, Changed, KeyTaken
from .observed import Observed

BACKENDS = {AwsS3: s3.S3, AzureBlobStorage: azure.Azure, FileSystem: folder.Folder, InMemory: memory.Memory}

__all__ = ["Backend", "Changed", "KeyTaken", "Observed", "client_settings", "configured", "for_provider"]


def for_provider(provider, clock):
    """The backend that works beneath ``provider``, a CShelve storage provider."""
    return _backend_class(provider)(provider, clock)


def configured(provider, config, ini_folder):
    """The `.ini`'s ``[default]`` section as ``provider`` is to take it, its paths taken
    from ``ini_folder`` rather than from the working directory."""
    return _backend_class(provider).configured(config, Path(ini_folder))


def _backend_class(provider):
    for provider_class, backend_class in BACKENDS.items():
        if isinstance(provider, provider_class):
            return backend_class
    raise TypeError(f"no backend for CShelve's {type(provider).__name__}")


def client_settings(provider_name, timeout, clock):
    """The SDK settings for the provider an `.ini` names: storage calls bounded in time.

    The SDKs' defaults wait minutes on a backend that stopped answering; a web
    request should get its 503 in seconds instead. Azure's also tell ``clock``
    the time of every answer (S3's backend listens to its client's events).
    """
    connect_timeout = min(timeout, 5)
    if provider_name == "aws-s3":
        return s3.client_settings(timeout, connect_timeout)
    if provider_name == "azure-blob":
        return azure.client_settings(timeout, connect_timeout, clock)
    return {}
