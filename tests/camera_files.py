"""Files shaped like those phones and cameras write, made on the spot with Pillow
and pillow-heif: MPO (JPEG with a second picture in an MPF segment, as Ultra HDR
photos and multi-picture cameras write), HEIC in 8 and 10 bits with and without
alpha, AVIF, CMYK and progressive JPEG, 16-bit and palette PNG, animations, every
EXIF orientation, GPS positions with an owner's name and serial number, in EXIF
and in XMP, and motion photos (a JPEG or HEIC carrying an MP4 that says where it
was filmed).
"""

import functools
import io
import random
import struct

import numpy
import pillow_heif
from PIL import Image, ImageDraw

pillow_heif.register_heif_opener()

GPS_IFD, EXIF_IFD = 0x8825, 0x8769
ORIENTATION, MAKE, MODEL = 0x0112, 0x010F, 0x0110
DATE_TAKEN, OWNER, BODY_SERIAL = 0x9003, 0xA430, 0xA431
OWNER_NAME, SERIAL_NUMBER = "Jane Example", "SN-4455667788"
MAKER, CAMERA = "Examplecam", "X100 Example"


def picture(size=(640, 480), mode="RGB", seed=0):
    """A picture with shapes whose place depends on ``seed``, so that a turn or a flip shows."""
    image = Image.new("RGB", size, (30 + seed % 200, 90, 160))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, 0, width // 3, height // 4), fill=(250, 40, 40))
    draw.ellipse((width // 2, height // 2, width - 1, height - 1), fill=(40, 220, 90))
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize(size))
    return image.convert(mode) if mode not in ("RGB", "RGBA") else image


def camera_exif(orientation=1, gps=True):
    """EXIF as a phone writes it: the camera, the time, a position, an owner and a serial number."""
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[ORIENTATION] = MAKER, CAMERA, orientation
    details = exif.get_ifd(EXIF_IFD)
    details[DATE_TAKEN] = "2026:11:30 10:00:00"
    details[OWNER], details[BODY_SERIAL] = OWNER_NAME, SERIAL_NUMBER
    if gps:
        position = exif.get_ifd(GPS_IFD)
        position[1], position[2] = "N", (48.0, 51.0, 24.0)
        position[3], position[4] = "E", (2.0, 21.0, 7.0)
    return exif


def encoded(image, image_format, **options):
    out = io.BytesIO()
    image.save(out, image_format, **options)
    return out.getvalue()


def jpeg(size=(640, 480), orientation=1, gps=True, **options):
    return encoded(picture(size), "JPEG", exif=camera_exif(orientation, gps), quality=90, **options)


def mpo(size=(640, 480), gps=True):
    """A JPEG carrying a second picture in an MPF segment (a gain map, or a 3D camera's other eye)."""
    second = picture((size[0] // 2, size[1] // 2), seed=7)
    return encoded(picture(size), "MPO", save_all=True, append_images=[second], exif=camera_exif(gps=gps))


def heic(size=(640, 480), bits=8, alpha=False, gps=True):
    image = picture(size, "RGBA" if alpha else "RGB")
    exif = camera_exif(gps=gps).tobytes()
    if bits == 8:
        return encoded(image, "HEIF", exif=exif, quality=80)
    channels = 4 if alpha else 3
    pixels = (numpy.asarray(image, dtype=numpy.uint16) * 257).astype(numpy.uint16)
    assert pixels.shape[2] == channels
    deep = pillow_heif.from_bytes(mode="RGBA;16" if alpha else "RGB;16", size=size, data=pixels.tobytes())
    deep.info["exif"] = exif
    out = io.BytesIO()
    deep.save(out, quality=80)
    return out.getvalue()


def avif(size=(640, 480), gps=True):
    return encoded(picture(size), "AVIF", exif=camera_exif(gps=gps).tobytes(), quality=70)


def webp(size=(640, 480), gps=True):
    return encoded(picture(size), "WEBP", exif=camera_exif(gps=gps).tobytes(), quality=80)


def png(size=(640, 480), gps=True):
    return encoded(picture(size), "PNG", exif=camera_exif(gps=gps).tobytes())


def cmyk_jpeg():
    return encoded(picture(mode="CMYK"), "JPEG", quality=90)


def progressive_jpeg():
    return encoded(picture(), "JPEG", progressive=True, quality=90)


def png_16_bit():
    return encoded(Image.linear_gradient("L").resize((300, 200)).convert("I;16"), "PNG")


def palette_png_with_transparency():
    image = picture(mode="P")
    return encoded(image, "PNG", transparency=0)


def animated(image_format):
    frames = [picture((160, 120), seed=seed) for seed in range(0, 120, 30)]
    return encoded(frames[0], image_format, save_all=True, append_images=frames[1:], duration=100, loop=0)


@functools.cache
def corpus():
    """Every kind of file above, by name: what a test uploads to see each stored and shown."""
    return {
        "ultra-hdr.jpg": mpo(),
        "camera.jpg": jpeg(),
        "iphone.heic": heic(),
        "iphone-10-bit.heic": heic(bits=10),
        "alpha.heic": heic(alpha=True),
        "alpha-10-bit.heic": heic(bits=10, alpha=True),
        "photo.avif": avif(),
        "cmyk.jpg": cmyk_jpeg(),
        "progressive.jpg": progressive_jpeg(),
        "deep.png": png_16_bit(),
        "palette.png": palette_png_with_transparency(),
        "located.png": png(),
        "located.webp": webp(),
        "animated.gif": animated("GIF"),
        "animated.webp": animated("WEBP"),
        "motion-photo.jpg": motion_photo(),
        "motion-photo.heic": heic_motion_photo(),
        "edited.heic": heic_with_xmp(),
        "edited.avif": avif_with_xmp(),
        **{f"orientation-{n}.jpg": jpeg(orientation=n) for n in range(1, 9)},
    }


def upright(data):
    """The image as shown: decoded, turned as its EXIF says."""
    from PIL import ImageOps

    return ImageOps.exif_transpose(Image.open(io.BytesIO(data)))


XMP_WITH_POSITION = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"'
    b' xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    b' xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/"'
    b' exif:GPSLatitude="48,51.4N" exif:GPSLongitude="2,21.1E"'
    b' aux:SerialNumber="' + SERIAL_NUMBER.encode() + b'"'
    b' hdrgm:Version="1.0"><dc:creator><rdf:Seq><rdf:li>' + OWNER_NAME.encode() + b"</rdf:li></rdf:Seq>"
    b"</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
)


def jpeg_with_xmp():
    """A JPEG as photo editors export it: the position, serial number and creator in XMP too."""
    return encoded(picture(), "JPEG", quality=90, xmp=XMP_WITH_POSITION, exif=camera_exif())


def png_with_imagemagick_exif():
    """A PNG with its EXIF as ImageMagick writes it: hex in a text chunk, "Raw profile type exif"."""
    from PIL import PngImagePlugin

    raw = b"Exif\x00\x00" + camera_exif().tobytes()
    text = PngImagePlugin.PngInfo()
    text.add_text("Raw profile type exif", f"\nexif\n{len(raw):8d}\n{raw.hex()}\n", zip=True)
    return encoded(picture(), "PNG", pnginfo=text)


def png_with_compressed_xmp(xmp=XMP_WITH_POSITION):
    """A PNG whose XMP packet is in a compressed ``iTXt`` chunk, as some editors save it."""
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_itxt("XML:com.adobe.xmp", xmp.decode(), zip=True)
    return encoded(picture(), "PNG", pnginfo=text)


def jpeg_with_a_comment_that_looks_like_exif():
    """A comment whose bytes look like an EXIF segment running on over the real ones: only a
    segment walker tells them apart."""
    plain = encoded(picture(), "JPEG", quality=90)
    fake = b"\xff\xe1\x04\x00Exif\x00\x00II*\x00\xff\xff\xff\xff"
    comment = b"\xff\xfe" + (len(fake) + 2).to_bytes(2, "big") + fake
    return plain[:2] + comment + plain[2:]


def heic_with_xmp():
    """A HEIC as photo editors export it: the position, serial number and creator in an XMP item too."""
    return encoded(picture(), "HEIF", quality=80, xmp=XMP_WITH_POSITION, exif=camera_exif().tobytes())


def avif_with_xmp():
    return encoded(picture(), "AVIF", quality=70, xmp=XMP_WITH_POSITION, exif=camera_exif().tobytes())


VIDEO_POSITION = b"+48.8566+002.3522/"
VIDEO_FRAMES = random.Random(5).randbytes(4000).replace(b"<", b"=")
MOTION_PHOTO_XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:GCamera="http://ns.google.com/photos/1.0/camera/"'
    b' xmlns:Container="http://ns.google.com/photos/1.0/container/"'
    b' xmlns:Item="http://ns.google.com/photos/1.0/container/item/"'
    b' GCamera:MotionPhoto="1" GCamera:MotionPhotoVersion="1" GCamera:MotionPhotoPresentationTimestampUs="0">'
    b'<Container:Directory><rdf:Seq><rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="image/jpeg"'
    b' Item:Semantic="Primary" Item:Length="0"/></rdf:li><rdf:li rdf:parseType="Resource"><Container:Item'
    b' Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="%d"/></rdf:li></rdf:Seq>'
    b"</Container:Directory></rdf:Description></rdf:RDF></x:xmpmeta>"
)


def box(kind, *bodies):
    """An ISO base media box: its size, its type, then its body."""
    body = b"".join(bodies)
    return struct.pack(">I4s", 8 + len(body), kind) + body


VIDEO_FILE_TYPE = box(b"ftyp", b"mp42", bytes(4), b"isommp42")


def large_box(kind, *bodies):
    """A box with a 64-bit size, as recorders write boxes that may grow past 4 GB."""
    body = b"".join(bodies)
    return struct.pack(">I4sQ", 1, kind, 16 + len(body)) + body


def motion_video():
    """The MP4 a motion photo carries, box by box as Android's recorder and QuickTime write
    them: the frames, then the movie with where it was filmed, as ``udta/©xyz`` (ISO 6709),
    3GPP's ``udta/loci`` (with a 64-bit size), iTunes-style ``udta/meta/ilst/©xyz``, a
    track's own ``udta/©xyz``, and QuickTime's ``meta`` key ``com.apple.quicktime.location.ISO6709``."""
    place = box(b"\xa9xyz", struct.pack(">HH", len(VIDEO_POSITION), 0x15C7), VIDEO_POSITION)
    fixed_point = struct.pack(">iii", int(2.3522 * 65536), int(48.8566 * 65536), 0)
    language = struct.pack(">H", 0x15C7)
    loci = large_box(b"loci", bytes(4), language, b"Home\0", b"\0", fixed_point, b"earth\0\0")
    text = box(b"data", struct.pack(">II", 1, 0), VIDEO_POSITION)
    handler = box(b"hdlr", bytes(8), b"mdir", bytes(13))
    itunes = box(b"meta", bytes(4), handler, box(b"ilst", box(b"\xa9xyz", text)))
    quicktime = box(
        b"meta",
        box(b"hdlr", bytes(8), b"mdta", bytes(13)),
        box(b"keys", struct.pack(">II", 0, 2), box(b"mdta", b"com.android.version"),
            box(b"mdta", b"com.apple.quicktime.location.ISO6709")),
        box(b"ilst", box(struct.pack(">I", 1), box(b"data", struct.pack(">II", 1, 0), b"14")),
            box(struct.pack(">I", 2), box(b"data", struct.pack(">II", 1, 0), VIDEO_POSITION))),
    )  # fmt: skip
    track = box(b"trak", box(b"tkhd", bytes(84)), box(b"udta", place))
    movie = box(b"moov", box(b"mvhd", bytes(100)), track, box(b"udta", place, loci, itunes), quicktime)
    return VIDEO_FILE_TYPE + box(b"mdat", VIDEO_FRAMES) + movie


def motion_photo():
    """A JPEG as Google's and Samsung's cameras write a motion photo: XMP that names the
    video, and the MP4 appended after the picture."""
    video = motion_video()
    still = encoded(picture(), "JPEG", quality=90, exif=camera_exif(), xmp=MOTION_PHOTO_XMP % len(video))
    return still + video


def heic_motion_photo():
    """A HEIC motion photo: the MP4 in an ``mpvd`` box after the picture's boxes."""
    return heic() + box(b"mpvd", motion_video())


def heif_with_an_xmp_item(packet, encoding=b"", in_meta=False):
    """The boxes of a HEIF with one XMP item, stored as ``encoding`` says, in the file's data
    or in the ``meta`` box's own ``idat`` (construction method 1)."""
    item = box(
        b"infe",
        bytes([2, 0, 0, 0]),
        struct.pack(">HH", 1, 0),
        b"mime\0application/rdf+xml\0" + encoding + b"\0",
    )

    def meta(offset):
        one_extent = struct.pack(">HHHHHII", 1, 1, int(in_meta), 0, 1, 0 if in_meta else offset, len(packet))
        located = box(b"iloc", bytes([1, 0, 0, 0]), bytes([0x44, 0]), one_extent)
        inside = [box(b"idat", packet)] if in_meta else []
        return box(b"meta", bytes(4), box(b"hdlr", bytes(8), b"pict", bytes(13)),
                   box(b"iinf", bytes(4), struct.pack(">H", 1), item), located, *inside)  # fmt: skip

    head = box(b"ftyp", b"heic", bytes(4), b"mif1heic")
    return head + meta(len(head) + len(meta(0)) + 8) + box(b"mdat", b"" if in_meta else packet)
