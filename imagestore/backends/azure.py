"""Azure Blob Storage (and Azurite): a blob uploaded with ``overwrite=False`` is
created only if absent, and names are listed in order from any name on. CShelve's
``get`` takes only "not found" for a missing key, as the app does."""

from urllib.parse import quote, urlencode

from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.storage.blob import BlobPrefix, BlobSasPermissions, ExponentialRetry, generate_blob_sas

from .base import Backend, Changed, KeyTaken
from .paging import MOST_KEYS_PER_REQUEST, request_sizes

SENT = "imagestore_sent_ns"
CREATOR_METADATA = "imagestore_token"  # a C# identifier, as Azure's metadata names are
VERSION_PARAMETER = "v"
RANGE_NOT_SATISFIABLE = 416
SAS_HEADERS = {
    "Content-Type": "content_type",
    "Content-Disposition": "content_disposition",
    "Cache-Control": "cache_control",
}


def client_settings(timeout, connect_timeout, clock):
    """The SDK's settings: two attempts of at most ``timeout`` seconds each, a second apart
    (its own back off waits 15 s, then 18 s, then 24 s), and every answer's ``Date`` told
    to ``clock``."""
    retry = ExponentialRetry(initial_backoff=0.5, increment_base=2, retry_total=1, random_jitter_range=0.5)

    def note_sent(request):
        request.context[SENT] = clock.local_ns()

    def read_date(response):
        sent = response.context.get(SENT)
        if sent is not None:
            clock.observe_date_header(response.http_response.headers.get("Date"), sent, clock.local_ns())

    return {
        "connection_timeout": connect_timeout,
        "read_timeout": timeout,
        "retry_policy": retry,
        "raw_request_hook": note_sent,
        "raw_response_hook": read_date,
    }


class Azure(Backend):
    def create(self, key, raw, token=None):
        metadata = {CREATOR_METADATA: token} if token else None
        try:
            self.provider.container_client.upload_blob(
                key, raw, overwrite=False, length=len(raw), metadata=metadata
            )
        except ResourceExistsError:
            raise KeyTaken(key) from None

    def created_with(self, key, token):
        """Told by the blob's metadata, which its properties give without its bytes."""
        try:
            properties = self.provider.container_client.get_blob_client(key).get_blob_properties()
        except ResourceNotFoundError:
            raise KeyError(key) from None
        return (properties.metadata or {}).get(CREATOR_METADATA) == token

    def signed_url(self, key, answer_headers, expires_at, endpoint=None, version=None):
        """A read-only SAS for the blob, with the answer's headers in it, and the version in a
        parameter ``v`` of its own, which storage ignores: a SAS signs a fixed set of fields."""
        headers = {SAS_HEADERS[name]: value for name, value in answer_headers.items()}
        url = self._sas_url(key, BlobSasPermissions(read=True), expires_at, endpoint, **headers)
        if url is None or not version:
            return url
        return f"{url}&{urlencode({VERSION_PARAMETER: version})}"

    def signed_upload(self, key, content_type, size, expires_at, endpoint=None):
        """A SAS that may create the blob (a SAS cannot bound its size: the claim checks it)."""
        url = self._sas_url(key, BlobSasPermissions(create=True, write=True), expires_at, endpoint)
        if url is None:
            return None
        headers = {"x-ms-blob-type": "BlockBlob", "Content-Type": content_type}
        return {"method": "PUT", "url": url, "headers": headers}

    def read_at_most(self, key, length):
        """One ranged download, its chunks pinned to the first's ETag by the SDK: what is read
        is what is measured, however the blob changes meanwhile."""
        try:
            downloaded = self.provider.container_client.download_blob(key, offset=0, length=length)
        except ResourceNotFoundError:
            raise KeyError(key) from None
        except HttpResponseError as error:
            if error.status_code == RANGE_NOT_SATISFIABLE:  # a range of an empty blob
                return b"", 0
            raise
        whole = (downloaded.properties.content_range or "").rpartition("/")[2]
        try:
            data = downloaded.readall()
        except ResourceModifiedError:
            raise Changed(key) from None
        return data, int(whole) if whole.isdigit() else len(data)

    def sizes_in_order(self, prefix, start_after):
        """Blobs of uncommitted blocks only are listed too, as of size 0: their blocks are not
        counted. Azure's ``start_from`` includes the name itself, so it is left out here."""
        listing = self.provider.container_client.list_blobs(
            name_starts_with=prefix, include=["uncommittedblobs"], start_from=start_after or None,
            results_per_page=MOST_KEYS_PER_REQUEST,
        )  # fmt: skip
        return ((blob.name, blob.size) for blob in listing if blob.name > start_after)

    def discard(self, key):
        """A blob of uncommitted blocks only is not found by a delete where Azure keeps its
        blocks for a week: an empty list of blocks, committed only where no blob is, drops them."""
        blob = self.provider.container_client.get_blob_client(key)
        try:
            blob.delete_blob()
        except ResourceNotFoundError:
            try:
                blob.commit_block_list([], match_condition=MatchConditions.IfMissing)
                blob.delete_blob()
            except (ResourceExistsError, ResourceModifiedError, ResourceNotFoundError):
                pass

    def _sas_url(self, key, permission, expires_at, endpoint, **headers):
        """Only with the account's key (a connection string); None with a token credential."""
        container = self.provider.container_client
        account_key = getattr(container.credential, "account_key", None)
        if account_key is None:
            return None
        sas = generate_blob_sas(
            account_name=container.account_name,
            container_name=container.container_name,
            blob_name=key,
            account_key=account_key,
            permission=permission,
            expiry=expires_at,
            **headers,
        )
        base = f"{endpoint.rstrip('/')}/{container.container_name}" if endpoint else container.url
        return f"{base}/{quote(key)}?{sas}"

    def keys_in_order(self, prefix, start_after):
        """Azure's ``start_from`` includes the name itself, so it is left out here."""
        token = None
        for size in request_sizes():
            pages = self.provider.container_client.list_blob_names(
                name_starts_with=prefix or None, start_from=start_after or None, results_per_page=size
            ).by_page(continuation_token=token)
            yield from (name for name in next(pages, []) if name > start_after)
            token = pages.continuation_token
            if not token:
                return

    def top_level_keys(self):
        """Listed with the delimiter ``/``, the reserved prefix comes as one name, not its blobs."""
        listing = self.provider.container_client.walk_blobs(
            delimiter="/", results_per_page=MOST_KEYS_PER_REQUEST
        )
        return (blob.name for blob in listing if not isinstance(blob, BlobPrefix))
