"""The plain script a user would write to copy a store's objects: the baseline that
``imagestore copy`` is measured against (``copy_rate.py``).

    python bench/sdk_copy.py SRC DST

``SRC`` is ``folder:PATH``, ``s3:BUCKET`` or ``azure:CONTAINER``; ``DST`` is
``s3:BUCKET`` or ``azure:CONTAINER``. Every object of the source is read and
written to the destination under the same name with the official SDKs (the
tests' own look into each backend, ``tests/storage.py``), on as many threads as
``imagestore copy`` uses, and nothing else: no checks, no records, no journal.
S3 and Azure are reached as the app reaches them, through ``AWS_*`` and
``AZURE_STORAGE_CONNECTION_STRING``.
"""

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from storage import AzureStorage, FolderStorage, S3Storage  # noqa: E402

from imagestore.commands import THREADS  # noqa: E402

KINDS = {"folder": FolderStorage, "s3": S3Storage, "azure": AzureStorage}


def objects(where):
    kind, _, name = where.partition(":")
    return KINDS[kind](name)


def main(source, destination):
    source, destination = objects(source), objects(destination)
    names = source.names()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda name: destination.put(name, source.get(name)), names))
    print(f"{len(names)} objects copied", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:])
