"""A look into each backend with its own tools, bypassing the app and CShelve.

Tests use it to see what the store really holds (real image files under their
keys) and to put objects in or delete them as another tool would.
"""

import os
from pathlib import Path

import boto3
from azure.storage.blob import BlobServiceClient, CorsRule
from cshelve._in_memory import DB_PERSISTED


class InMemoryStorage:
    def __init__(self, persist_key):
        self.objects = DB_PERSISTED.setdefault(persist_key, {})

    def names(self):
        return sorted(key.decode() for key in self.objects)

    def get(self, name):
        return self.objects[name.encode()]

    def put(self, name, data):
        self.objects[name.encode()] = data

    def delete(self, name):
        del self.objects[name.encode()]

    def allow_uploads_from(self, origin):
        """Nothing to allow: this store takes uploads through the app."""


class FolderStorage:
    def __init__(self, folder):
        self.folder = Path(folder)

    def names(self):
        return sorted(str(p.relative_to(self.folder)) for p in self.folder.rglob("*") if p.is_file())

    def get(self, name):
        return (self.folder / name).read_bytes()

    def put(self, name, data):
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def delete(self, name):
        (self.folder / name).unlink()

    def allow_uploads_from(self, origin):
        """Nothing to allow: this store takes uploads through the app."""


class S3Storage:
    def __init__(self, bucket, config=None):
        """``config``: botocore's ``Config`` of the client, where boto3's defaults will not do."""
        self.bucket = bucket
        self.s3 = boto3.client(
            "s3",
            endpoint_url=os.environ["AWS_ENDPOINT_URL"],
            aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
            config=config,
        )

    def names(self):
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

    def get(self, name):
        return self.s3.get_object(Bucket=self.bucket, Key=name)["Body"].read()

    def put(self, name, data):
        self.s3.put_object(Bucket=self.bucket, Key=name, Body=data)

    def delete(self, name):
        self.s3.delete_object(Bucket=self.bucket, Key=name)

    def allow_uploads_from(self, origin):
        """The bucket's CORS rule that lets a page on ``origin`` send uploads straight to it."""
        rule = {"AllowedOrigins": [origin], "AllowedMethods": ["PUT"], "AllowedHeaders": ["*"]}
        self.s3.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": [rule]})


class AzureStorage:
    def __init__(self, container):
        self.service = BlobServiceClient.from_connection_string(os.environ["AZURE_STORAGE_CONNECTION_STRING"])
        self.container = self.service.get_container_client(container)

    def names(self):
        return sorted(self.container.list_blob_names())

    def names_with_uncommitted(self):
        """The names of blobs, and of blobs that hold only blocks never committed."""
        return sorted(blob.name for blob in self.container.list_blobs(include=["uncommittedblobs"]))

    def get(self, name):
        return self.container.download_blob(name).readall()

    def put(self, name, data):
        self.container.upload_blob(name, data, overwrite=True)

    def delete(self, name):
        self.container.delete_blob(name)

    def allow_uploads_from(self, origin):
        """The account's CORS rule that lets a page on ``origin`` send uploads straight to it."""
        rule = CorsRule([origin], ["PUT"], allowed_headers=["*"], exposed_headers=["*"])
        self.service.set_service_properties(cors=[rule])
