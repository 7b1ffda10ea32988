"""The store from a host app's own code: its views, ``flask`` commands and jobs.

::

    images = ImageStore()            # at module level; init_app(app) binds it

    @app.post("/posts/<int:id>/photo")
    def attach_photo(id):
        stored = images.save(request.files["photo"])
        db.execute("UPDATE post SET photo = ? WHERE id = ?", (stored.key, id))
        return redirect(stored.url)

Each method acts on the store of the current app, so it needs an app context, not a
request, and works in both access modes on every backend. It does all that the store's
own routes do (the checks, the location's removal, previews, a key of its own for a name
already taken, the journal, metrics) and trusts the host's code: it asks neither
``can_write`` nor ``can_read``, which guard the store's HTTP routes.

A refusal raises ``ImageRejected``, whose message says why in the words of the API's 400;
a storage outage raises ``StorageUnavailable``; nothing is stored in either case.
"""

import io
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, BinaryIO

from flask import current_app, has_request_context, url_for
from markupsafe import Markup
from werkzeug.datastructures import FileStorage

from . import failures, gallery, responsive, store, variants
from .database import get_db
from .failures import StorageUnavailable
from .keys import is_servable_key
from .photos.images import ImageRejected
from .versions import version_args
from .web import uploads

KINDS = {"image": "imagestore.image", "thumbnail": "imagestore.thumbnail", "screen": "imagestore.rendition"}
Saveable = FileStorage | str | os.PathLike | bytes | IO[bytes]
NO_NAME = "name the image: save(data, name='photo.jpg'); bytes and nameless streams carry none"

__all__ = ["ImageRejected", "StorageUnavailable", "StoreAPI", "StoredImage"]


@dataclass(frozen=True)
class StoredImage:
    """An image in the store. ``content_type``, ``size``, ``width`` and ``height`` are None for
    an image another tool put in that is not made ready yet; ``uploaded_at`` and
    ``location_removed`` are None for any image another tool put in."""

    key: str
    content_type: str | None
    size: int | None
    width: int | None
    height: int | None
    uploaded_at: datetime | None
    location_removed: bool | None
    url: str
    thumbnail_url: str


class StoreAPI:
    """The Python API of ``ImageStore`` (``extension.py``)."""

    def save(
        self, file: FileStorage | str | os.PathLike | bytes | IO[bytes], name: str | None = None
    ) -> StoredImage:
        """Store ``file`` as an upload through the page is stored, under a key made from
        ``name`` or the name the file carries. :raise ImageRejected: :raise StorageUnavailable:"""
        filename, data = _named_bytes(file, name)
        with _storage_failures_told():
            outcome = uploads.store_files([(filename, data)])
        if outcome.rejected:
            refusal = outcome.rejected[0]["error"]
            if outcome.retry_after is not None:
                raise StorageUnavailable(refusal)
            raise ImageRejected(refusal)
        return _stored_image(outcome.stored[0])

    def get(self, key: str) -> StoredImage | None:
        """What is known of the image under ``key``, without downloading it; None if there is none."""
        if not is_servable_key(key):
            return None
        with _storage_failures_told():
            try:
                record = store.read_shown_record(get_db(), key)
            except KeyError:
                return None
        return _stored_image(record)

    def open(self, key: str) -> BinaryIO:
        """The original's bytes as a readable stream (also a context manager).

        :raise KeyError: no image under ``key``. :raise StorageUnavailable:"""
        if not is_servable_key(key):
            raise KeyError(key)
        with _storage_failures_told():
            return io.BytesIO(store.read_image(get_db(), key))

    def delete(self, key: str) -> bool:
        """Delete the image and all the store keeps for it; False when there was none.
        :raise StorageUnavailable:"""
        if not is_servable_key(key):
            return False
        with _storage_failures_told():
            try:
                gallery.delete(key)
            except KeyError:
                return False
        return True

    def url(self, key: str, kind: str = "image", external: bool = False) -> str:
        """The versioned address of the image (``kind`` ``"image"``), its thumbnail
        (``"thumbnail"``), its rendition at screen size (``"screen"``) or a variant the host
        declared (``ImageStore(app, variants=...)``) by its name, under the store's prefix.
        ``external`` makes it absolute: outside a request that needs ``SERVER_NAME``, as
        ``url_for`` does. :raise KeyError: no image under ``key``. :raise ValueError: another kind."""
        if kind not in KINDS and variants.spec_of(kind) is None:
            named = ", ".join([*KINDS, *variants.declared_names()])
            raise ValueError(f"kind must be one of {named}, not {kind!r}")
        record = _record(key)
        if kind not in KINDS:
            return responsive.variant_address(record, kind, external)
        return _address(KINDS[kind], key, _version_of(record, kind), external)

    def srcset(self, key: str, external: bool = False) -> str:
        """The ``srcset`` of the image at the ladder's widths (``IMAGESTORE_WIDTHS``), each
        address versioned: ``/images/w/320/cat.jpg?v=... 320w, ...``; empty for an image that
        has none (not made ready yet, or animated). :raise KeyError: no image under ``key``."""
        return responsive.srcset_of(_record(key), external) or ""

    def img(
        self,
        key: str,
        sizes: str | None = None,
        alt: str = "",
        loading: str = "lazy",
        variant: str | None = None,
        **attributes: object,
    ) -> Markup:
        """An ``<img>`` of the image, as ``Markup`` for a template (the Jinja global
        ``imagestore_img``): its ``srcset`` at the ladder's widths with the ``sizes`` given
        (or the variant named), ``width`` and ``height``, ``loading`` (``"eager"`` adds
        ``fetchpriority="high"``), ``decoding="async"``, the escaped ``alt``, its dominant
        colour as a placeholder (``static/placeholders.js``) and ``attributes``
        (``class_="x"`` for ``class``). :raise KeyError: no image under ``key``.
        :raise ValueError: an undeclared variant, or another ``loading``."""
        record = _record(key)
        image_address = _address(KINDS["image"], key, _version_of(record, "image"), False)
        picture = responsive.picture_of(record, image_address, variant)
        return responsive.render_img(picture, sizes, alt, loading, attributes)

    def page(self, n: int = 1, per_page: int = gallery.PER_PAGE) -> list[StoredImage]:
        """Page ``n`` of the gallery, newest uploads first, as the store's own page shows it."""
        if n < 1 or per_page < 1:
            raise ValueError("pages and their sizes count from 1")
        with _storage_failures_told():
            shown = gallery.page(n, per_page, counted=True)
        return [_stored_image(record) for record in shown.images]

    def __len__(self) -> int:
        """How many images the gallery holds."""
        with _storage_failures_told():
            return gallery.count()


