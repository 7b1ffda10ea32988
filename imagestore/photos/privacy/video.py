"""Where a motion photo's video was filmed, blanked in place.

A motion photo is a still with a few seconds of video: Google's and Samsung's
cameras append an MP4 after the JPEG (or put it in an ``mpvd`` box at the end
of a HEIC), and the MP4 carries the position it was filmed at, as Android's
recorder writes it (``moov/udta/©xyz``, an ISO 6709 string; or 3GPP's
``loci``), as iTunes-style metadata does (``udta/meta/ilst/©xyz``), and as
QuickTime's does (``moov/meta``, keys ``com.apple.quicktime.location.*``), in
the movie or in one of its tracks. Each is found through the MP4's boxes: a
location box is turned into a ``free`` box of its length, which every reader
skips, and a QuickTime location value is overwritten with spaces. Nothing
else moves, and the video plays as it did.

Each movie is walked once, at most ``MAX_VIDEOS`` of them and ``MAX_BOXES_WALKED``
boxes in all, so that no upload costs more than a real motion photo many times
over; a file past those limits is one whose videos cannot all be looked into
(``TooManyBoxes``).
"""

import re
import struct

from .isobmff import boxes, child

FREE = b"free"
LOCATION_BOXES = (b"\xa9xyz", b"loci")
QUICKTIME_LOCATION = b"com.apple.quicktime.location."
FILE_TYPE_SIZES = range(16, 257)
MAX_VIDEOS = 4
MAX_BOXES_WALKED = 100_000
_FILE_TYPE = re.compile(rb"ftyp[\x20-\x7e]{4}")


class TooManyBoxes(ValueError):
    """The file holds more videos, or more boxes, than a motion photo does."""


class _Walk:
    """The boxes of one upload, counted against ``MAX_BOXES_WALKED``."""

    def __init__(self, data):
        self.data, self.left = data, MAX_BOXES_WALKED

    def boxes(self, start, end):
        for found in boxes(self.data, start, end):
            if self.left <= 0:
                raise TooManyBoxes(f"more than {MAX_BOXES_WALKED} boxes")
            self.left -= 1
            yield found


def blank_locations(data):
    """Blank every video location in ``data`` (a ``bytearray``), in place; return whether
    there was any. Only an MP4 whose boxes run from its ``ftyp`` to a ``moov`` is touched."""
    walk, movies, removed = _Walk(data), set(), False
    for found in _FILE_TYPE.finditer(data):
        start = found.start() - 4
        if start < 0 or struct.unpack_from(">I", data, start)[0] not in FILE_TYPE_SIZES:
            continue
        moov = child(walk.boxes(start, len(data)), b"moov")
        if moov is not None and moov not in movies:
            if len(movies) == MAX_VIDEOS:
                raise TooManyBoxes(f"more than {MAX_VIDEOS} videos")
            movies.add(moov)
            removed |= _blank_movie(walk, *moov)
    return removed


def _blank_movie(walk, start, end, in_track=False):
    """The movie's own metadata, and each of its tracks'."""
    removed = False
    for kind, _, body, body_end in list(walk.boxes(start, end)):
        if kind == b"udta":
            removed |= _free_locations(walk, body, body_end)
        elif kind == b"meta":
            removed |= _blank_quicktime_locations(walk, body, body_end)
        elif kind == b"trak" and not in_track:
            removed |= _blank_movie(walk, body, body_end, in_track=True)
    return removed


def _free_locations(walk, start, end, in_items=False):
    """``©xyz`` and ``loci`` among a ``udta`` box's children, and among the items of its
    iTunes-style ``meta``."""
    removed = False
    for kind, box_start, body, body_end in list(walk.boxes(start, end)):
        if kind in LOCATION_BOXES:
            walk.data[box_start + 4 : box_start + 8] = FREE
            walk.data[body:body_end] = bytes(body_end - body)
            removed = True
        elif kind == b"meta" and not in_items:
            items = child(walk.boxes(*_meta_children(walk.data, body, body_end)), b"ilst")
            removed |= items is not None and _free_locations(walk, *items, in_items=True)
    return removed


def _blank_quicktime_locations(walk, start, end):
    """QuickTime's ``meta`` box names its keys in ``keys`` and holds each value in ``ilst``,
    in an item whose box type is the key's number, counted from 1."""
    children = list(walk.boxes(*_meta_children(walk.data, start, end)))
    keys, items = child(children, b"keys"), child(children, b"ilst")
    if keys is None or items is None:
        return False
    located = set(_location_key_numbers(walk, *keys))
    removed = False
    for kind, _, body, body_end in list(walk.boxes(*items)):
        if struct.unpack(">I", kind)[0] not in located:
            continue
        for value_kind, _, value, value_end in list(walk.boxes(body, body_end)):
            if value_kind == b"data" and value_end - value > 8:
                walk.data[value + 8 : value_end] = b" " * (value_end - value - 8)
                removed = True
    return removed


def _meta_children(data, start, end):
    """Where a ``meta`` box's children start: ISO's starts with a version and flags (zero),
    QuickTime's with its first child's size."""
    return (start + 4 if data[start : start + 4] == bytes(4) else start), end


def _location_key_numbers(walk, start, end):
    """The numbers of the location keys: a ``keys`` box is a version, a count, then each
    key as a box whose type is its namespace (``mdta``) and whose body is its name."""
    for number, (_, _, body, body_end) in enumerate(walk.boxes(start + 8, end), start=1):
        if bytes(walk.data[body:body_end]).startswith(QUICKTIME_LOCATION):
            yield number
