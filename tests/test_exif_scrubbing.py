"""The EXIF block scrubbed in place: hand-made blocks in both byte orders, with the GPS
directory where cameras put it and where some tools do, and blocks that point anywhere."""

import struct

import pytest

from imagestore.photos.privacy.tiff import remove_private_tags

GPS, EXIF, OWNER, ORIENTATION = 0x8825, 0x8769, 0xA430, 0x0112
OWNER_NAME = b"Jane Example\x00"
LATITUDE_AT, OWNER_AT = 340, 300


def block(order, gps_in="ifd0"):
    """A 512-byte EXIF block: IFD0 at 8 (orientation, the Exif directory, maybe GPS), the
    Exif directory at 100 (the owner, maybe GPS), the GPS directory at 200."""
    data = bytearray(512)
    data[:8] = (b"II*\x00" if order == "<" else b"MM\x00*") + struct.pack(order + "I", 8)

    def directory(at, entries):
        struct.pack_into(order + "H", data, at, len(entries))
        for number, (tag, kind, count, value) in enumerate(entries):
            struct.pack_into(order + "HHI", data, at + 2 + 12 * number, tag, kind, count)
            data[at + 2 + 12 * number + 8 : at + 2 + 12 * number + 12] = value

    long_ = lambda value: struct.pack(order + "I", value)  # noqa: E731
    data[OWNER_AT : OWNER_AT + len(OWNER_NAME)] = OWNER_NAME
    data[LATITUDE_AT : LATITUDE_AT + 24] = struct.pack(order + "6I", 48, 1, 51, 1, 24, 1)
    gps_pointer = (GPS, 4, 1, long_(200))
    ifd0 = [(ORIENTATION, 3, 1, struct.pack(order + "H", 6) + b"\0\0"), (EXIF, 4, 1, long_(100))]
    exif = [(OWNER, 2, len(OWNER_NAME), long_(OWNER_AT))]
    (ifd0 if gps_in == "ifd0" else exif).append(gps_pointer)
    directory(8, ifd0)
    directory(100, exif)
    directory(200, [(1, 2, 2, b"N\0\0\0"), (2, 5, 3, long_(LATITUDE_AT))])
    return bytes(data)


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("gps_in", ["ifd0", "exif"])
def test_the_gps_directory_and_the_owner_are_gone_and_the_orientation_kept(order, gps_in):
    original = block(order, gps_in)
    scrubbed, removed = remove_private_tags(original)
    assert removed and len(scrubbed) == len(original)
    assert scrubbed[LATITUDE_AT : LATITUDE_AT + 24] == bytes(24)
    assert OWNER_NAME not in scrubbed
    assert struct.pack(order + "H", ORIENTATION) in scrubbed[8:40]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:12],
        lambda data: data[:8] + b"\xff" * (len(data) - 8),
        lambda data: data[:4] + struct.pack("<I", 10**9) + data[8:],
        lambda data: b"XX" + data[2:],
    ],
    ids=["cut", "garbage directories", "offset past the end", "no TIFF header"],
)
def test_a_block_that_cannot_be_walked_is_emptied_to_its_own_length(damage):
    broken = damage(block("<"))
    scrubbed, removed = remove_private_tags(broken)
    assert removed and len(scrubbed) == len(broken)
    assert OWNER_NAME not in scrubbed
