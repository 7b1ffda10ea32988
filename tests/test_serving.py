"""Serving originals and thumbnails: types, caching, headers that keep bytes inert."""

import io

import pytest
import samples
from PIL import Image


@pytest.mark.parametrize("settings", [{}, {"CACHE_BYTES": 0}], ids=["cached", "uncached"])
def test_a_repeat_view_answers_304_without_downloading_the_image(make_app, upload, storage_reads, settings):
    client = make_app(**settings).test_client()
    url = upload(("a.png", samples.image()), to=client).json["stored"][0]["url"]
    etag = client.get(url).headers["ETag"]
    storage_reads.clear()
    repeat = client.get(url, headers={"If-None-Match": etag})
    assert repeat.status_code == 304
    assert repeat.data == b""
    assert repeat.headers["ETag"] == etag
    assert "a.png" not in storage_reads


def test_the_download_link_gives_the_original_bytes_under_the_uploaded_name(client, upload):
    original = samples.image(seed=4)
    upload(("holiday.png", samples.image(seed=3)))
    stored = upload(("holiday.png", original)).json["stored"][0]
    assert stored["key"] == "holiday-2.png"
    answer = client.get(stored["download_url"])
    assert answer.data == original
    assert answer.headers["Content-Disposition"] == "attachment; filename=holiday.png"


@pytest.mark.parametrize(
    "query, disposition",
    [
        ("?download=0", "inline"),
        ("?download=No", "inline"),
        ("?download=false", "inline"),
        ("?download", "attachment"),
        ("?download=yes", "attachment"),
    ],
)
def test_the_download_argument_says_whether_to_save_or_show(client, upload, query, disposition):
    upload(("holiday.png", samples.image()))
    assert (
        client.get("/image/holiday.png" + query).headers["Content-Disposition"]
        == f"{disposition}; filename=holiday.png"
    )


def test_images_are_served_so_a_browser_never_runs_them(client, upload):
    url = upload(("a.png", samples.image())).json["stored"][0]["url"]
    answer = client.get(url)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Content-Disposition"].startswith("inline")


def test_a_png_with_html_appended_is_served_as_a_png(client, upload):
    polyglot = samples.image() + b"<html><script>alert(1)</script></html>"
    url = upload(("poly.png", polyglot)).json["stored"][0]["url"]
    answer = client.get(url)
    assert answer.content_type == "image/png"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_a_thumbnail_is_a_small_webp_of_the_image(client, upload):
    original = samples.photo(size=(1600, 1200))
    thumbnail_url = upload(("big.jpg", original)).json["stored"][0]["thumbnail_url"]
    answer = client.get(thumbnail_url)
    assert answer.content_type == "image/webp"
    with Image.open(io.BytesIO(answer.data)) as thumbnail:
        assert max(thumbnail.size) == 320
        assert thumbnail.size == (320, 240)
    assert len(answer.data) * 20 < len(original)


def test_a_thumbnail_is_upright_as_exif_says(client, upload):
    picture = Image.new("RGB", (800, 400), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    thumbnail_url = upload(("sideways.jpg", out.getvalue())).json["stored"][0]["thumbnail_url"]
    with Image.open(io.BytesIO(client.get(thumbnail_url).data)) as thumbnail:
        assert thumbnail.size == (160, 320)


def test_the_thumbnail_of_an_unknown_image_is_404(client):
    assert client.get("/thumb/nothing.png").status_code == 404


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("link", ["url", "download_url"])
def test_a_view_with_a_stale_etag_gets_the_image_reading_its_record_once(
    make_app, upload, storage_reads, link
):
    uncached = make_app(CACHE_BYTES=0).test_client()
    original = samples.image()
    stored = upload(("a.png", original), to=uncached).json["stored"][0]
    storage_reads.clear()
    answer = uncached.get(stored[link], headers={"If-None-Match": '"an-older-version"'})
    assert answer.status_code == 200
    assert answer.data == original
    assert storage_reads == [".imagestore/metadata/a.png", "a.png"]


def test_a_second_view_is_served_from_the_cache(client, upload, storage_reads):
    original = samples.image()
    url = upload(("a.png", original)).json["stored"][0]["url"]
    client.get(url)
    storage_reads.clear()
    assert client.get(url).data == original
    assert storage_reads == []


def test_an_image_deleted_through_the_app_is_gone_at_once(client, upload):
    stored = upload(("a.png", samples.image())).json["stored"][0]
    client.get(stored["url"])
    client.get(stored["thumbnail_url"])
    assert client.delete(stored["api_url"]).status_code == 204
    assert client.get(stored["url"]).status_code == 404
    assert client.get(stored["thumbnail_url"]).status_code == 404


@pytest.mark.parametrize(
    "cache_seconds, status", [(3600, 200), (0, 404)], ids=["served until rechecked", "gone when rechecked"]
)
def test_an_image_another_tool_deletes_is_served_from_the_cache_until_it_is_rechecked(
    make_app, upload, storage, cache_seconds, status
):
    client = make_app(CACHE_SECONDS=cache_seconds).test_client()
    url = upload(("a.png", samples.image()), to=client).json["stored"][0]["url"]
    client.get(url)
    storage.delete("a.png")
    assert client.get(url).status_code == status


def test_a_range_request_gets_that_part_of_the_image(client, upload):
    original = samples.image()
    url = upload(("a.png", original)).json["stored"][0]["url"]
    answer = client.get(url, headers={"Range": "bytes=0-9"})
    assert answer.status_code == 206
    assert answer.data == original[:10]
    assert answer.headers["Content-Range"] == f"bytes 0-9/{len(original)}"


def test_a_download_keeps_a_name_that_is_not_ascii(client, upload):
    stored = upload(("Été à Paris.png", samples.image())).json["stored"][0]
    disposition = client.get(stored["download_url"]).headers["Content-Disposition"]
    assert disposition == (
        "attachment; filename=\"Ete a Paris.png\"; filename*=UTF-8''%C3%89t%C3%A9%20%C3%A0%20Paris.png"
    )


def test_with_serving_by_redirect_only_s3_and_azure_redirect(make_app, upload, backend):
    client = make_app(SERVE="redirect").test_client()
    url = upload(("a.png", samples.image()), to=client).json["stored"][0]["url"]
    expected = 302 if backend in ("aws", "azure") else 200
    assert client.get(url).status_code == expected


def test_the_app_says_at_start_how_it_serves_images(make_app, backend, caplog):
    caplog.set_level("INFO", logger="imagestore")
    make_app(SERVE="redirect")
    signs = backend in ("aws", "azure")
    assert ("serving images by redirect" if signs else "serving images through the app") in caplog.text
