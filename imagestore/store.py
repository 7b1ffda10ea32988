"""Images in the CShelve database.

An image is stored as its raw bytes under its key. What the app keeps for it
lives under the reserved prefix, is written after the image and deleted
before it, and is made on first request for images that other tools put into
the store:

- ``.imagestore/thumbnails/KEY``: a small WebP preview;
- ``.imagestore/metadata/KEY``: a JSON record (size, SHA-256, type, pixels,
  name, time);
- ``.imagestore/uploaded/TIME/KEY``: an empty marker, so that the gallery can
  show the newest uploads first from the key listing alone.
"""

import hashlib
import json
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from cshelve import EncryptedDataCorruptionError

from . import atomic
from .images import (
    GENERIC_TYPE,
    ImageRejected,
    inspect_image,
    make_thumbnail,
)
from .keys import RESERVED_PREFIX, is_servable_key, key_from_filename, unique_key

THUMBNAIL_PREFIX = RESERVED_PREFIX + "thumbnails/"
METADATA_PREFIX = RESERVED_PREFIX + "metadata/"
UPLOADED_PREFIX = RESERVED_PREFIX + "uploaded/"
READING_THREADS = 8
_NOT_AN_IMAGE = {"content_type": GENERIC_TYPE, "width": None, "height": None}


@dataclass(frozen=True)
class Page:
    """One page of the gallery: the metadata of its images, newest uploads first."""

    images: list
    number: int
    per_page: int
    total: int

    @property
    def page_count(self):
        return max(1, math.ceil(self.total / self.per_page))


def save_upload(db, filename, data, max_pixels, uploaded_ns):
    """Store an uploaded file under a free key and return its metadata.

    ``uploaded_ns``, the time of the upload, orders the gallery: the latest first.

    :raise ImageRejected: the bytes are not an image the store accepts.
    """
    info = inspect_image(data, max_pixels)
    thumbnail = make_thumbnail(data)
    key = _create_under_free_key(db, key_from_filename(filename, info.extension), data)
    metadata = {
        "key": key,
        "filename": filename,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content_type": info.content_type,
        "width": info.width,
        "height": info.height,
        "uploaded_at": datetime.fromtimestamp(uploaded_ns / 1e9, UTC).isoformat(timespec="seconds"),
        "uploaded_ns": uploaded_ns,
    }
    try:
        atomic.put(db, METADATA_PREFIX + key, json.dumps(metadata).encode())
        atomic.put(db, THUMBNAIL_PREFIX + key, thumbnail)
        atomic.put(db, _upload_marker(key, uploaded_ns), b"")
    except Exception:
        _forget_quietly(db, key)
        raise
    return metadata


def page_of_images(db, keys, number, per_page):
    """Return page ``number`` of the gallery, whose image keys in order are ``keys``.

    An image deleted since the listing is left out. One that cannot be
    decrypted is shown as a download without preview.
    """
    start = (number - 1) * per_page
    shown = keys[start : start + per_page]
    with ThreadPoolExecutor(max(1, min(READING_THREADS, len(shown)))) as pool:
        images = [image for image in pool.map(lambda key: _shown(db, key), shown) if image is not None]
    return Page(images, number, per_page, len(keys))


def gallery_order(db):
    """List the store: every image key, in the gallery's order."""
    return newest_first(list(db))


def _shown(db, key):
    """An image's metadata as a page shows it, or None when it was deleted meanwhile."""
    try:
        return read_metadata(db, key)
    except KeyError:
        return None
    except EncryptedDataCorruptionError:
        return {"key": key, "filename": key, "size": None, "sha256": None} | _NOT_AN_IMAGE


def newest_first(all_keys):
    """Order the image keys among ``all_keys``: newest upload first, then the
    images other tools put in (no upload marker), by name."""
    images = {key for key in all_keys if is_servable_key(key)}
    uploaded = {}
    for marker in all_keys:
        if marker.startswith(UPLOADED_PREFIX):
            stamp, _, key = marker.removeprefix(UPLOADED_PREFIX).partition("/")
            if key in images:
                uploaded[key] = max(stamp, uploaded.get(key, ""))
    newest = sorted(uploaded, key=lambda key: (uploaded[key], key), reverse=True)
    return newest + sorted(images - uploaded.keys())


def read_image(db, key):
    """Return the image's bytes. :raise KeyError: no such image."""
    return db[key]


def read_metadata(db, key):
    """Return what is known of an image, working it out if nobody has yet.

    :raise KeyError: no such image.
    """
    metadata = _kept_metadata(db, key)
    if metadata is not None:
        return metadata
    metadata = _describe(key, db[key])
    _fill_in(db, METADATA_PREFIX + key, json.dumps(metadata).encode())
    return metadata


def read_thumbnail(db, key):
    """Return the image's thumbnail, making it if it is missing.

    :raise KeyError: no such image, or one that is not an image at all.
    """
    try:
        return db[THUMBNAIL_PREFIX + key]
    except KeyError:
        pass
    try:
        thumbnail = make_thumbnail(db[key])
    except ImageRejected:
        raise KeyError(key) from None
    _fill_in(db, THUMBNAIL_PREFIX + key, thumbnail)
    return thumbnail


def delete_image(db, key):
    """Delete an image and all the app keeps for it. :raise KeyError: no such image."""
    if not atomic.exists(db, key):
        raise KeyError(key)
    uploaded_ns = (_kept_metadata(db, key) or {}).get("uploaded_ns")
    if uploaded_ns is not None:
        _delete_quietly(db, [_upload_marker(key, uploaded_ns)])
    _delete_quietly(db, [THUMBNAIL_PREFIX + key, METADATA_PREFIX + key])
    del db[key]


def _fill_in(db, key, value):
    """Write what was worked out on first request, unless an upload wrote it meanwhile."""
    try:
        atomic.create(db, key, value)
    except atomic.KeyTaken:
        pass


def _kept_metadata(db, key):
    try:
        return json.loads(db[METADATA_PREFIX + key])
    except (KeyError, ValueError):
        return None


def _upload_marker(key, uploaded_ns):
    return f"{UPLOADED_PREFIX}{uploaded_ns:020d}/{key}"


def _describe(key, data):
    """Metadata for bytes that arrived without it, images or not."""
    metadata = {"key": key, "filename": key, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    try:
        info = inspect_image(data, max_pixels=float("inf"))
    except ImageRejected:
        return metadata | _NOT_AN_IMAGE
    return metadata | {"content_type": info.content_type, "width": info.width, "height": info.height}


def _create_under_free_key(db, wanted, data):
    """Store ``data`` under ``wanted`` or its first free variant, and return the key.

    The write itself is the check (``atomic.create``), so two uploads of one
    name never get the same key, whether they run in one process or several.
    """
    taken = set()
    while True:
        key = unique_key(wanted, lambda candidate: candidate in taken or atomic.exists(db, candidate))
        try:
            atomic.create(db, key, data)
            return key
        except atomic.KeyTaken:
            taken.add(key)


def _forget_quietly(db, key):
    """Undo an upload that failed half way, as far as storage lets us."""
    try:
        _delete_quietly(db, [THUMBNAIL_PREFIX + key, METADATA_PREFIX + key, key])
    except Exception:
        pass


def _delete_quietly(db, keys):
    """Delete each key that exists; a missing one is no error."""
    for key in keys:
        try:
            del db[key]
        except KeyError:
            pass
