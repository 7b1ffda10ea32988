"""Uploading: what is stored, under which key, and what is refused and why."""

import io

import camera_files
import pytest
import samples

from imagestore import create_app


def test_an_uploaded_image_is_served_back_byte_identical(client, upload):
    original = samples.image("png", seed=1)
    answer = upload(("cat.png", original))
    assert answer.status_code == 201
    served = client.get(answer.json["stored"][0]["url"])
    assert served.status_code == 200
    assert samples.sha256(served.data) == samples.sha256(original)


@pytest.mark.parametrize("kind", sorted(samples.FORMATS))
def test_each_accepted_format_is_served_with_its_content_type(client, upload, kind):
    stored = upload((f"picture.{kind}", samples.image(kind))).json["stored"][0]
    assert stored["content_type"] == samples.CONTENT_TYPES[kind]
    assert client.get(stored["url"]).content_type == samples.CONTENT_TYPES[kind]


def test_the_content_type_comes_from_the_bytes_not_the_name(client, upload):
    stored = upload(("really-a-png.jpg", samples.image("png"))).json["stored"][0]
    assert client.get(stored["url"]).content_type == "image/png"


def test_several_files_in_one_request_are_all_stored(client, upload):
    files = [(f"photo-{n}.jpeg", samples.image("jpeg", seed=n)) for n in range(3)]
    answer = upload(*files)
    assert answer.status_code == 201
    assert [image["key"] for image in answer.json["stored"]] == [
        "photo-0.jpeg",
        "photo-1.jpeg",
        "photo-2.jpeg",
    ]
    for (_, data), image in zip(files, answer.json["stored"], strict=True):
        assert samples.sha256(client.get(image["url"]).data) == samples.sha256(data)


def test_metadata_of_an_upload_describes_it(upload):
    data = samples.image("gif", size=(30, 20))
    stored = upload(("anim.gif", data)).json["stored"][0]
    assert stored["width"] == 30 and stored["height"] == 20
    assert stored["size"] == len(data)
    assert stored["thumbnail_url"].startswith("/thumb/")


def test_a_safe_filename_is_the_key_unchanged(upload):
    name = "Été à Paris (1) — ünïcödé 写真.png"
    assert upload((name, samples.image())).json["stored"][0]["key"] == name


def test_a_taken_name_gets_a_unique_key_and_the_first_image_is_unchanged(client, upload):
    first, second, third = (samples.image(seed=n) for n in range(3))
    upload(("same.png", first))
    keys = [upload(("same.png", data)).json["stored"][0]["key"] for data in (second, third)]
    assert keys == ["same-2.png", "same-3.png"]
    assert samples.sha256(client.get("/image/same.png").data) == samples.sha256(first)
    assert samples.sha256(client.get("/image/same-2.png").data) == samples.sha256(second)


def test_files_of_one_name_in_one_request_get_keys_in_the_order_sent(client, upload):
    images = [samples.image(seed=n) for n in range(4)]
    stored = upload(*[("same.png", data) for data in images]).json["stored"]
    assert [image["key"] for image in stored] == ["same.png", "same-2.png", "same-3.png", "same-4.png"]
    for data, image in zip(images, stored, strict=True):
        assert samples.sha256(client.get(image["url"]).data) == samples.sha256(data)


@pytest.mark.parametrize(
    ("filename", "expected_key"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("/absolute/path/shot.png", "shot.png"),
        ("..", "image.png"),
        (".hidden.png", "hidden.png"),
        ("tab\there.png", "tabhere.png"),
    ],
)
def test_unsafe_filenames_get_safe_keys(client, upload, filename, expected_key):
    stored = upload((filename, samples.image())).json["stored"][0]
    assert stored["key"] == expected_key
    assert client.get(stored["url"]).status_code == 200


def test_a_very_long_filename_gets_a_key_of_at_most_255_bytes(client, upload):
    stored = upload(("é" * 1000 + ".png", samples.image())).json["stored"][0]
    assert len(stored["key"].encode()) <= 255
    assert stored["key"].endswith(".png")
    assert client.get(stored["url"]).status_code == 200


def truncated(data):
    return data[: len(data) // 2]


def corrupt_byte(data, offset):
    return data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :]


REFUSALS = {
    "empty file": (b"", "empty"),
    "plain text": (b"just some notes\n" * 10, "not a PNG, JPEG, GIF, WebP, HEIC or AVIF"),
    "HTML renamed .jpg": (b"<!doctype html><html><script>alert(1)</script></html>", "HTML"),
    "SVG": (b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>', "SVG"),
    "SVG with script": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "SVG",
    ),
    "shell script": (b"#!/bin/sh\nrm -rf /\n", "script"),
    "truncated PNG": (truncated(samples.image("png", size=(300, 300), seed=5)), "truncated or corrupt"),
    "truncated JPEG": (truncated(samples.photo(size=(400, 300))), "truncated or corrupt"),
    "PNG with a broken chunk header": (corrupt_byte(samples.image("png", size=(300, 300)), 40), "corrupt"),
    "PNG with a broken pixel byte": (corrupt_byte(samples.image("png", size=(300, 300)), 60), "corrupt"),
    "decompression bomb": (samples.png_claiming(100_000, 100_000), "too many pixels"),
    "JPEG header only": (samples.photo(size=(400, 300))[:200], "truncated or corrupt"),
}


