"""The location and the person in an XMP packet, blanked in place.

Photo editors (Lightroom, Photoshop) copy the GPS position, the owner and the
serial numbers into the XMP packet too, as attributes (``exif:GPSLatitude="..."``)
or elements (``<dc:creator>...</dc:creator>``). Each such property is overwritten
with spaces, which XML ignores there: the packet keeps its length and stays
well-formed, and the rest of it (an Ultra HDR photo's gain map description among
them) stays as it was.
"""

import re
import zlib

JPEG_XMP_PREFIX = b"http://ns.adobe.com/xap/1.0/\x00"
PNG_XMP_KEYWORD = b"XML:com.adobe.xmp\x00"
PRIVATE_PROPERTIES = (
    rb"exif:GPS\w*",
    rb"exifEX:(?:CameraOwnerName|BodySerialNumber|LensSerialNumber)",
    rb"aux:(?:SerialNumber|OwnerName|LensSerialNumber)",
    rb"photoshop:(?:City|State|Country)",
    rb"Iptc4xmpCore:(?:Location|CountryCode)",
    rb"dc:creator",
)
_NAME = rb"(?:" + rb"|".join(PRIVATE_PROPERTIES) + rb")"
_ATTRIBUTE = re.compile(rb"(?<=\s)" + _NAME + rb"\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_EMPTY_ELEMENT = re.compile(rb"<(" + _NAME + rb")\b[^>]*/>")
_ELEMENT = re.compile(rb"<(" + _NAME + rb")\b[^>]*>.*?</\1\s*>", re.DOTALL)
MAX_INFLATED = 16 * 2**20


def blank_private(data, start, end):
    """Blank the private properties of the XMP packet in ``data[start:end]``, in place;
    return whether there were any."""
    packet = bytes(data[start:end])
    blanked = packet
    for pattern in (_ELEMENT, _EMPTY_ELEMENT, _ATTRIBUTE):
        blanked = pattern.sub(lambda match: b" " * len(match.group(0)), blanked)
    if blanked == packet:
        return False
    data[start:end] = blanked
    return True


def compressed_is_private(compressed):
    """Whether a zlib-compressed packet (PNG's compressed ``iTXt``) holds private properties.
    One that cannot be inflated, or only to more than ``MAX_INFLATED`` bytes, counts as
    holding them: it cannot be looked into."""
    inflate = zlib.decompressobj()
    try:
        packet = inflate.decompress(compressed, MAX_INFLATED)
    except zlib.error:
        return True
    return bool(inflate.unconsumed_tail) or any(
        pattern.search(packet) for pattern in (_ELEMENT, _EMPTY_ELEMENT, _ATTRIBUTE)
    )