def _record(key):
    """What a page shows of the image under ``key``. :raise KeyError: :raise StorageUnavailable:"""
    if not is_servable_key(key):
        raise KeyError(key)
    with _storage_failures_told():
        return store.read_shown_record(get_db(), key)


def _named_bytes(file, name):
    """``(filename, bytes)`` of what ``save`` was given."""
    if isinstance(file, FileStorage):
        return name or file.filename or _no_name(), file.read()
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        return name or path.name, path.read_bytes()
    if isinstance(file, (bytes, bytearray, memoryview)):
        return name or _no_name(), bytes(file)
    if hasattr(file, "read"):
        carried = getattr(file, "name", None)
        carried = Path(carried).name if isinstance(carried, str) else None
        return name or carried or _no_name(), file.read()
    raise TypeError(f"save takes a FileStorage, a path, bytes or a binary file, not {type(file).__name__}")


def _no_name():
    raise ValueError(NO_NAME)


@contextmanager
def _storage_failures_told():
    """Storage errors raised as ``StorageUnavailable``, saying what storage answered."""
    try:
        yield
    except StorageUnavailable:
        raise
    except failures.BACKEND_ERRORS as error:
        raise StorageUnavailable(failures.describe(error)) from error


def _stored_image(record):
    key = record["key"]
    uploaded_at = record.get("uploaded_at")
    return StoredImage(
        key=key,
        content_type=record.get("content_type"),
        size=record.get("size"),
        width=record.get("width"),
        height=record.get("height"),
        uploaded_at=datetime.fromisoformat(uploaded_at) if uploaded_at else None,
        location_removed=record.get("location_removed"),
        url=_address(KINDS["image"], key, _version_of(record, "image"), False),
        thumbnail_url=_address(KINDS["thumbnail"], key, _version_of(record, "thumbnail"), False),
    )


def _version_of(record, kind):
    if kind == "image":
        return record.get("sha256")
    made = (record.get("previews") or {}).get("thumbnail" if kind == "thumbnail" else "rendition") or {}
    return made.get("sha256")


def _address(endpoint, key, sha256, external):
    """``url_for``, also outside a request: a path needs no ``SERVER_NAME``, only an
    absolute address does."""
    values = {"key": key, **version_args(sha256)}
    if has_request_context() or external or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=external, **values)
    root = current_app.config.get("APPLICATION_ROOT") or "/"
    return current_app.url_map.bind("localhost", script_name=root).build(endpoint, values)
