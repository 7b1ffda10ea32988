"""An image at the ladder's widths and at the variants a host declares (``photos/sizes.py``,
``web/sized.py``): on every backend in both modes, each address of the ``srcset`` answers a
WebP of its width, upright and without location, made on first request, kept in the store,
versioned, and deleted with the image; a variant has its declared size and crop; nothing
else is ever made."""

import io

import camera_files
import pytest
import samples
from PIL import Image

VARIANTS = {"avatar": {"fill": (256, 256)}, "card": {"fit": (600, 400)}}
KEPT_A_YEAR = "public, max-age=31536000, immutable"


@pytest.fixture
def client(make_app):
    return make_app(VARIANTS=VARIANTS).test_client()


@pytest.fixture
def sideways(client, upload):
    """A phone photo stored sideways (EXIF orientation 6) with a GPS position: 900×1200 upright."""
    photo = camera_files.jpeg(size=(1200, 900), orientation=6)
    return upload(("phone.jpg", photo), to=client).json["stored"][0]


def widths_of(srcset):
    """``{width: address}`` of a ``srcset``."""
    candidates = (candidate.rsplit(" ", 1) for candidate in srcset.split(", "))
    return {int(width.removesuffix("w")): address for address, width in candidates}


def picture(answer):
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return Image.open(io.BytesIO(answer.data))


def test_the_srcset_has_each_width_of_the_ladder_up_to_the_originals(sideways):
    assert list(widths_of(sideways["srcset"])) == [320, 640, 900]
    assert (sideways["width"], sideways["height"]) == (900, 1200)


def test_each_width_is_a_webp_of_that_width_upright_and_without_location(client, sideways):
    for width, address in widths_of(sideways["srcset"]).items():
        served = picture(client.get(address))
        assert (served.format, served.size) == ("WEBP", (width, round(width * 4 / 3)))
        assert "exif" not in served.info and not served.getexif()
    upright = picture(client.get(widths_of(sideways["srcset"])[320])).convert("RGB")
    expected = camera_files.upright(camera_files.jpeg(size=(1200, 900), orientation=6)).resize((320, 427))
    assert _close(upright.getpixel((300, 20)), expected.getpixel((300, 20)))


def test_a_width_is_made_once_then_served_from_the_store(client, sideways, storage, storage_reads):
    address = widths_of(sideways["srcset"])[640]
    made = client.get(address).data
    assert ".imagestore/sized/w640/phone.jpg" in storage.names()
    storage_reads.clear()
    again = client.application.test_client().get(address)
    assert again.data == made and "phone.jpg" not in storage_reads


def test_a_versioned_width_is_kept_a_year_and_another_version_is_revalidated(client, sideways):
    address = widths_of(sideways["srcset"])[320]
    assert client.get(address).headers["Cache-Control"] == KEPT_A_YEAR
    assert client.get(address.split("?")[0] + "?v=000000000000").headers["Cache-Control"] == "no-cache"
    assert client.get(address.split("?")[0]).headers["Cache-Control"] == "no-cache"


def test_a_repeat_view_of_a_width_answers_304(client, sideways):
    address = widths_of(sideways["srcset"])[320]
    etag = client.get(address).headers["ETag"]
    assert client.get(address, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("width", [1600, 2048, 999, 0, 100000])
def test_a_width_the_image_has_not_is_404(client, sideways, width):
    assert client.get(f"/w/{width}/phone.jpg").status_code == 404


def test_a_width_of_no_image_is_404(client):
    assert client.get("/w/320/none.jpg").status_code == 404


def test_a_fill_variant_covers_its_box_cropped_at_the_centre(client, upload):
    bands = Image.new("RGB", (900, 300), (250, 0, 0))
    bands.paste((0, 250, 0), (300, 0, 600, 300))
    upload(("bands.png", camera_files.encoded(bands, "PNG")), to=client)
    avatar = picture(client.get("/variant/avatar/bands.png")).convert("RGB")
    assert avatar.size == (256, 256)
    assert all(_close(avatar.getpixel((x, 128)), (0, 250, 0)) for x in (3, 128, 252))


def test_a_fit_variant_fits_inside_its_box(client, upload):
    upload(("tall.png", samples.image(size=(1200, 1600))), to=client)
    assert picture(client.get("/variant/card/tall.png")).size == (300, 400)


def test_a_fit_variant_never_enlarges(client, upload):
    upload(("small.png", samples.image(size=(120, 80))), to=client)
    assert picture(client.get("/variant/card/small.png")).size == (120, 80)


def test_a_variant_is_kept_in_the_store_under_its_size(client, sideways, storage):
    client.get("/variant/avatar/phone.jpg")
    assert ".imagestore/sized/fill-256x256/phone.jpg" in storage.names()


@pytest.mark.parametrize("name", ["nope", "w320", "fill-256x256", "AVATAR"])
def test_an_undeclared_variant_is_404(client, sideways, name):
    assert client.get(f"/variant/{name}/phone.jpg").status_code == 404


def test_no_query_argument_changes_the_size(client, sideways):
    served = picture(client.get("/variant/avatar/phone.jpg?width=4000&fill=2000x2000&w=9000"))
    assert served.size == (256, 256)


def test_bytes_that_are_no_image_have_no_sizes(client, storage):
    storage.put("notes.bin", b"just text")
    assert client.get("/w/320/notes.bin").status_code == 404
    assert client.get("/variant/avatar/notes.bin").status_code == 404


def test_deleting_an_image_deletes_its_sizes(client, sideways, storage):
    client.get(widths_of(sideways["srcset"])[320])
    client.get("/variant/avatar/phone.jpg")
    assert client.delete("/api/images/phone.jpg").status_code == 204
    assert not [name for name in storage.names() if name.startswith(".imagestore/sized/")]


def test_a_new_image_under_a_deleted_key_gets_new_addresses(client, upload, sideways):
    client.get(widths_of(sideways["srcset"])[320])
    client.delete("/api/images/phone.jpg")
    again = upload(("phone.jpg", samples.photo(size=(1200, 900))), to=client).json["stored"][0]
    assert widths_of(again["srcset"])[320] != widths_of(sideways["srcset"])[320]
    assert picture(client.get(widths_of(again["srcset"])[320])).size == (320, 240)


def test_an_animation_has_no_srcset(client, upload):
    stored = upload(("moving.gif", camera_files.animated("GIF")), to=client).json["stored"][0]
    assert stored["srcset"] is None


def _close(colour, expected, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=False))


PHOTOS = {
    "iphone.heic": camera_files.heic,
    "phone.avif": camera_files.avif,
    "print.jpg": camera_files.cmyk_jpeg,
    "scan.png": camera_files.png_16_bit,
    "logo.png": camera_files.palette_png_with_transparency,
}


@pytest.mark.parametrize("name", PHOTOS)
def test_each_kind_of_photo_is_served_at_the_ladders_widths(client, upload, name):
    stored = upload((name, PHOTOS[name]())).json["stored"][0]
    for width, address in widths_of(stored["srcset"]).items():
        served = picture(client.get(address))
        assert (served.format, served.width) == ("WEBP", width)
