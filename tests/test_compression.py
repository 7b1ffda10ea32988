"""The store's pages and JSON go gzip-compressed to clients that accept it; image bytes,
their ETags, 304s and ranges stay as they are, and a host's own answers are the host's."""

import gzip

import samples

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_the_gallery_page_is_compressed_for_a_client_that_accepts_gzip(client, upload):
    upload(("a.png", samples.image()))
    plain = client.get("/")
    compressed = client.get("/", headers=GZIP)
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.data) == plain.data
    assert len(compressed.data) * 2 < len(plain.data)
    assert "Accept-Encoding" in compressed.headers["Vary"]


def test_the_api_answers_compressed_json(client, upload):
    upload(*[(f"{n}.png", samples.image(seed=n)) for n in range(5)])
    compressed = client.get("/api/images", headers=GZIP)
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert compressed.mimetype == "application/json"
    assert gzip.decompress(compressed.data) == client.get("/api/images").data


def test_a_client_that_does_not_accept_gzip_gets_the_page_as_it_is(client):
    for headers in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip;q=0"}):
        answer = client.get("/", headers=headers)
        assert "Content-Encoding" not in answer.headers and answer.data.startswith(b"<!doctype html>")


def test_image_bytes_are_never_compressed_again(client, upload):
    stored = upload(("a.png", samples.image(size=(400, 300)))).json["stored"][0]
    for address in (stored["url"], stored["thumbnail_url"], stored["srcset"].split(" ")[0]):
        answer = client.get(address, headers=GZIP)
        assert answer.status_code == 200 and "Content-Encoding" not in answer.headers


def test_an_image_keeps_its_etag_304_and_ranges_for_a_client_that_accepts_gzip(client, upload):
    original = samples.image(size=(400, 300))
    url = upload(("a.png", original)).json["stored"][0]["url"]
    etag = client.get(url, headers=GZIP).headers["ETag"]
    assert etag == f'"{samples.sha256(original)}"'
    assert client.get(url, headers={**GZIP, "If-None-Match": etag}).status_code == 304
    part = client.get(url, headers={**GZIP, "Range": "bytes=0-99"})
    assert (part.status_code, part.data) == (206, original[:100])


def test_the_hosts_own_pages_are_left_as_they_are(mount):
    app = mount()

    @app.get("/about")
    def about():
        return "<p>" + "about us " * 500 + "</p>"

    answer = app.test_client().get("/about", headers=GZIP)
    assert "Content-Encoding" not in answer.headers
    assert app.test_client().get("/images/", headers=GZIP).headers["Content-Encoding"] == "gzip"
