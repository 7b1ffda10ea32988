"""Where a photo was taken, and who took it with what, taken out of the stored original.

Phones write the GPS position into a photo's EXIF block, and cameras the
owner's name and serial numbers. The block is found where each format keeps
it (every picture's APP1 segment in a JPEG or MPO, PNG's ``eXIf`` chunk,
WebP's ``EXIF`` chunk, the ``Exif`` item of HEIF and AVIF) and scrubbed in
place (``tiff.remove_private_tags``); so are the same facts in an XMP packet
(``xmp``) and the position in a motion photo's video (``video``). Nothing else
moves: no offset changes anywhere in the file, not in an MPO's index of its pictures (an Ultra HDR
photo's gain map), not in a HEIC's item locations, and every pixel stays as
uploaded. Orientation, capture time, camera model and colour profile stay.
"""

import struct
import zlib

from . import isobmff, video, xmp
from .tiff import remove_private_tags

EXIF_PREFIX = b"Exif\x00\x00"
JPEG_SOI = b"\xff\xd8\xff"
JPEG_EOI, JPEG_SOS, JPEG_APP1_MARKER, JPEG_TEM = 0xD9, 0xDA, 0xE1, 0x01
JPEG_RST0, JPEG_RST7 = 0xD0, 0xD7
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
PNG_RAW_EXIF_KEYWORDS = (b"Raw profile type exif", b"Raw profile type APP1")
PNG_NEUTRAL_CHUNK = b"prVt"  # ancillary and private: every reader skips it


class CannotRemove(ValueError):
    """The file holds EXIF where it cannot be scrubbed without moving other bytes."""


def remove_location(data, image_format):
    """Return ``data`` without its location and personal EXIF tags, and whether any were there.

    ``image_format`` is Pillow's name for the format (``JPEG``, ``MPO``, ``PNG``...).

    :raise CannotRemove: the EXIF block is where it cannot be scrubbed in place.
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
    """Every APP1 segment (EXIF, XMP), of the first picture and of the others an MPO holds
    after it, found by walking the segments, so that bytes that only look like a marker
    (inside a comment, or in compressed data) are never touched."""
    removed = False
    for body, end in _jpeg_app1_segments(data):
        if data[body : body + len(EXIF_PREFIX)] == EXIF_PREFIX:
            removed |= _scrub_span(data, body, end)
        elif data[body : body + len(xmp.JPEG_XMP_PREFIX)] == xmp.JPEG_XMP_PREFIX:
            removed |= xmp.blank_private(data, body + len(xmp.JPEG_XMP_PREFIX), end)
    return _video_locations(data) | removed


def _jpeg_app1_segments(data):
    """Yield ``(body_start, body_end)`` of each APP1 segment of each picture in ``data``."""
    picture = data.find(JPEG_SOI)
    while picture != -1:
        at = picture + 2
        while at + 4 <= len(data) and data[at] == 0xFF:
            marker = data[at + 1]
            if marker == 0xFF:
                at += 1
                continue
            if marker == JPEG_EOI:
                at += 2
                break
            if JPEG_RST0 <= marker <= JPEG_RST7 or marker == JPEG_TEM:
                at += 2
                continue
            length = struct.unpack_from(">H", data, at + 2)[0]
            end = at + 2 + length
            if length < 2 or end > len(data):
                return
            if marker == JPEG_APP1_MARKER:
                yield at + 4, end
            at = _after_compressed_data(data, end) if marker == JPEG_SOS else end
        else:
            return
        picture = data.find(JPEG_SOI, at)


def _video_locations(data):
    """:raise CannotRemove: a motion photo's video whose boxes cannot be walked."""
    try:
        return video.blank_locations(data)
    except (ValueError, IndexError, struct.error, RecursionError) as why:
        raise CannotRemove(f"a video in the file cannot be looked into: {why}") from None


def _after_compressed_data(data, at):
    """The position of the first marker after a scan's compressed data: an ``FF`` that is
    not followed by ``00`` (a stuffed byte) or a restart marker."""
    while True:
        at = data.find(b"\xff", at)
        if at == -1 or at + 1 >= len(data):
            return len(data)
        following = data[at + 1]
        if following != 0 and not JPEG_RST0 <= following <= JPEG_RST7:
            return at
        at += 2


def _png(data):
    """The ``eXIf`` chunk; the EXIF that ImageMagick writes as hex in a text chunk ("Raw
    profile type exif"), whose chunk is made one that readers skip; and XMP in ``iTXt``,
    plain or compressed."""
    removed, at, inflating = False, len(PNG_SIGNATURE), xmp.Inflating()
    while at + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, at)
        body, end = at + 8, at + 8 + length
        if end + 4 > len(data):
            break
        changed = False
        if kind == b"eXIf":
            changed = _scrub_span(data, body, end)
        elif kind in PNG_TEXT_CHUNKS and data[body:end].startswith(PNG_RAW_EXIF_KEYWORDS):
            changed = _skipped_by_readers(data, at, body, end)
        elif kind == b"iTXt" and data[body:end].startswith(xmp.PNG_XMP_KEYWORD):
            changed = _png_xmp(data, at, body, end, inflating)
        if changed:
            struct.pack_into(">I", data, end, zlib.crc32(data[at + 4 : end]))
            removed = True
        at = end + 4
    return removed


def _png_xmp(data, at, body, end, inflating):
    """XMP in an ``iTXt`` chunk: blanked in place; compressed, the chunk is made one readers
    skip when its packet holds private properties (the packet is lost with them)."""
    flag = body + len(xmp.PNG_XMP_KEYWORD)
    if flag >= end or data[flag] == 0:
        return xmp.blank_private(data, body, end)
    language_end = data.find(b"\0", flag + 2, end)
    translated_end = data.find(b"\0", language_end + 1, end) if language_end != -1 else -1
    if translated_end == -1 or inflating.is_private(bytes(data[translated_end + 1 : end])):
        return _skipped_by_readers(data, at, body, end)
    return False


def _skipped_by_readers(data, at, body, end):
    """Make the chunk at ``at`` an ancillary, private one that every reader skips, emptied."""
    data[at + 4 : at + 8] = PNG_NEUTRAL_CHUNK
    data[body:end] = bytes(end - body)
    return True


def _webp(data):
    removed, at = False, 12
    while at + 8 <= len(data):
        kind, length = struct.unpack_from("<4sI", data, at)
        body, end = at + 8, at + 8 + length
        if end > len(data):
            break
        if kind == b"EXIF":
            removed |= _scrub_span(data, body, end)
        elif kind == b"XMP ":
            removed |= xmp.blank_private(data, body, end)
        at = end + (length & 1)
    return removed


def _heif(data):
    """The Exif item, the XMP item, and a motion photo's video (in an ``mpvd`` box).

    :raise CannotRemove: the Exif or XMP item is there but cannot be scrubbed in place.
    """
    removed, as_uploaded = False, bytes(data)
    for spans_in, scrub in ((isobmff.exif_spans, _scrub_span), (isobmff.xmp_spans, xmp.blank_private)):
        try:
            spans = list(spans_in(as_uploaded))
        except isobmff.UnreachableItem as why:
            raise CannotRemove(str(why)) from None
        except (ValueError, IndexError, struct.error):
            spans = []
        for start, end in spans:
            removed |= scrub(data, start, end)
    return _video_locations(data) | removed


_SCRUBBERS = {"JPEG": _jpeg, "MPO": _jpeg, "PNG": _png, "WEBP": _webp, "HEIF": _heif, "AVIF": _heif}
