"""Real photos, as phones and cameras write them: every common file stored and shown
upright, without the place it was taken or who took it.

Each file of the corpus (``camera_files``) is stored, served back as its own type,
and shown through a thumbnail and, where browsers cannot show the original well,
a screen-sized rendition. The GPS position and personal EXIF tags are taken out of
the stored original in place: same length, every pixel as uploaded.
"""

import functools
import io
import struct
import zlib

import camera_files
import pytest
import samples
from PIL import Image

from imagestore.photos import decoding, incoming, privacy
from imagestore.photos.images import ImageRejected
from imagestore.photos.privacy import xmp
from imagestore.state import current

CORPUS = camera_files.corpus()
EXPECTED_TYPES = {
    "heic": "image/heic",
    "avif": "image/avif",
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
}
LOCATED = [name for name in CORPUS if name.endswith((".jpg", ".heic", ".avif")) or "located" in name]
LOCATED = [name for name in LOCATED if name not in ("cmyk.jpg", "progressive.jpg")]
SHOWN_BY_EVERY_BROWSER = {"image/jpeg", "image/png", "image/webp", "image/gif"}
SIDEWAYS = {5, 6, 7, 8}


@pytest.fixture
def backend():
    """How a file is judged does not depend on where it is stored; see the last tests for that."""
    return "in-memory"


def stored(upload, name, data=None):
    answer = upload((name, CORPUS[name] if data is None else data))
    assert answer.status_code == 201, answer.json
    return answer.json["stored"][0]


def opened(data):
    return Image.open(io.BytesIO(data))


def pixels_of_every_picture(data):
    image = opened(data)
    frames = []
    for number in range(getattr(image, "n_frames", 1)):
        image.seek(number)
        frames.append(image.convert("RGBA").tobytes())
    return frames


def expected_size(name):
    width, height = opened(CORPUS[name]).size if not name.endswith(".heic") else (640, 480)
    orientation = int(name.split("-")[1].split(".")[0]) if name.startswith("orientation-") else 1
    return (height, width) if orientation in SIDEWAYS else (width, height)


@pytest.mark.parametrize("name", CORPUS)
def test_every_camera_file_is_stored_and_served_as_its_own_type(client, upload, name):
    image = stored(upload, name)
    assert image["content_type"] == EXPECTED_TYPES[name.rsplit(".", 1)[1]]
    served = client.get(image["url"])
    assert served.status_code == 200
    assert served.mimetype == image["content_type"]


@pytest.mark.parametrize("name", CORPUS)
def test_width_and_height_are_those_of_the_upright_image(upload, name):
    image = stored(upload, name)
    assert (image["width"], image["height"]) == expected_size(name)


@pytest.mark.parametrize("name", CORPUS)
def test_every_camera_file_is_shown_through_previews_every_browser_displays(client, upload, name):
    image = stored(upload, name)
    for url in (image["thumbnail_url"], image["view_url"]):
        preview = client.get(url)
        assert preview.status_code == 200, url
        assert preview.mimetype in SHOWN_BY_EVERY_BROWSER
        assert opened(preview.data).size[0] > 0


@pytest.mark.parametrize("name", [name for name in CORPUS if name.startswith("orientation-")])
def test_previews_are_upright(client, upload, name):
    image = stored(upload, name)
    thumbnail = opened(client.get(image["thumbnail_url"]).data)
    portrait = image["height"] > image["width"]
    assert (thumbnail.height > thumbnail.width) == portrait
    reference = camera_files.upright(CORPUS[name]).convert("RGB").resize(thumbnail.size)
    corner = thumbnail.convert("RGB").getpixel((2, 2))
    assert max(abs(a - b) for a, b in zip(corner, reference.getpixel((2, 2)), strict=True)) < 40


@pytest.mark.parametrize("name", ["iphone.heic", "alpha-10-bit.heic", "photo.avif"])
def test_formats_browsers_cannot_all_show_are_viewed_through_a_rendition(upload, name):
    assert "/screen/" in stored(upload, name)["view_url"]


@pytest.mark.parametrize("name", ["camera.jpg", "located.png", "animated.gif", "animated.webp"])
def test_screen_sized_images_every_browser_shows_are_viewed_as_they_are(upload, name):
    image = stored(upload, name)
    assert image["view_url"] == image["url"]


def test_the_viewer_shows_a_12_megapixel_photo_through_a_rendition_of_at_most_a_fifth_of_its_bytes(
    client, upload
):
    original = samples.photo(size=(4000, 3000), seed=12)
    image = stored(upload, "big.jpg", original)
    assert "/screen/" in image["view_url"]
    rendition = client.get(image["view_url"])
    assert rendition.status_code == 200 and rendition.headers["ETag"]
    assert max(opened(rendition.data).size) <= 2048
    assert len(rendition.data) <= len(original) / 5
    assert (
        client.get(image["view_url"], headers={"If-None-Match": rendition.headers["ETag"]}).status_code == 304
    )


