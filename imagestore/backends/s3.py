"""AWS S3 and the endpoints that speak its protocol (MinIO, Ceph, moto, s3rver).

CShelve's ``get`` and ``contains`` take any error for a missing key; here only S3's
"not found" is one, and a failure (500, SlowDown, a time-out) is raised as such.

A key is created only if absent by a PUT with ``If-None-Match: *``: AWS S3
honours it since August 2024, as do moto and recent MinIO, but some
S3-compatible servers ignore the header and overwrite. ``check_conditional_writes``
finds out with a probe under the reserved prefix at start. Where the header is
ignored, no storage call can keep two processes from writing one key, so:

- creates in this process check first, under a lock for the key, so uploads
  in one process never overwrite each other;
- the keys of new uploads are made unique by construction (``claimable``):
  each process adds a tag of its own, drawn at random when it starts, so no
  two processes ever write the same key.
"""

import base64
import functools
import os
import secrets
import threading
import time
import uuid

import boto3
from botocore.config import Config as BotocoreConfig
from botocore.exceptions import ClientError

from ..keys import RESERVED_PREFIX, tagged_key
from .base import Backend, KeyTaken
from .paging import MOST_KEYS_PER_REQUEST, request_sizes

PROBE_PREFIX = RESERVED_PREFIX + "probes/conditional-write-"
KEY_EXISTS_CODES = ("PreconditionFailed", "ConditionalRequestConflict")
NOT_FOUND_CODES = ("404", "NoSuchKey", "NotFound")
CREATOR_METADATA = "imagestore-token"
EMPTY_OBJECT_CODES = ("InvalidRange",)  # a range of an empty object
VERSION_PARAMETER = "v"
HONOURED = (
    "storage: {endpoint} honours conditional writes; processes sharing the bucket never overwrite each other"
)
IGNORED = (
    "warning: {endpoint} ignores conditional writes (If-None-Match); so that processes sharing the "
    "bucket never overwrite each other, this process gives new images keys of its own, such as {example}"
)
SIGNING = BotocoreConfig(signature_version="s3v4")
RESPONSE_PARAMETERS = {
    "Content-Type": "ResponseContentType",
    "Content-Disposition": "ResponseContentDisposition",
    "Cache-Control": "ResponseCacheControl",
}
_create_locks = [threading.Lock() for _ in range(64)]


def _new_process_tag():
    global PROCESS_TAG
    PROCESS_TAG = base64.b32encode(secrets.token_bytes(5)).decode().lower()


_new_process_tag()
os.register_at_fork(after_in_child=_new_process_tag)


def client_settings(timeout, connect_timeout):
    """boto3's settings for two attempts of at most ``timeout`` seconds each."""
    retries = {"total_max_attempts": 2, "mode": "standard"}
    return {"config": BotocoreConfig(connect_timeout=connect_timeout, read_timeout=timeout, retries=retries)}


