"""Where a photo was taken, and who took it with what, taken out of the stored original.

Phones write the GPS position into a photo's EXIF block, and cameras the
owner's name and serial numbers. The block is found where each format keeps
it (every picture's APP1 segment in a JPEG or MPO, PNG's ``eXIf`` chunk,
WebP's ``EXIF`` chunk, the ``Exif`` item of HEIF and AVIF) and scrubbed in
place (``tiff.remove_private_tags``). Nothing else moves: no offset changes
anywhere in the file, not in an MPO's index of its pictures (an Ultra HDR
photo's gain map), not in a HEIC's item locations, and every pixel stays as
uploaded. Orientation, capture time, camera model and colour profile stay.
"""

import struct
import zlib

from . import isobmff
from .tiff import remove_private_tags

EXIF_PREFIX = b"Exif\x00\x00"
JPEG_APP1 = b"\xff\xe1"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def remove_location(data, image_format):
    """Return ``data`` without its location and personal EXIF tags, and whether any were there.

    ``image_format`` is Pillow's name for the format (``JPEG``, ``MPO``, ``PNG``...).
    """
    scrub = _SCRUBBERS.get(image_format)
    if scrub is None:
        return data, False
    scrubbed = bytearray(data)
    removed = scrub(scrubbed)
    return (bytes(scrubbed), True) if removed else (data, False)


def _scrub_span(data, start, end):
    """Scrub the EXIF block at ``data[start:end]`` in place, past an ``Exif\\0\\0`` prefix if any."""
    if data[start : start + len(EXIF_PREFIX)] == EXIF_PREFIX:
        start += len(EXIF_PREFIX)
    if end - start < 8:
        return False
    clean, removed = remove_private_tags(bytes(data[start:end]))
    data[start:end] = clean
    return removed


def _jpeg(data):
    """Every APP1 EXIF segment, of the first picture and of the others an MPO holds.

    Marker bytes ``FF E1`` cannot occur inside a JPEG's compressed data, where
    every ``FF`` is followed by ``00`` or a restart marker.
    """
    removed = False
    at = data.find(JPEG_APP1)
    while at != -1 and at + 4 <= len(data):
        length = struct.unpack_from(">H", data, at + 2)[0]
        body = at + 4
        if data[body : body + len(EXIF_PREFIX)] == EXIF_PREFIX and body + length - 2 <= len(data):
            removed |= _scrub_span(data, body, at + 2 + length)
        at = data.find(JPEG_APP1, at + 2)
    return removed


def _png(data):
    removed, at = False, len(PNG_SIGNATURE)
    while at + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, at)
        body, end = at + 8, at + 8 + length
        if end + 4 > len(data):
            break
        if kind == b"eXIf" and _scrub_span(data, body, end):
            struct.pack_into(">I", data, end, zlib.crc32(data[at + 4 : end]))
            removed = True
        at = end + 4
    return removed


def _webp(data):
    removed, at = False, 12
    while at + 8 <= len(data):
        kind, length = struct.unpack_from("<4sI", data, at)
        body, end = at + 8, at + 8 + length
        if end > len(data):
            break
        if kind == b"EXIF":
            removed |= _scrub_span(data, body, end)
        at = end + (length & 1)
    return removed


def _heif(data):
    removed = False
    try:
        spans = list(isobmff.exif_spans(bytes(data)))
    except (ValueError, struct.error):
        return False
    for start, end in spans:
        removed |= _scrub_span(data, start, end)
    return removed


_SCRUBBERS = {"JPEG": _jpeg, "MPO": _jpeg, "PNG": _png, "WEBP": _webp, "HEIF": _heif, "AVIF": _heif}