@pytest.mark.parametrize("name", LOCATED)
def test_the_location_and_personal_tags_are_gone_from_the_served_original(client, upload, name):
    image = stored(upload, name)
    assert image["location_removed"] is True
    served = client.get(image["url"]).data
    for number in range(getattr(opened(served), "n_frames", 1)):
        picture = opened(served)
        picture.seek(number)
        exif = picture.getexif()
        assert not exif.get_ifd(camera_files.GPS_IFD), f"picture {number} still has its GPS position"
        details = exif.get_ifd(camera_files.EXIF_IFD)
        assert camera_files.OWNER not in details and camera_files.BODY_SERIAL not in details
    assert camera_files.OWNER_NAME.encode() not in served
    assert camera_files.SERIAL_NUMBER.encode() not in served


@pytest.mark.parametrize("name", LOCATED)
def test_removing_the_location_keeps_every_pixel_and_the_length(client, upload, name):
    served = client.get(stored(upload, name)["url"]).data
    assert len(served) == len(CORPUS[name])
    assert pixels_of_every_picture(served) == pixels_of_every_picture(CORPUS[name])


@pytest.mark.parametrize("name", ["camera.jpg", "iphone.heic"])
def test_the_camera_time_and_orientation_are_kept(client, upload, name):
    exif = opened(client.get(stored(upload, name)["url"]).data).getexif()
    assert exif[camera_files.MODEL] == camera_files.CAMERA
    assert exif.get_ifd(camera_files.EXIF_IFD)[camera_files.DATE_TAKEN] == "2026:11:30 10:00:00"


def test_the_second_picture_of_an_mpo_is_kept_whole(client, upload):
    served = opened(client.get(stored(upload, "ultra-hdr.jpg")["url"]).data)
    assert served.format == "MPO" and served.n_frames == 2


def test_a_store_set_to_keep_locations_keeps_the_original_byte_for_byte(make_app, upload):
    client = make_app(KEEP_LOCATION=True).test_client()
    image = stored(lambda *files: upload(*files, to=client), "camera.jpg")
    assert image["location_removed"] is False
    assert client.get(image["url"]).data == CORPUS["camera.jpg"]


@pytest.mark.parametrize("name", ["camera.jpg", "ultra-hdr.jpg", "iphone.heic"])
def test_previews_carry_no_exif(client, upload, name):
    image = stored(upload, name)
    for url in (image["thumbnail_url"], f"/screen/{image['key']}"):
        assert not opened(client.get(url).data).getexif(), url


def test_an_original_whose_location_cannot_be_removed_is_refused(monkeypatch):
    monkeypatch.setattr(privacy, "remove_location", lambda data, image_format: (data, False))
    with pytest.raises(ImageRejected, match="location"):
        incoming.prepare(CORPUS["camera.jpg"], 50_000_000, False, decoding.PixelBudget(10**8, 1))


@pytest.mark.parametrize("name", CORPUS)
@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_a_damaged_camera_file_is_stored_whole_or_refused_with_a_reason(client, upload, name, damage):
    data = CORPUS[name]
    if damage == "truncated":
        damaged = data[: len(data) // 2]
    else:
        middle = len(data) // 2
        damaged = (
            data[:middle] + bytes(byte ^ 0x5A for byte in data[middle : middle + 64]) + data[middle + 64 :]
        )
    answer = upload((name, damaged))
    assert answer.status_code in (201, 400), answer.json
    if answer.status_code == 400:
        assert answer.json["rejected"][0]["error"]
    else:
        for url in ("url", "thumbnail_url", "view_url"):
            assert client.get(answer.json["stored"][0][url]).status_code == 200


def test_an_upload_that_finds_the_decoding_budget_taken_gets_503_with_retry_after(make_app, upload):
    app = make_app(DECODE_WAIT=0.2)
    client = app.test_client()
    with current(app).pixel_budget.decoding(10**12):
        answer = upload(("camera.jpg", CORPUS["camera.jpg"]), to=client)
    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) >= 1
    assert "busy" in answer.json["error"]
    assert client.get("/api/images").json["total"] == 0


def test_the_page_has_its_own_icon(client):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon"' in page
    assert client.get("/static/favicon.svg").status_code == 200
    assert client.get("/favicon.ico", follow_redirects=True).status_code == 200


