"""Where a HEIF or AVIF file keeps its EXIF block and its XMP packet, found through its boxes.

Both are ISO base media files: a ``meta`` box lists the file's items
(``iinf``), among them one of type ``Exif`` and one of type ``mime`` whose
content type is XMP's, and says where each item's bytes lie (``iloc``). The
EXIF item's bytes start with the offset of its TIFF header.
"""

import struct

from . import xmp

MAX_BOXES = 10_000
XMP_CONTENT_TYPE = b"application/rdf+xml"
ITEM_NAMES = {b"Exif": "Exif", b"mime": "XMP"}


class UnreachableItem(ValueError):
    """An Exif or XMP item lies where it cannot be scrubbed in place (in pieces, in
    ``idat``, or compressed)."""


def exif_spans(data):
    """Yield ``(start, end)`` of each EXIF TIFF block in ``data``, from its TIFF header on.

    :raise UnreachableItem: an Exif item is stored in more than one piece, or in the
        ``meta`` box itself; nothing is yielded for the file then.
    """
    for offset, length, _ in _spans_of(data, b"Exif", shortest=12):
        yield _tiff_start(data, offset, length), offset + length


def xmp_spans(data):
    """Yield ``(start, end)`` of each XMP packet in ``data`` that can be blanked in place.

    :raise UnreachableItem: as ``exif_spans``, and for a compressed packet that holds
        private properties (or cannot be inflated to tell).
    """
    inflating = xmp.Inflating()
    for offset, length, encoding in sorted(set(_spans_of(data, b"mime", shortest=1))):
        if not encoding:
            yield offset, offset + length
        elif inflating.is_private(bytes(data[offset : offset + length])):
            raise UnreachableItem("an XMP item is stored compressed")


def _spans_of(data, item_type, shortest):
    """``(offset, length, content_encoding)`` of each item of ``item_type`` (``mime``
    ones: XMP only)."""
    meta = child(boxes(data, 0, len(data)), b"meta")
    if meta is None:
        return []
    children = list(boxes(data, meta[0] + 4, meta[1]))
    iinf, iloc = child(children, b"iinf"), child(children, b"iloc")
    if iinf is None or iloc is None:
        return []
    items = dict(_items_of_type(data, *iinf, item_type))
    located = {item: extents for item, method, extents in _locations(data, *iloc) if item in items}
    spans = []
    for item, encoding in items.items():
        extents = located.get(item)
        if not extents or len(extents) != 1:
            raise UnreachableItem(f"{ITEM_NAMES[item_type]} item {item} is not one piece of the file")
        offset, length = extents[0]
        in_meta = offset < meta[1] and offset + length > meta[0]
        if offset < 0 or length < shortest or offset + length > len(data) or in_meta:
            raise UnreachableItem(f"{ITEM_NAMES[item_type]} item {item} lies outside the file's data")
        spans.append((offset, length, encoding))
    return spans


def _tiff_start(data, offset, length):
    """Where the TIFF header is, as pillow-heif finds it: after the offset the item starts
    with, or right after that offset when it points past the item."""
    header = struct.unpack_from(">I", data, offset)[0]
    start = offset + 4 + header
    return start if start + 8 <= offset + length else offset + 4


def boxes(data, start, end):
    """Yield ``(type, box_start, body_start, body_end)`` of the boxes between ``start`` and ``end``."""
    at, seen = start, 0
    while at + 8 <= end and seen < MAX_BOXES:
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            if at + 16 > end:
                return
            size, header = struct.unpack_from(">Q", data, at + 8)[0], 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            return
        yield kind, at, at + header, at + size
        at += size
        seen += 1


def child(found, kind):
    """``(body_start, body_end)`` of the first box of ``kind`` among ``found``, or None."""
    for box_kind, _, start, end in found:
        if box_kind == kind:
            return start, end
    return None


def _items_of_type(data, start, end, wanted):
    """``(item, content_encoding)`` of the items of type ``wanted`` that ``iinf`` lists;
    of ``mime`` items, the XMP ones."""
    version = data[start]
    count_size = 2 if version == 0 else 4
    first = start + 4 + count_size
    for kind, _, body, body_end in boxes(data, first, end):
        if kind != b"infe" or body_end - body < 4:
            continue
        infe_version = data[body]
        if infe_version < 2:
            continue
        id_size = 2 if infe_version == 2 else 4
        item = int.from_bytes(data[body + 4 : body + 4 + id_size], "big")
        type_at = body + 4 + id_size + 2
        if data[type_at : type_at + 4] != wanted:
            continue
        if wanted != b"mime":
            yield item, b""
            continue
        _name, content_type, encoding = (bytes(data[type_at + 4 : body_end]).split(b"\0") + [b"", b""])[:3]
        if content_type == XMP_CONTENT_TYPE:
            yield item, encoding


def _locations(data, start, end):
    """Yield ``(item_id, construction_method, [(offset, length), ...])`` from an ``iloc`` box."""
    version = data[start]
    at = start + 4
    sizes = data[at] >> 4, data[at] & 15, data[at + 1] >> 4, (data[at + 1] & 15 if version in (1, 2) else 0)
    offset_size, length_size, base_size, index_size = sizes
    at += 2
    id_size = 2 if version < 2 else 4
    count = _uint(data, at, 2 if version < 2 else 4)
    at += 2 if version < 2 else 4
    for _ in range(min(count, MAX_BOXES)):
        item = _uint(data, at, id_size)
        at += id_size
        method = 0
        if version in (1, 2):
            method = _uint(data, at, 2) & 15
            at += 2
        at += 2
        base = _uint(data, at, base_size)
        at += base_size
        extent_count = _uint(data, at, 2)
        at += 2
        extents = []
        for _ in range(extent_count):
            at += index_size
            offset = _uint(data, at, offset_size)
            at += offset_size
            length = _uint(data, at, length_size)
            at += length_size
            extents.append((base + offset, length))
        if at > end:
            return
        yield item, method, [(offset, length) if method == 0 else (-1, 0) for offset, length in extents]


def _uint(data, at, size):
    if size == 0:
        return 0
    if at + size > len(data):
        raise ValueError("iloc runs past the file")
    return int.from_bytes(data[at : at + size], "big")