@pytest.mark.parametrize(("content", "reason"), REFUSALS.values(), ids=REFUSALS.keys())
def test_a_file_that_is_not_an_accepted_image_is_refused_with_its_reason(client, upload, content, reason):
    answer = upload(("upload.jpg", content))
    assert answer.status_code == 400
    assert answer.json["stored"] == []
    assert answer.json["rejected"] == [{"filename": "upload.jpg", "error": answer.json["error"]}]
    assert reason in answer.json["error"]
    assert client.get("/api/images").json["total"] == 0


def test_an_image_with_too_many_pixels_is_refused_before_decoding(make_app, upload):
    client = make_app(MAX_PIXELS=100 * 100).test_client()
    answer = upload(("huge.png", samples.image(size=(101, 100))), to=client)
    assert answer.status_code == 400
    assert "more than the 10,000 pixels" in answer.json["error"]
    assert client.get("/api/images").json["total"] == 0


def test_a_request_without_a_file_is_refused(client):
    answer = client.post("/api/images", data={}, content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "no file was sent" in answer.json["error"]


@pytest.mark.parametrize(
    ("body", "content_type", "named"),
    [
        ('{"file": "cat.jpg"}', "application/json", "application/json"),
        ("file=cat.jpg", "application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),
        (b"\xff\xd8\xff", None, "no Content-Type"),
    ],
    ids=["json", "url-encoded form", "no content type"],
)
def test_an_upload_that_is_not_multipart_gets_415_saying_what_to_send(client, body, content_type, named):
    answer = client.post("/api/images", data=body, content_type=content_type)
    assert answer.status_code == 415
    assert "multipart/form-data" in answer.json["error"] and "'file'" in answer.json["error"]
    assert named in answer.json["error"]
    assert client.get("/api/images").json["total"] == 0


def test_good_files_are_stored_and_bad_ones_reported_in_one_answer(upload):
    answer = upload(("good.png", samples.image()), ("bad.png", b"nope"))
    assert answer.status_code == 201
    assert [image["key"] for image in answer.json["stored"]] == ["good.png"]
    assert answer.json["rejected"][0]["filename"] == "bad.png"


def test_a_body_over_the_limit_gets_413_and_a_message(make_app, upload):
    client = make_app(MAX_CONTENT_LENGTH=50_000).test_client()
    big = samples.photo(size=(800, 600))
    assert len(big) > 50_000
    answer = upload(("big.jpg", big), to=client)
    assert answer.status_code == 413
    assert "too large" in answer.json["error"]
    assert client.get("/api/images").json["total"] == 0


HOSTILE_NAMES = [
    "../../outside.png",
    "..\\..\\outside.png",
    "/tmp/outside.png",
    "sub/dir/../../../outside.png",
    "..",
    "名前" * 200 + ".png",
]


def test_on_the_filesystem_nothing_is_written_outside_its_folder(own_config, tmp_path):
    client = create_app(own_config("filesystem")).test_client()
    for seed, name in enumerate(HOSTILE_NAMES):
        fields = {"file": [(io.BytesIO(samples.image(seed=seed)), name)]}
        assert client.post("/api/images", data=fields).status_code == 201
    folder = tmp_path / "images"
    outside = [path for path in tmp_path.rglob("*") if path.is_file() and folder not in path.parents]
    assert [path.name for path in outside] == ["filesystem.ini"]
    assert client.get("/api/images").json["total"] == len(HOSTILE_NAMES)


def test_camera_files_are_stored_and_served_on_every_backend(client, upload):
    """HEIC, AVIF, MPO and located JPEGs, in one request: each served as stored, with its previews."""
    files = {name: camera_files.corpus()[name] for name in ("iphone.heic", "photo.avif", "ultra-hdr.jpg")}
    answer = upload(*files.items())
    assert answer.status_code == 201, answer.json
    assert len(answer.json["stored"]) == len(files)
    for image in answer.json["stored"]:
        served = client.get(image["url"])
        assert served.status_code == 200 and len(served.data) == len(files[image["filename"]])
        assert image["location_removed"] is True
        for url in (image["thumbnail_url"], image["view_url"]):
            assert client.get(url).status_code == 200, url


def test_uploads_go_straight_into_storage_only_on_s3_and_azure(make_app, backend):
    client = make_app(DIRECT_UPLOADS=True).test_client()
    started = client.post("/api/uploads", json={"filename": "a.jpg", "size": 10})
    direct = backend in ("aws", "azure")
    assert started.status_code == (201 if direct else 404)
    assert ("data-direct-api" in client.get("/").get_data(as_text=True)) is direct


def test_without_direct_uploads_the_api_says_where_to_send_files(client):
    started = client.post("/api/uploads", json={"filename": "a.jpg", "size": 10})
    assert started.status_code == 404
    assert "POST the files to its /api/images" in started.json["error"]