def test_a_position_an_owner_and_a_serial_number_in_xmp_are_blanked(client, upload):
    original = camera_files.jpeg_with_xmp()
    served = client.get(stored(upload, "edited.jpg", original)["url"]).data
    assert len(served) == len(original)
    for private in (b"48,51.4N", camera_files.SERIAL_NUMBER.encode(), camera_files.OWNER_NAME.encode()):
        assert private not in served
    assert b'hdrgm:Version="1.0"' in served, "the rest of the XMP packet is kept"
    assert pixels_of_every_picture(served) == pixels_of_every_picture(original)


@pytest.mark.parametrize("name", ["edited.heic", "edited.avif"])
def test_a_position_an_owner_and_a_serial_number_in_the_xmp_item_of_a_heif_are_blanked(client, upload, name):
    served = client.get(stored(upload, name)["url"]).data
    assert len(served) == len(CORPUS[name])
    for private in (b"48,51.4N", camera_files.SERIAL_NUMBER.encode(), camera_files.OWNER_NAME.encode()):
        assert private not in served
    assert b'hdrgm:Version="1.0"' in served, "the rest of the XMP packet is kept"


PLACES = (b"\xa9xyz", b"loci")


def video_boxes(data):
    """Every box of the video in ``data``, as ``(depth, type, size)``, walked as a player
    walks the boxes it knows to hold others."""
    found = []

    def walk(start, end, depth):
        at = start
        while at + 8 <= end:
            size, kind = struct.unpack_from(">I4s", data, at)
            header = 16 if size == 1 else 8
            size = struct.unpack_from(">Q", data, at + 8)[0] if size == 1 else size
            found.append((depth, kind, size))
            body = at + header
            if kind == b"meta" and data[body : body + 4] == bytes(4):
                body += 4
            if kind in (b"moov", b"trak", b"udta", b"ilst", b"meta"):
                walk(body, at + size, depth + 1)
            at += size

    walk(data.index(b"ftypmp42") - 4, len(data), 0)
    return found


@pytest.mark.parametrize("name", ["motion-photo.jpg", "motion-photo.heic"])
def test_where_a_motion_photo_s_video_was_filmed_is_gone_and_the_video_kept(client, upload, name):
    served = client.get(stored(upload, name)["url"]).data
    assert len(served) == len(CORPUS[name])
    assert camera_files.VIDEO_POSITION not in served and b"loci" not in served
    assert camera_files.VIDEO_FRAMES in served and b"com.android.version" in served
    assert pixels_of_every_picture(served) == pixels_of_every_picture(CORPUS[name])


@pytest.mark.parametrize("name", ["motion-photo.jpg", "motion-photo.heic"])
def test_a_motion_photo_s_video_keeps_every_box_where_it_was_with_its_places_made_free(client, upload, name):
    original = video_boxes(CORPUS[name])
    served = video_boxes(client.get(stored(upload, name)["url"]).data)
    kinds = [kind for _, kind, _ in original]
    assert kinds.count(b"\xa9xyz") == 3 and kinds.count(b"loci") == 1
    assert served == [(depth, b"free" if kind in PLACES else kind, size) for depth, kind, size in original]


NESTED_TRACKS = functools.reduce(lambda inner, _: camera_files.box(b"trak", inner), range(1000), b"")
NESTED_ITEMS = camera_files.box(
    b"udta",
    functools.reduce(
        lambda inner, _: camera_files.box(b"meta", bytes(4), camera_files.box(b"ilst", inner)),
        range(1200),
        camera_files.box(b"\xa9xyz", camera_files.VIDEO_POSITION),
    ),
)
VIDEO_START = camera_files.VIDEO_FILE_TYPE
CRAFTED_VIDEOS = {
    "a 64-bit box cut short": VIDEO_START + struct.pack(">I4s", 1, b"mdat"),
    "tracks nested a thousand deep": VIDEO_START + camera_files.box(b"moov", NESTED_TRACKS),
    "many file types before one movie": VIDEO_START * 50 + camera_files.motion_video(),
    "metadata nested a thousand deep": VIDEO_START
    + camera_files.box(b"moov", camera_files.box(b"udta", NESTED_ITEMS)),
}


@pytest.mark.parametrize("crafted", CRAFTED_VIDEOS)
def test_a_video_made_to_break_the_walk_gets_an_answer_not_an_error(client, upload, crafted):
    answer = upload(("crafted.jpg", CORPUS["camera.jpg"] + CRAFTED_VIDEOS[crafted]))
    assert answer.status_code in (201, 400), answer.json


