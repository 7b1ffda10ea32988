"""Azure Blob Storage (and Azurite): a blob uploaded with ``overwrite=False`` is
created only if absent, and names are listed in order from any name on. CShelve's
``get`` takes only "not found" for a missing key, as the app does."""

from urllib.parse import quote

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobPrefix, BlobSasPermissions, ExponentialRetry, generate_blob_sas

from .base import Backend, KeyTaken
from .paging import MOST_KEYS_PER_REQUEST, request_sizes

SENT = "imagestore_sent_ns"
CREATOR_METADATA = "imagestore_token"  # a C# identifier, as Azure's metadata names are
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

    def signed_url(self, key, answer_headers, expires_at, endpoint=None):
        """A read-only SAS for the blob, with the answer's headers in it."""
        headers = {SAS_HEADERS[name]: value for name, value in answer_headers.items()}
        return self._sas_url(key, BlobSasPermissions(read=True), expires_at, endpoint, **headers)

    def signed_upload(self, key, content_type, size, expires_at, endpoint=None):
        """A SAS that may create the blob (a SAS cannot bound its size: the claim checks it)."""
        url = self._sas_url(key, BlobSasPermissions(create=True, write=True), expires_at, endpoint)
        if url is None:
            return None
        headers = {"x-ms-blob-type": "BlockBlob", "Content-Type": content_type}
        return {"method": "PUT", "url": url, "headers": headers}

    def size_of(self, key):
        try:
            return self.provider.container_client.get_blob_client(key).get_blob_properties().size
        except ResourceNotFoundError:
            raise KeyError(key) from None

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
