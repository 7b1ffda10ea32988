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

import dataclasses
import io
import os
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, BinaryIO

from markupsafe import Markup
from werkzeug.datastructures import FileStorage

from . import atomic, failures, gallery, responsive, saving, shown, store, variants
from .database import get_db
from .failures import StorageUnavailable
from .keys import is_servable_key
from .photos.images import ImageRejected
from .photos.previews import needs_rendition
from .saving import Outcome
from .versions import version_args

KINDS = {"image": "imagestore.image", "thumbnail": "imagestore.thumbnail", "screen": "imagestore.rendition"}
READERS = {"image": store.read_image, "thumbnail": store.read_thumbnail, "screen": store.read_rendition}
Saveable = FileStorage | str | os.PathLike | bytes | IO[bytes]
PER_PAGE = gallery.PER_PAGE
NO_NAME = "name the image: save(data, name='photo.jpg'); bytes and nameless streams carry none"

__all__ = ["ImagePage", "ImageRejected", "Outcome", "StorageUnavailable", "StoreAPI", "StoredImage", "images"]


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
    filename: str = ""
    """The name it was uploaded under; its key for an image another tool put in."""
    ready: bool = True
    """False for an image another tool put in whose record and previews are not made yet."""
    sha256: str | None = None
    screen_url: str = ""
    """What a screen shows: the original where every browser shows it well, else its
    rendition (too large, or HEIC and AVIF)."""
    srcset: str | None = None
    """The addresses of the image at the ladder's widths (``images.srcset``); None where it
    has none (not made ready yet, animated, or no image)."""
    placeholder: str | None = None
    """Its dominant colour (``#rrggbb``), shown until it arrives; None where not known."""


class ImagePage(list[StoredImage]):
    """One page of the gallery, newest uploads first: a list of its images, with where it is.
    ``total`` is None while the store is still being counted (``page(wait_for_count=False)``)."""

    def __init__(
        self, images: Iterable[StoredImage], number: int, per_page: int, total: int | None, has_next: bool
    ):
        super().__init__(images)
        self.number, self.per_page, self.total, self.has_next = number, per_page, total, has_next

    @property
    def page_count(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.per_page))


class StoreAPI:
    """The Python API of ``ImageStore`` (``extension.py``)."""

    def save(
        self, file: FileStorage | str | os.PathLike | bytes | IO[bytes], name: str | None = None
    ) -> StoredImage:
        """Store ``file`` as an upload through the page is stored, under a key made from
        ``name`` or the name the file carries. :raise ImageRejected: :raise StorageUnavailable:"""
        outcome = self.save_all([_named_bytes(file, name)])
        if outcome.rejected:
            refusal = outcome.rejected[0]["error"]
            if outcome.retry_after is not None:
                raise StorageUnavailable(refusal)
            raise ImageRejected(refusal)
        return outcome.stored[0]

    def save_all(self, files: Iterable[tuple[str, bytes]]) -> Outcome:
        """Store ``(filename, bytes)`` pairs as one upload request of several files does: in
        parallel, as if one after another. The outcome lists the ``StoredImage``s stored and
        the files ``rejected`` (``{"filename", "error"}``), and for each file given, in order,
        its verdict. :raise StorageUnavailable: once the files stored before are in the gallery."""
        with _storage_failures_told():
            outcome = saving.save_files(list(files))
        return dataclasses.replace(outcome, stored=[_stored_image(record) for record in outcome.stored])

    def get(self, key: str) -> StoredImage | None:
        """What is known of the image under ``key``, without downloading it; None if there is none."""
        if not is_servable_key(key):
            return None
        with _storage_failures_told():
            try:
                record = shown.read_shown_record(get_db(), key)
            except KeyError:
                return None
        return _stored_image(record)

    def make_ready(self, key: str) -> StoredImage | None:
        """Make an image another tool put in ready now (its record and thumbnail, from one read
        of it) rather than in the background, and describe it; None if there is none. An image
        that is ready already is only described. :raise StorageUnavailable:"""
        image = self.get(key)
        if image is None or image.ready:
            return image
        with _storage_failures_told():
            gallery.make_ready([key])
        return self.get(key)

    def open(self, key: str, kind: str = "image") -> BinaryIO:
        """The original's bytes (``kind`` ``"image"``), or its thumbnail's or rendition's,
        made if need be, as a readable stream (also a context manager).

        :raise KeyError: no image under ``key``. :raise ValueError: another kind.
        :raise StorageUnavailable: :raise photos.decoding.Busy: too busy to make a preview now."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if not is_servable_key(key):
            raise KeyError(key)
        with _storage_failures_told():
            return io.BytesIO(READERS[kind](get_db(), key))

    def __contains__(self, key: object) -> bool:
        """Whether an image is stored under ``key``, asked of storage without downloading it."""
        if not isinstance(key, str) or not is_servable_key(key):
            return False
        with _storage_failures_told():
            return atomic.exists(get_db(), key)

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

    def page(self, n: int = 1, per_page: int = PER_PAGE, wait_for_count: bool = True) -> ImagePage:
        """Page ``n`` of the gallery, newest uploads first, as the store's own page shows it.
        Until the store is counted (just after a first start on a large store) the page waits
        for the count, unless ``wait_for_count`` is False: then its ``total`` may be None."""
        if n < 1 or per_page < 1:
            raise ValueError("pages and their sizes count from 1")
        with _storage_failures_told():
            shown = gallery.page(n, per_page, counted=wait_for_count)
        images = [_stored_image(record) for record in shown.images]
        return ImagePage(images, shown.number, shown.per_page, shown.total, shown.has_next)

    def __len__(self) -> int:
        """How many images the gallery holds."""
        with _storage_failures_told():
            return gallery.count()


def _record(key):
    """What a page shows of the image under ``key``. :raise KeyError: :raise StorageUnavailable:"""
    if not is_servable_key(key):
        raise KeyError(key)
    with _storage_failures_told():
        return shown.read_shown_record(get_db(), key)


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
    url = _address(KINDS["image"], key, _version_of(record, "image"), False)
    return StoredImage(
        key=key,
        content_type=record.get("content_type"),
        size=record.get("size"),
        width=record.get("width"),
        height=record.get("height"),
        uploaded_at=datetime.fromisoformat(uploaded_at) if uploaded_at else None,
        location_removed=record.get("location_removed"),
        url=url,
        thumbnail_url=_address(KINDS["thumbnail"], key, _version_of(record, "thumbnail"), False),
        filename=record.get("filename") or key,
        ready=record.get("ready", True),
        sha256=record.get("sha256"),
        screen_url=_address(KINDS["screen"], key, _version_of(record, "screen"), False)
        if _needs_rendition(record)
        else url,
        srcset=responsive.srcset_of(record),
        placeholder=((record.get("previews") or {}).get("thumbnail") or {}).get("colour"),
    )


def _needs_rendition(record):
    shape = record.get("content_type"), record.get("width"), record.get("height")
    return shape[1] is not None and needs_rendition(*shape, record.get("animated", False))


def _version_of(record, kind):
    if kind == "image":
        return record.get("sha256")
    made = (record.get("previews") or {}).get("thumbnail" if kind == "thumbnail" else "rendition") or {}
    return made.get("sha256")


def _address(endpoint, key, sha256, external):
    return responsive.address(endpoint, key, version_args(sha256), external)


images = StoreAPI()
"""The Python API of whichever app is current: the store's own views call it, as a host's do."""
