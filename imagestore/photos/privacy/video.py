"""Where a motion photo's video was filmed, blanked in place.

A motion photo is a still with a few seconds of video: Google's and Samsung's
cameras append an MP4 after the JPEG (or put it in an ``mpvd`` box at the end
of a HEIC), and the MP4 carries the position it was filmed at, as Android's
recorder writes it (``moov/udta/©xyz``, an ISO 6709 string; or 3GPP's
``loci``) and as QuickTime's metadata does (``moov/meta``, keys
``com.apple.quicktime.location.*``). Each is found through the MP4's boxes: a
``udta`` box is turned into a ``free`` box of its length, which every reader
skips, and a QuickTime location value is overwritten with spaces. Nothing
else moves, and the video plays as it did.
"""

import re
import struct

from .isobmff import boxes, child

FREE = b"free"
UDTA_LOCATIONS = (b"\xa9xyz", b"loci")
QUICKTIME_LOCATION = b"com.apple.quicktime.location."
FILE_TYPE_SIZES = range(16, 257)
MAX_VIDEOS = 4
_FILE_TYPE = re.compile(rb"ftyp[\x20-\x7e]{4}")


def blank_locations(data):
    """Blank every video location in ``data`` (a ``bytearray``), in place; return whether
    there was any. Only an MP4 whose boxes run from its ``ftyp`` to a ``moov`` is touched,
    and at most ``MAX_VIDEOS`` places that look like the start of one are walked, so that
    a file made of such places costs no more than one."""
    removed, walked = False, 0
    for found in _FILE_TYPE.finditer(data):
        start = found.start() - 4
        if start < 0 or struct.unpack_from(">I", data, start)[0] not in FILE_TYPE_SIZES:
            continue
        moov = child(boxes(data, start, len(data)), b"moov")
        if moov is not None:
            removed |= _blank_movie(data, *moov)
        walked += 1
        if walked == MAX_VIDEOS:
            break
    return removed


def _blank_movie(data, start, end):
    removed = False
    for kind, body, body_end in list(boxes(data, start, end)):
        if kind == b"udta":
            removed |= _free_udta_locations(data, body, body_end)
        elif kind == b"meta":
            removed |= _blank_quicktime_locations(data, body, body_end)
        elif kind == b"trak":
            removed |= _blank_movie(data, body, body_end)
    return removed


def _free_udta_locations(data, start, end):
    removed = False
    for kind, body, body_end in list(boxes(data, start, end)):
        if kind in UDTA_LOCATIONS:
            data[body - 4 : body] = FREE
            data[body:body_end] = bytes(body_end - body)
            removed = True
    return removed


def _blank_quicktime_locations(data, start, end):
    """QuickTime's ``meta`` box names its keys in ``keys`` and holds each value in ``ilst``,
    in an item whose box type is the key's number, counted from 1. QuickTime writes the
    box without the version and flags that ISO's ``meta`` starts with; both are read."""
    if data[start + 4 : start + 8] != b"hdlr":
        start += 4
    children = list(boxes(data, start, end))
    keys, items = child(children, b"keys"), child(children, b"ilst")
    if keys is None or items is None:
        return False
    located = set(_location_key_numbers(data, *keys))
    removed = False
    for kind, body, body_end in boxes(data, *items):
        if struct.unpack(">I", kind)[0] not in located:
            continue
        for value_kind, value, value_end in boxes(data, body, body_end):
            if value_kind == b"data" and value_end - value > 8:
                data[value + 8 : value_end] = b" " * (value_end - value - 8)
                removed = True
    return removed


def _location_key_numbers(data, start, end):
    """The numbers of the location keys: a ``keys`` box is a version, a count, then each
    key as a box whose type is its namespace (``mdta``) and whose body is its name."""
    for number, (_, body, body_end) in enumerate(boxes(data, start + 8, end), start=1):
        if bytes(data[body:body_end]).startswith(QUICKTIME_LOCATION):
            yield number