@pytest.mark.parametrize(
    "stored",
    [{"encoding": b"deflate"}, {"in_meta": True}, {"in_meta": True, "encoding": b"deflate"}],
    ids=["compressed", "in-the-meta-box", "compressed-in-the-meta-box"],
)
def test_an_xmp_item_with_a_position_that_cannot_be_blanked_in_place_is_refused(stored):
    packet = camera_files.XMP_WITH_POSITION
    packet = zlib.compress(packet) if stored.get("encoding") else packet
    with pytest.raises(privacy.CannotRemove):
        privacy.remove_location(camera_files.heif_with_an_xmp_item(packet, **stored), "HEIF")


def test_a_compressed_xmp_item_without_a_position_is_kept():
    packet = zlib.compress(b'<x:xmpmeta xmlns:x="adobe:ns:meta/"/>')
    data = camera_files.heif_with_an_xmp_item(packet, encoding=b"deflate")
    assert privacy.remove_location(data, "HEIF") == (data, False)


def test_compressed_xmp_past_what_one_upload_may_inflate_is_taken_out_of_a_png(monkeypatch):
    monkeypatch.setattr(xmp, "MAX_INFLATED", 1000)
    filler = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + b" " * 400 + b"</x:xmpmeta>"
    data = camera_files.png_with_compressed_xmp(xmp=filler)
    chunk_at = data.index(b"iTXtXML:com.adobe.xmp") - 4
    chunk_end = chunk_at + 12 + struct.unpack_from(">I", data, chunk_at)[0]
    crowded = data[:chunk_end] + data[chunk_at:chunk_end] * 5 + data[chunk_end:]
    cleaned, removed = privacy.remove_location(crowded, "PNG")
    assert removed and cleaned.count(b"iTXtXML:com.adobe.xmp") == 2, "two fit in what may be inflated"
    assert pixels_of_every_picture(cleaned) == pixels_of_every_picture(crowded)


def test_a_compressed_xmp_packet_with_a_position_is_taken_out_of_a_png(client, upload):
    original = camera_files.png_with_compressed_xmp()
    assert "xmp" in opened(original).info
    answer = stored(upload, "edited.png", original)
    served = client.get(answer["url"]).data
    assert answer["location_removed"] and "xmp" not in opened(served).info
    assert len(served) == len(original)
    assert pixels_of_every_picture(served) == pixels_of_every_picture(original)


def test_a_compressed_xmp_packet_without_a_position_is_kept_in_a_png(client, upload):
    original = camera_files.png_with_compressed_xmp(xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"/>')
    assert client.get(stored(upload, "plain.png", original)["url"]).data == original


@pytest.mark.parametrize(
    "packet", [b"<dc:creator>" * 200_000, b" exif:GPSLatitude='" * 100_000, b"<exif:GPSAltitude " * 100_000]
)
def test_an_xmp_packet_of_unfinished_private_properties_is_blanked_to_its_end(packet):
    data = bytearray(packet)
    assert xmp.blank_private(data, 0, len(data))
    assert data == b" " * len(packet)


XMP_ODDITIES = {
    "a quoted >": (b'<a><exif:GPSLatitude q="a/>">48N</exif:GPSLatitude></a>', b"<exif", b"Latitude>"),
    "a longer closing name": (
        b"<a><exif:GPSVersionID>2</exif:GPSVersionIDx></exif:GPSVersionID></a>",
        b"<exif",
        b"ID>",
    ),
    "an attribute": (b"<a x='1' exif:GPSLongitude = '2,21E'/>", b"exif", b"E'"),
}


@pytest.mark.parametrize("oddity", XMP_ODDITIES)
def test_xmp_properties_are_blanked_to_their_own_ends(oddity):
    packet, first, last = XMP_ODDITIES[oddity]
    data = bytearray(packet)
    xmp.blank_private(data, 0, len(data))
    start, end = packet.index(first), packet.rindex(last) + len(last)
    assert data == packet[:start] + b" " * (end - start) + packet[end:]


def test_an_xmp_element_whose_name_only_begins_like_a_private_one_is_kept():
    packet = b"<a><photoshop:City.old>Paris</photoshop:City.old></a>"
    data = bytearray(packet)
    xmp.blank_private(data, 0, len(data))
    assert data == packet


def test_exif_that_imagemagick_wrote_into_a_png_text_chunk_is_removed(client, upload):
    original = camera_files.png_with_imagemagick_exif()
    served = client.get(stored(upload, "magick.png", original)["url"]).data
    assert not opened(served).getexif().get_ifd(camera_files.GPS_IFD)
    assert pixels_of_every_picture(served) == pixels_of_every_picture(original)


def test_bytes_that_only_look_like_exif_inside_a_comment_are_left_alone(client, upload):
    original = camera_files.jpeg_with_a_comment_that_looks_like_exif()
    assert client.get(stored(upload, "comment.jpg", original)["url"]).data == original
