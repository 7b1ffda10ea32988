"""Keys in name order, a few at a time, for a page that needs only the first ones.

CShelve lists a store by listing every key in it: one request per 1,000 keys
on S3 and Azure. Both list in name order and can start after a given name, so
the first 25 keys of a store of 10,000 cost one small request here. The folder
and in-memory backends are local, and are listed whole and sorted.
"""

from itertools import takewhile

from cshelve._aws_s3 import AwsS3
from cshelve._azure_blob_storage import AzureBlobStorage

from .database import provider_of
from .keys import RESERVED_PREFIX

FIRST_REQUEST_KEYS = 50
MOST_KEYS_PER_REQUEST = 1000
AFTER_RESERVED = RESERVED_PREFIX + "\U0010ffff"


def keys_in_order(db, prefix="", start_after=""):
    """Yield the keys that start with ``prefix`` and sort after ``start_after``, in order.

    Storage is asked for a few keys at first, and for more as they are taken.
    """
    provider = provider_of(db)
    if isinstance(provider, AwsS3):
        yield from _s3_keys(provider, prefix, start_after)
    elif isinstance(provider, AzureBlobStorage):
        yield from _azure_keys(provider, prefix, start_after)
    else:
        yield from sorted(key for key in db if key.startswith(prefix) and key > start_after)


def keys_outside_reserved(db):
    """Yield the keys not under the reserved prefix, in order, stepping over the app's own
    records (three for each uploaded image) instead of listing them."""
    yield from takewhile(lambda key: key < RESERVED_PREFIX, keys_in_order(db))
    yield from keys_in_order(db, start_after=AFTER_RESERVED)


def _request_sizes():
    size = FIRST_REQUEST_KEYS
    while True:
        yield size
        size = min(size * 4, MOST_KEYS_PER_REQUEST)


def _s3_keys(provider, prefix, start_after):
    request = {"Bucket": provider.bucket_name, "Prefix": prefix, "StartAfter": start_after}
    for size in _request_sizes():
        answer = provider.s3.list_objects_v2(**request, MaxKeys=size)
        for entry in answer.get("Contents", []):
            yield entry["Key"]
        if not answer.get("IsTruncated"):
            return
        request["ContinuationToken"] = answer["NextContinuationToken"]


def _azure_keys(provider, prefix, start_after):
    """Azure's ``start_from`` includes the name itself, so it is left out here."""
    token = None
    for size in _request_sizes():
        pages = provider.container_client.list_blob_names(
            name_starts_with=prefix or None, start_from=start_after or None, results_per_page=size
        ).by_page(continuation_token=token)
        yield from (name for name in next(pages, []) if name > start_after)
        token = pages.continuation_token
        if not token:
            return
