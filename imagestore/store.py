"""Images in the CShelve database.

An image is stored as its raw bytes under its key. What the app keeps for it
lives under the reserved prefix, is written after the image and deleted
before it, and is made on first request for images that other tools put into
the store:

- ``.imagestore/thumbnails/KEY``: a small WebP preview;
- ``.imagestore/renditions/KEY``: a screen-sized JPEG or WebP for the viewer,
  for images that browsers cannot show as they are (too large, or HEIC);
- ``.imagestore/sized/SPEC/KEY``: the image at a width of the ladder (``w640``) or a
  declared variant's size (``fill-256x256``), made on first request (``photos/sizes.py``);
- ``.imagestore/metadata/KEY``: a JSON record (size, SHA-256, type, pixels,
  name, time);
- ``.imagestore/newest/COUNTDOWN/KEY``: an empty marker of the upload, which
  orders the gallery (``order.py``).
"""

import hashlib
import json
from datetime import UTC, datetime

from . import atomic, unfinished, variants
from .database import backend_of
from .index import order
from .keys import RESERVED_PREFIX, key_from_filename, unique_key
from .photos import decoding, sizes
from .photos.images import GENERIC_TYPE, ImageRejected, content_type_of, inspect_image, open_image
from .photos.previews import make_rendition, make_thumbnail

THUMBNAIL_PREFIX = RESERVED_PREFIX + "thumbnails/"
RENDITION_PREFIX = RESERVED_PREFIX + "renditions/"
METADATA_PREFIX = RESERVED_PREFIX + "metadata/"
SIZED_PREFIX = RESERVED_PREFIX + "sized/"
KEPT_PREFIXES = (METADATA_PREFIX, THUMBNAIL_PREFIX, RENDITION_PREFIX)
NOT_AN_IMAGE = {"content_type": GENERIC_TYPE, "width": None, "height": None, "animated": False}


def save_upload(db, filename, incoming, uploaded_ns, operations, announce):
    """Store an upload (``incoming.Incoming``) under a free key and return its metadata, once
    all of it is written: the image, its record, previews and marker, and what
    ``announce(metadata)`` writes (its journal entry). What fails on the way is raised, and
    the upload undone, now or later (``unfinished``).

    ``uploaded_ns``, the time of the upload, orders the gallery: the latest first.
    """
    data, info, previews = incoming.data, incoming.info, incoming.previews
    key, operation = _create_under_free_key(
        db, key_from_filename(filename, info.extension), data, uploaded_ns, operations
    )
    metadata = {
        "key": key,
        "filename": filename,
        "size": len(data),
        "sha256": operation.sha256,
        "content_type": info.content_type,
        "width": info.width,
        "height": info.height,
        "animated": info.animated,
        "location_removed": incoming.location_removed,
        "previews": _described_previews(previews.thumbnail, previews.rendition),
        **upload_time(uploaded_ns),
    }
    with operations.completing(db, operation):
        atomic.put(db, METADATA_PREFIX + key, json.dumps(metadata).encode())
        atomic.put(db, THUMBNAIL_PREFIX + key, previews.thumbnail)
        if previews.rendition is not None:
            atomic.put(db, RENDITION_PREFIX + key, previews.rendition)
        atomic.put(db, order.upload_marker(key, uploaded_ns), b"")
        announce(metadata)
    return metadata


def _described_previews(thumbnail, rendition):
    """The SHA-256 and type of each preview made at upload: its address's version, and what
    a signed URL to it is answered with (``serving``)."""
    made = {"thumbnail": thumbnail, "rendition": rendition}
    described = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "content_type": content_type_of(data)}
        for name, data in made.items()
        if data is not None
    }
    with open_image(thumbnail) as preview:
        described["thumbnail"]["colour"] = sizes.dominant_colour(preview)
    return described


def upload_time(uploaded_ns):
    """The fields of a record that say when the image was uploaded."""
    uploaded_at = datetime.fromtimestamp(uploaded_ns / 1e9, UTC).isoformat(timespec="seconds")
    return {"uploaded_at": uploaded_at, "uploaded_ns": uploaded_ns}


