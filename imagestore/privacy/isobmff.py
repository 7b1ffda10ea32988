"""Where a HEIF or AVIF file keeps its EXIF block, found through its boxes.

Both are ISO base media files: a ``meta`` box lists the file's items
(``iinf``), among them one of type ``Exif``, and says where each item's bytes
lie (``iloc``). The EXIF item's bytes start with the offset of its TIFF
header.
"""

import struct

MAX_BOXES = 10_000


def exif_spans(data):
    """Yield ``(start, end)`` of each EXIF TIFF block in ``data``, from its TIFF header on."""
    meta = _child(_boxes(data, 0, len(data)), b"meta")
    if meta is None:
        return
    children = list(_boxes(data, meta[0] + 4, meta[1]))
    iinf, iloc = _child(children, b"iinf"), _child(children, b"iloc")
    if iinf is None or iloc is None:
        return
    exif_items = set(_items_of_type(data, *iinf, b"Exif"))
    for item, extents in _locations(data, *iloc):
        if item in exif_items and len(extents) == 1:
            offset, length = extents[0]
            if length < 4 or offset + length > len(data):
                continue
            header = struct.unpack_from(">I", data, offset)[0]
            start = offset + 4 + header
            if start < offset + length:
                yield start, offset + length


def _boxes(data, start, end):
    """Yield ``(type, body_start, body_end)`` of the boxes between ``start`` and ``end``."""
    at, seen = start, 0
    while at + 8 <= end and seen < MAX_BOXES:
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", data, at + 8)[0], 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            return
        yield kind, at + header, at + size
        at += size
        seen += 1


def _child(boxes, kind):
    for box_kind, start, end in boxes:
        if box_kind == kind:
            return start, end
    return None


def _items_of_type(data, start, end, wanted):
    version = data[start]
    count_size = 2 if version == 0 else 4
    first = start + 4 + count_size
    for kind, body, body_end in _boxes(data, first, end):
        if kind != b"infe" or body_end - body < 4:
            continue
        infe_version = data[body]
        if infe_version < 2:
            continue
        id_size = 2 if infe_version == 2 else 4
        item = int.from_bytes(data[body + 4 : body + 4 + id_size], "big")
        item_type = data[body + 4 + id_size + 2 : body + 4 + id_size + 6]
        if item_type == wanted:
            yield item


def _locations(data, start, end):
    """Yield ``(item_id, [(offset, length), ...])`` from an ``iloc`` box (file offsets only)."""
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
        if method == 0:
            yield item, extents


def _uint(data, at, size):
    if size == 0:
        return 0
    if at + size > len(data):
        raise ValueError("iloc runs past the file")
    return int.from_bytes(data[at : at + size], "big")
