"""Taking the location, and the person and device, out of an EXIF block without
moving a byte of anything else.

An EXIF block is a small TIFF file: directories of tagged entries pointing at
values. The location is one directory (GPS), the person and device a few
entries (owner name, serial numbers, the maker's private notes). They are
removed in place: their entries are dropped from their directory, their
values overwritten with zeros, and the block keeps its length.
"""

import struct

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
PERSONAL_TAGS = {
    0x013B,  # Artist
    0x9C9D,  # XPAuthor
    0x927C,  # MakerNote: the maker's private notes, with serial numbers, sometimes a location
    0xA420,  # ImageUniqueID
    0xA430,  # CameraOwnerName
    0xA431,  # BodySerialNumber
    0xA435,  # LensSerialNumber
}
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
ENTRY_SIZE = 12
MAX_ENTRIES = 1000


class UnreadableExif(ValueError):
    """The block is not a TIFF structure that can be walked safely."""


def remove_private_tags(tiff):
    """Return ``tiff`` (an EXIF block, from its ``II*`` or ``MM*`` header on) without its
    location and personal tags, the same length, and whether anything was removed.

    A block that cannot be walked is replaced by an empty one of the same length,
    so nothing in it can leak.
    """
    block = bytearray(tiff)
    try:
        removed = _Tiff(block).remove_private()
    except (UnreadableExif, struct.error):
        return empty_block(len(tiff)), True
    return bytes(block), removed


def empty_block(length):
    """A TIFF block of ``length`` bytes with one empty directory: no tags at all."""
    empty = b"II*\x00" + struct.pack("<IHI", 8, 0, 0)
    return (empty + bytes(length - len(empty))) if length >= len(empty) else bytes(length)


class _Tiff:
    def __init__(self, block):
        self.block = block
        order = bytes(block[:4])
        if order == b"II*\x00":
            self.endian = "<"
        elif order == b"MM\x00*":
            self.endian = ">"
        else:
            raise UnreadableExif("no TIFF header")

    def remove_private(self):
        ifd0 = self._read("I", 4)
        removed = self._drop(ifd0, PERSONAL_TAGS | {GPS_IFD})
        for entry in self._entries(ifd0):
            if entry.tag == EXIF_IFD:
                removed |= self._drop(self._value_offset(entry), PERSONAL_TAGS | {GPS_IFD})
        next_ifd = self._next_ifd(ifd0)
        if next_ifd:
            removed |= self._drop(next_ifd, PERSONAL_TAGS | {GPS_IFD})
        return removed

    def _drop(self, ifd, tags):
        """Drop the entries of ``tags`` from the directory at ``ifd``, in place."""
        entries = self._entries(ifd)
        kept = [entry for entry in entries if entry.tag not in tags]
        if len(kept) == len(entries):
            return False
        for entry in entries:
            if entry.tag in tags:
                if entry.tag == GPS_IFD:
                    self._erase_directory(self._value_offset(entry))
                self._erase_value(entry)
        next_pointer = self._next_ifd(ifd)
        start = ifd + 2
        self._zero(start, len(entries) * ENTRY_SIZE + 4)
        self._write("H", ifd, len(kept))
        for number, entry in enumerate(kept):
            self.block[start + number * ENTRY_SIZE : start + (number + 1) * ENTRY_SIZE] = entry.raw
        self._write("I", start + len(kept) * ENTRY_SIZE, next_pointer)
        return True

    def _erase_directory(self, ifd):
        entries = self._entries(ifd)
        for entry in entries:
            self._erase_value(entry)
        self._zero(ifd, 2 + len(entries) * ENTRY_SIZE + 4)

    def _erase_value(self, entry):
        if entry.size > 4:
            self._zero(self._value_offset(entry), entry.size)

    def _entries(self, ifd):
        count = self._read("H", ifd)
        if count > MAX_ENTRIES or ifd + 2 + count * ENTRY_SIZE + 4 > len(self.block):
            raise UnreadableExif("a directory runs past the block")
        return [self._entry(ifd + 2 + number * ENTRY_SIZE) for number in range(count)]

    def _entry(self, at):
        tag, kind, count = struct.unpack_from(self.endian + "HHI", self.block, at)
        size = TYPE_SIZES.get(kind, 1) * count
        return _Entry(tag, size, at, bytes(self.block[at : at + ENTRY_SIZE]))

    def _value_offset(self, entry):
        offset = self._read("I", entry.at + 8)
        if entry.size > 4 and offset + entry.size > len(self.block):
            raise UnreadableExif("a value runs past the block")
        return offset

    def _next_ifd(self, ifd):
        return self._read("I", ifd + 2 + self._read("H", ifd) * ENTRY_SIZE)

    def _read(self, kind, at):
        if at < 0 or at + struct.calcsize(kind) > len(self.block):
            raise UnreadableExif("an offset points past the block")
        return struct.unpack_from(self.endian + kind, self.block, at)[0]

    def _write(self, kind, at, value):
        struct.pack_into(self.endian + kind, self.block, at, value)

    def _zero(self, at, length):
        self.block[at : at + length] = bytes(length)


class _Entry:
    __slots__ = ("tag", "size", "at", "raw")

    def __init__(self, tag, size, at, raw):
        self.tag, self.size, self.at, self.raw = tag, size, at, raw
