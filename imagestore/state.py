"""What one app's image store holds, in ``app.extensions["imagestore"]``: its settings
and the parts built on them at start. Two apps in one process each hold their own."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app

EXTENSION_KEY = "imagestore"


@dataclass
class ImageStoreState:
    settings: dict
    url_prefix: str
    can_write: Callable[[], bool] | None
    can_read: Callable[[], bool] | None
    metrics: Any
    access: Any
    cache: Any
    pixel_budget: Any
    gallery: Any
    write_token_digest: str | None
    page_policy: str
    signer: Any = None
    upload_origin: str | None = None
    announcements: Any = None
    staging_sweeper: Any = None

    @property
    def direct_uploads(self):
        """Whether uploads go straight into storage (``direct_uploads``), which browsers reach at
        ``upload_origin``."""
        return self.upload_origin is not None

    @property
    def provider(self):
        """The CShelve provider the `.ini` names, e.g. ``aws-s3``."""
        return self.access.database.provider


def current(app=None):
    """The image store of ``app``, or of the app handling this request."""
    return (app or current_app).extensions[EXTENSION_KEY]
