"""Whatever bytes arrive, the validator answers "an image" or "refused, because...", never a crash;
and the app answers 201 or 400, never 5xx."""

import io

import camera_files
import pytest
import samples
from emulators import write_ini
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from imagestore import create_app
from imagestore.photos.images import ImageRejected, inspect_image
from imagestore.photos.previews import make_thumbnail
from imagestore.state import current


def jpeg_with_exif():
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Camera maker"
    Image.new("RGB", (40, 30), "teal").save(out, "JPEG", exif=exif)
    return out.getvalue()


VALID = [samples.image(kind, size=(40, 30)) for kind in sorted(samples.FORMATS)] + [jpeg_with_exif()]
SMALL = (96, 64)
CAMERA_FILES = [
    camera_files.mpo(SMALL),
    camera_files.heic(SMALL),
    camera_files.heic(SMALL, bits=10, alpha=True),
    camera_files.avif(SMALL),
    camera_files.webp(SMALL),
    camera_files.png(SMALL),
    camera_files.jpeg(SMALL, orientation=6),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """One app for every example hypothesis tries (a fixture per test would be made once anyway)."""
    app = create_app(write_ini("in-memory", "properties", tmp_path_factory.mktemp("properties")))
    yield app.test_client()
    current(app).access.close()


def damaged(original, data):
    """``original`` with one byte flipped, cut short, with bytes inserted, or with its header
    spliced onto another file's body, as hypothesis draws."""
    position = data.draw(st.integers(min_value=0, max_value=len(original) - 1))
    damage = data.draw(st.sampled_from(["flip", "cut", "insert", "splice"]))
    if damage == "splice":
        return original[:position] + data.draw(st.sampled_from(VALID + CAMERA_FILES))[position:]
    if damage == "flip":
        return original[:position] + bytes([original[position] ^ 0xFF]) + original[position + 1 :]
    if damage == "cut":
        return original[:position]
    return original[:position] + data.draw(st.binary(min_size=1, max_size=64)) + original[position:]


def judge(data):
    """Return the ImageInfo, or the refusal's reason; any other exception fails the test."""
    try:
        info = inspect_image(data, max_pixels=10_000_000)
        make_thumbnail(data)
        return info
    except ImageRejected as why:
        assert str(why)
        return str(why)


@given(st.binary(max_size=4096))
def test_arbitrary_bytes_are_judged_without_crashing(data):
    judge(data)


@settings(max_examples=300)
@given(st.sampled_from(VALID + CAMERA_FILES), st.data())
def test_damaged_images_are_judged_without_crashing(original, data):
    judge(damaged(original, data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(CAMERA_FILES), st.data())
def test_a_damaged_camera_file_uploaded_gets_201_or_400_never_5xx(client, original, data):
    answer = client.post("/api/images", data={"file": [(io.BytesIO(damaged(original, data)), "photo.jpg")]})
    assert answer.status_code in (201, 400), answer.json


@given(st.sampled_from(VALID), st.binary(max_size=512))
def test_an_image_with_anything_appended_is_still_that_image(original, tail):
    info = judge(original + tail)
    assert not isinstance(info, str)
    assert {info.width, info.height} == {40, 30}
    assert info == judge(original)


@pytest.mark.parametrize(
    ("width", "height", "reason"),
    [
        (8_000, 8_000, "is 8000x8000 pixels, more than the 50,000,000 pixels"),
        (100_000, 100_000, "far too many pixels"),
    ],
)
def test_a_header_claiming_too_many_pixels_is_refused_before_decoding(width, height, reason):
    with pytest.raises(ImageRejected, match=reason):
        inspect_image(samples.png_claiming(width, height), max_pixels=50_000_000)