class S3(Backend):
    refuses_second_create = True

    def __init__(self, provider, clock):
        super().__init__(provider, clock)
        events = self._s3.meta.events
        events.register("before-call.s3", self._note_sent)
        events.register("after-call.s3", self._read_date)

    def _note_sent(self, context, **_):
        context["imagestore_sent_ns"] = self.clock.local_ns()

    def _read_date(self, http_response, context, **_):
        """Every answer, an error's too, carries the store's time in its ``Date`` header."""
        sent = context.get("imagestore_sent_ns")
        if sent is not None:
            self.clock.observe_date_header(http_response.headers.get("Date"), sent, self.clock.local_ns())

    @property
    def _s3(self):
        return self.provider.s3

    @property
    def _bucket(self):
        return self.provider.bucket_name

    def check_conditional_writes(self):
        """Create a probe twice; an endpoint that lets the second create through, or
        refuses the header outright, does not honour conditional writes."""
        probe = f"{PROBE_PREFIX}{uuid.uuid4().hex}"
        self._s3.put_object(Bucket=self._bucket, Key=probe, Body=b"")
        try:
            self._put_if_absent(probe, b"")
            self.refuses_second_create = False
        except KeyTaken:
            self.refuses_second_create = True
        except ClientError:
            self.refuses_second_create = False
        finally:
            self._s3.delete_object(Bucket=self._bucket, Key=probe)

    def signed_url(self, key, answer_headers, expires_at, endpoint=None, version=None):
        """A presigned GET, its answer's headers asked for with ``response-*`` parameters and
        the version in a parameter ``v`` of its own, signed with them. Signing is done here,
        without a request; the URL holds this process's time."""
        params = {"Bucket": self._bucket, "Key": key}
        params |= {RESPONSE_PARAMETERS[name]: value for name, value in answer_headers.items()}
        if version:
            params[VERSION_PARAMETER] = version
        seconds = max(1, round(expires_at.timestamp() - time.time()))
        return self._signer(endpoint).generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)

    def signed_upload(self, key, content_type, size, expires_at, endpoint=None):
        """A presigned PUT of ``size`` bytes of ``content_type``, both signed: S3 refuses
        another length or type."""
        params = {"Bucket": self._bucket, "Key": key, "ContentType": content_type, "ContentLength": size}
        seconds = max(1, round(expires_at.timestamp() - time.time()))
        url = self._signer(endpoint).generate_presigned_url("put_object", Params=params, ExpiresIn=seconds)
        return {"method": "PUT", "url": url, "headers": {"Content-Type": content_type}}

    def read_at_most(self, key, length):
        """One ranged GET: what is read is what is measured, however the object changes meanwhile."""
        try:
            answer = self._s3.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{length - 1}")
        except ClientError as error:
            if _error_code(error) in NOT_FOUND_CODES:
                raise KeyError(key) from None
            if _error_code(error) in EMPTY_OBJECT_CODES:
                return b"", 0
            raise
        with answer["Body"] as body:
            data = body.read(length)
        whole = answer.get("ContentRange", "").rpartition("/")[2]  # none where the range is ignored
        return data, int(whole) if whole.isdigit() else answer["ContentLength"]

    def _signer(self, endpoint):
        """The client that signs, with Signature Version 4, for ``endpoint`` (the app's own
        where none is given): a browser's CORS preflight is answered for such URLs."""
        provider = self.provider
        return _signer_for(
            provider.aws_access_key_id, provider.aws_secret_access_key,
            self._s3.meta.region_name, endpoint or self._s3.meta.endpoint_url, self._s3.meta.config,
        )  # fmt: skip

    def startup_note(self):
        endpoint = self._s3.meta.endpoint_url
        if self.refuses_second_create:
            return HONOURED.format(endpoint=endpoint)
        return IGNORED.format(endpoint=endpoint, example=self.claimable("photo.jpg"))

    def claimable(self, key):
        return key if self.refuses_second_create else tagged_key(key, PROCESS_TAG)

    def read(self, key):
        try:
            return self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except ClientError as error:
            if _error_code(error) in NOT_FOUND_CODES:
                raise KeyError(key) from None
            raise

    def exists(self, key):
        return self._holds(key)

    def create(self, key, raw, token=None):
        metadata = {CREATOR_METADATA: token} if token else {}
        if self.refuses_second_create:
            self._put_if_absent(key, raw, metadata)
            return
        with _create_locks[hash(key) % len(_create_locks)]:
            if self._holds(key):
                raise KeyTaken(key)
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=raw, Metadata=metadata)

    def created_with(self, key, token):
        """Told by the object's metadata, which a HEAD gives without its bytes."""
        try:
            answer = self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if _error_code(error) in NOT_FOUND_CODES:
                raise KeyError(key) from None
            raise
        return answer.get("Metadata", {}).get(CREATOR_METADATA) == token

    def keys_in_order(self, prefix, start_after):
        return (entry["Key"] for entry in self._listed(prefix, start_after))

    def sizes_in_order(self, prefix, start_after):
        return ((entry["Key"], entry["Size"]) for entry in self._listed(prefix, start_after))

    def _listed(self, prefix, start_after):
        request = {"Bucket": self._bucket, "Prefix": prefix, "StartAfter": start_after}
        for size in request_sizes():
            answer = self._s3.list_objects_v2(**request, MaxKeys=size)
            yield from answer.get("Contents", [])
            if not answer.get("IsTruncated"):
                return
            request["ContinuationToken"] = answer["NextContinuationToken"]

    def top_level_keys(self):
        """With ``Delimiter="/"`` S3 names the reserved prefix once, in place of its objects."""
        request = {"Bucket": self._bucket, "Delimiter": "/", "MaxKeys": MOST_KEYS_PER_REQUEST}
        while True:
            answer = self._s3.list_objects_v2(**request)
            yield from (entry["Key"] for entry in answer.get("Contents", []))
            if not answer.get("IsTruncated"):
                return
            request["ContinuationToken"] = answer["NextContinuationToken"]

    def _put_if_absent(self, key, raw, metadata=None):
        try:
            self._s3.put_object(
                Bucket=self._bucket, Key=key, Body=raw, IfNoneMatch="*", Metadata=metadata or {}
            )
        except ClientError as error:
            if _error_code(error) in KEY_EXISTS_CODES:
                raise KeyTaken(key) from None
            raise

    def _holds(self, key):
        """Unlike CShelve's ``contains``, an answer other than "not found" is an error, not "absent"."""
        try:
            self._s3.head_object(Bucket=self._bucket, Key=key)
            return True
        except ClientError as error:
            if _error_code(error) in NOT_FOUND_CODES:
                return False
            raise


@functools.lru_cache(maxsize=8)
def _signer_for(access_key_id, secret_access_key, region, endpoint, config):
    """A client made only to sign URLs for another endpoint: it sends no request. It takes
    the version as a GET's parameter ``v``, which S3 ignores and the signature covers."""
    client = boto3.client(
        "s3", aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
        region_name=region, endpoint_url=endpoint, config=config.merge(SIGNING),
    )  # fmt: skip
    client.meta.events.register("provide-client-params.s3.GetObject", _take_version)
    client.meta.events.register("before-sign.s3.GetObject", _add_version)
    return client


def _take_version(params, context, **_):
    """Keep the version out of the parameters S3's model checks, for ``_add_version``."""
    version = params.pop(VERSION_PARAMETER, None)
    if version is not None:
        context[VERSION_PARAMETER] = version
    return params


def _add_version(request, **_):
    version = request.context.get(VERSION_PARAMETER)
    if version is not None:
        request.params[VERSION_PARAMETER] = version


def _error_code(error):
    return error.response.get("Error", {}).get("Code")