def read_image(db, key):
    """Return the image's bytes. :raise KeyError: no such image."""
    return db[key]


def read_metadata(db, key):
    """Return what is known of an image, working it out if nobody has yet.

    :raise KeyError: no such image.
    """
    metadata = kept_record(db, key)
    if metadata is not None:
        return metadata
    metadata = describe(key, db[key])
    _fill_in(db, METADATA_PREFIX + key, json.dumps(metadata).encode())
    return metadata


def make_ready(db, key, budget):
    """Write the record and thumbnail of an image another tool put in, from one read of it,
    decoded within ``budget`` (``decoding``), the record last: a record means the image is
    ready. :raise KeyError: no such image. :raise decoding.Busy:"""
    if kept_record(db, key) is not None:
        return
    data = db[key]
    metadata = describe(key, data)
    if metadata["content_type"] != GENERIC_TYPE:
        with budget.decoding(metadata["width"] * metadata["height"]):
            thumbnail = make_thumbnail(data)
        _fill_in(db, THUMBNAIL_PREFIX + key, thumbnail)
        metadata["previews"] = _described_previews(thumbnail, None)
    _fill_in(db, METADATA_PREFIX + key, json.dumps(metadata).encode())


def keys_with_records(db):
    """The keys of every image that has a record, from one listing of the records."""
    return {name.removeprefix(METADATA_PREFIX) for name in backend_of(db).keys_in_order(METADATA_PREFIX, "")}


def read_thumbnail(db, key):
    """Return the image's thumbnail, making it if it is missing.

    :raise KeyError: no such image, or one that is not an image at all.
    :raise decoding.Busy: making it would wait too long for the memory budget.
    """
    return _read_preview(db, key, THUMBNAIL_PREFIX, make_thumbnail)


def read_rendition(db, key):
    """Return the image's screen-sized rendition, making it if it is missing.

    :raise KeyError: no such image, or one that is not an image at all.
    :raise decoding.Busy: making it would wait too long for the memory budget.
    """
    return _read_preview(db, key, RENDITION_PREFIX, make_rendition)


def read_sized(db, key, spec, width, height):
    """Return the image of upright size ``width`` × ``height`` made at ``spec``
    (``photos/sizes.py``), making and keeping it if it is missing.

    :raise KeyError: no such image, or one that is not an image at all.
    :raise decoding.Busy: making it would wait too long for the memory budget.
    """
    return _read_preview(db, key, sized_name(spec, ""), lambda data: sizes.make(data, spec, width, height))


def sized_name(spec, key):
    """Where the image ``key`` made at ``spec`` is kept."""
    return f"{SIZED_PREFIX}{spec}/{key}"


def _read_preview(db, key, prefix, make):
    try:
        return db[prefix + key]
    except KeyError:
        pass
    data = db[key]
    try:
        pixels = inspect_image(data, max_pixels=float("inf")).pixels
        with decoding.decoding(pixels):
            preview = make(data)
    except ImageRejected:
        raise KeyError(key) from None
    _fill_in(db, prefix + key, preview)
    return preview


def delete_image(db, key, operations, announce):
    """Delete an image and all the app keeps for it, then ``announce(uploaded_ns)`` (its
    journal entry), and return its upload time: 0 for an image another tool put in, None
    when its record is gone. What fails on the way is raised, and the delete finished
    later (``unfinished``), or by the next delete of the same key, which finds the image
    gone and its delete unfinished. :raise KeyError: no such image."""
    if not atomic.exists(db, key):
        finished = operations.finish_delete_of(db, key)
        if finished is None:
            raise KeyError(key)
        return finished.uploaded_ns
    metadata = kept_record(db, key)
    uploaded_ns = None if metadata is None else metadata.get("uploaded_ns", 0)
    sha256 = None if metadata is None else metadata.get("sha256")
    operation = operations.begin(db, unfinished.DELETE, key, uploaded_ns, sha256)
    with operations.completing(db, operation):
        _delete_markers(db, key, uploaded_ns)
        _delete_image_and_kept(db, key)
        announce(uploaded_ns)
    return uploaded_ns


