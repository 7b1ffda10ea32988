"""The plain script a user would write to copy a store's objects: the baseline that
``imagestore copy`` is measured against (``copy_rate.py``).

    python bench/sdk_copy.py SRC DST

``SRC`` is ``folder:PATH``, ``s3:BUCKET`` or ``azure:CONTAINER``; ``DST`` is
``s3:BUCKET`` or ``azure:CONTAINER``. Every object of the source is read and
written to the destination under the same name with the official SDKs, on as
many threads as ``imagestore copy`` uses, and nothing else: no checks, no
records, no journal. S3 and Azure are reached as the app reaches them, through
``AWS_*`` and ``AZURE_STORAGE_CONNECTION_STRING``.
"""

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from azure.storage.blob import ContainerClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from imagestore.commands import THREADS  # noqa: E402


class FolderObjects:
    def __init__(self, path):
        self.root = Path(path)

    def names(self):
        return [path.relative_to(self.root).as_posix() for path in self.root.rglob("*") if path.is_file()]

    def read(self, name):
        return (self.root / name).read_bytes()


class S3Objects:
    def __init__(self, bucket):
        self.s3, self.bucket = boto3.client("s3"), bucket

    def names(self):
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return [entry["Key"] for page in pages for entry in page.get("Contents", [])]

    def read(self, name):
        return self.s3.get_object(Bucket=self.bucket, Key=name)["Body"].read()

    def write(self, name, data):
        self.s3.put_object(Bucket=self.bucket, Key=name, Body=data)


class AzureObjects:
    def __init__(self, container):
        connection = os.environ["AZURE_STORAGE_CONNECTION_STRING"]
        self.container = ContainerClient.from_connection_string(connection, container)

    def names(self):
        return list(self.container.list_blob_names())

    def read(self, name):
        return self.container.download_blob(name).readall()

    def write(self, name, data):
        self.container.upload_blob(name, data, overwrite=True)


KINDS = {"folder": FolderObjects, "s3": S3Objects, "azure": AzureObjects}


def objects(where):
    kind, _, name = where.partition(":")
    return KINDS[kind](name)


def main(source, destination):
    source, destination = objects(source), objects(destination)
    names = source.names()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda name: destination.write(name, source.read(name)), names))
    print(f"{len(names)} objects copied", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:])
