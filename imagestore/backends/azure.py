"""Azure Blob Storage (and Azurite): a blob uploaded with ``overwrite=False`` is
created only if absent, and names are listed in order from any name on."""

from azure.core.exceptions import ResourceExistsError

from .base import Backend, KeyTaken
from .paging import request_sizes


class Azure(Backend):
    def create(self, key, raw):
        try:
            self.provider.container_client.upload_blob(key, raw, overwrite=False, length=len(raw))
        except ResourceExistsError:
            raise KeyTaken(key) from None

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
