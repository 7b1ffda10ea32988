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
_PROPERTY = re.compile(rb"<(" + _NAME + rb")(?![\w:.-])|(?<=\s)" + _NAME + rb"\s*=\s*")
_TAG_STOP = re.compile(rb"[>\"']")
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
    tag_end = _tag_end(packet, after_name)
    if tag_end == len(packet) or packet[tag_end - 2 : tag_end - 1] == b"/":
        return tag_end
    closing = re.compile(rb"</" + re.escape(name) + rb"\s*>").search(packet, tag_end)
    return len(packet) if closing is None else closing.end()


def _tag_end(packet, at):
    """Where the tag that runs on at ``at`` ends, just past its ``>``, quoted values skipped;
    the end of the packet when it does not."""
    while (stop := _TAG_STOP.search(packet, at)) is not None:
        if stop.group() == b">":
            return stop.end()
        closing_quote = packet.find(stop.group(), stop.end())
        if closing_quote == -1:
            break
        at = closing_quote + 1
    return len(packet)


class Inflating:
    """What one upload may have inflated to look into compressed packets: ``MAX_INFLATED``
    bytes in all, however many packets it holds."""

    def __init__(self):
        self.left = MAX_INFLATED

    def is_private(self, compressed):
        """Whether a zlib-compressed packet holds private properties. One that cannot be
        inflated, or not within what is left, counts as holding them: it cannot be looked
        into."""
        if self.left <= 0:
            return True
        inflate = zlib.decompressobj()
        try:
            packet = inflate.decompress(compressed, self.left)
        except zlib.error:
            return True
        self.left -= len(packet)
        return bool(inflate.unconsumed_tail) or bool(private_spans(packet))