def _delete_markers(db, key, uploaded_ns):
    if uploaded_ns:
        _delete_quietly(db, [order.upload_marker(key, uploaded_ns), order.old_marker(key, uploaded_ns)])


def _delete_image_and_kept(db, key, image=True):
    """Delete the image, then its previews, then its record: a page that finds no record
    makes one from the image (``read_metadata``), which must then be gone."""
    _delete_quietly(db, [key] if image else [])
    sized = [sized_name(spec, key) for spec in variants.kept_specs_here()]
    _delete_quietly(db, [THUMBNAIL_PREFIX + key, RENDITION_PREFIX + key, *sized, METADATA_PREFIX + key])


def settle(db, operation, announce_removed):
    """Undo an upload, or finish a delete, that failed half way (``unfinished``), leaving alone
    an image another upload has put under its key since; ``announce_removed(uploaded_ns, key)``
    tells every process of an image gone."""
    key, uploaded_ns = operation.key, operation.uploaded_ns
    _delete_markers(db, key, uploaded_ns)
    holder = _holder(db, operation)
    if holder == "other":
        if operation.kind == unfinished.DELETE and uploaded_ns:
            announce_removed(uploaded_ns, key)
        return
    _delete_image_and_kept(db, key, image=holder == "this")
    announce_removed(uploaded_ns, key)


def _holder(db, operation):
    """Whose image ``operation.key`` holds: ``"this"`` operation's, ``"other"``, or
    ``"none"`` (it holds nothing)."""
    key = operation.key
    metadata = kept_record(db, key)
    if metadata is not None and metadata.get("uploaded_ns", 0) != (operation.uploaded_ns or 0):
        return "other"
    try:
        marked = None
        if operation.kind == unfinished.UPLOAD:
            marked = atomic.created_with(db, key, operation.token)
        if marked is None:
            marked = operation.sha256 is None or unfinished.digest(db[key]) == operation.sha256
    except KeyError:
        return "none"
    return "this" if marked else "other"


def _fill_in(db, key, value):
    """Write what was worked out on first request, unless an upload wrote it meanwhile."""
    try:
        atomic.create(db, key, value)
    except atomic.KeyTaken:
        pass


def kept_record(db, key):
    """The image's record; None where it has none, or one that cannot be read. A storage
    failure is raised, never taken for a missing record."""
    try:
        return json.loads(db[METADATA_PREFIX + key])
    except (KeyError, ValueError):
        return None


def describe(key, data):
    """Metadata for bytes that arrived without it, images or not."""
    metadata = {"key": key, "filename": key, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    try:
        info = inspect_image(data, max_pixels=float("inf"))
    except ImageRejected:
        return metadata | NOT_AN_IMAGE
    shown = {"content_type": info.content_type, "width": info.width, "height": info.height}
    return metadata | shown | {"animated": info.animated}


def _create_under_free_key(db, wanted, data, uploaded_ns, operations):
    """Store ``data`` under ``wanted`` or its first free variant; return the key and the
    upload's operation (``unfinished``), begun before the image is written.

    The write itself is the check (``atomic.create``), so two uploads of one
    name never get the same key, whether they run in one process or several.
    Where storage cannot refuse a second create, ``wanted`` carries this
    process's own tag (``atomic.claimable_key``).
    """
    wanted, taken, sha256 = atomic.claimable_key(db, wanted), set(), unfinished.digest(data)
    while True:
        key = unique_key(wanted, lambda candidate: candidate in taken or atomic.exists(db, candidate))
        operation = operations.begin(db, unfinished.UPLOAD, key, uploaded_ns, sha256, len(data))
        try:
            atomic.create(db, key, data, operation.token)
            return key, operation
        except atomic.KeyTaken:
            taken.add(key)
            operations.cancel(db, operation)
        except BaseException:
            operations.failed(db, operation)
            raise


def _delete_quietly(db, keys):
    """Delete each key that exists; a missing one is no error."""
    for key in keys:
        try:
            del db[key]
        except KeyError:
            pass
