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
_PROPERTY = re.compile(rb"<(" + _NAME + rb")(?![\w:])|(?<=\s)" + _NAME + rb"\s*=\s*")
QUOTES = b"\"'"
MAX_INFLATED = 16 * 2**20


def blank_private(data, start, end):
    """Blank the private properties of the XMP packet in ``data[start:end]``, in place;
    return whether there were any."""
    spans = private_spans(bytes(data[start:end]))
    for span_start, span_end in spans:
        data[start + span_start : start + span_end] = b" " * (span_end - span_start)
    return bool(spans)


def private_spans(packet):
    """``(start, end)`` of each private property in ``packet``: an element from its opening
    tag to its closing one, or an attribute with its value. One whose end is missing runs
    to the end of the packet. Found in one pass: each search starts where the last ended,
    so a packet made to look like many unfinished properties costs no more than a real one."""
    spans, at = [], 0
    while (found := _PROPERTY.search(packet, at)) is not None:
        if found.group(1) is not None:
            end = _element_end(packet, found.group(1), found.end())
        elif found.end() < len(packet) and packet[found.end()] in QUOTES:
            closing = packet.find(packet[found.end() : found.end() + 1], found.end() + 1)
            end = len(packet) if closing == -1 else closing + 1
        else:
            at = found.end()
            continue
        spans.append((found.start(), end))
        at = end
    return spans


def _element_end(packet, name, after_name):
    tag_end = packet.find(b">", after_name)
    if tag_end == -1:
        return len(packet)
    if packet[tag_end - 1 : tag_end] == b"/":
        return tag_end + 1
    closing = packet.find(b"</" + name, tag_end)
    closing_end = -1 if closing == -1 else packet.find(b">", closing)
    return len(packet) if closing_end == -1 else closing_end + 1


def compressed_is_private(compressed):
    """Whether a zlib-compressed packet (PNG's compressed ``iTXt``) holds private properties.
    One that cannot be inflated, or only to more than ``MAX_INFLATED`` bytes, counts as
    holding them: it cannot be looked into."""
    inflate = zlib.decompressobj()
    try:
        packet = inflate.decompress(compressed, MAX_INFLATED)
    except zlib.error:
        return True
    return bool(inflate.unconsumed_tail) or bool(private_spans(packet))
