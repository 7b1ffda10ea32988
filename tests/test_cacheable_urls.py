"""Versioned, cacheable addresses (``versions.py``): every address the pages and the API
hand out carries the version of what it serves; an answer that matches its version may
be kept for a year, any other is revalidated with its ETag."""

from urllib.parse import parse_qs, urlsplit

import pytest
import samples

ADDRESSES = ("url", "thumbnail_url", "view_url", "download_url")
KEPT_A_YEAR = "public, max-age=31536000, immutable"


def version_in(url):
    return parse_qs(urlsplit(url).query)["v"][0]


def stored(upload, name, data, to=None):
    answer = upload((name, data)) if to is None else upload((name, data), to=to)
    return answer.json["stored"][0]


@pytest.fixture
def big_photo():
    """A photo the viewer shows through a rendition, so that every kind of address is handed out."""
    return samples.photo(size=(3000, 2000))


def test_each_address_carries_the_version_of_what_it_serves_and_may_be_kept_a_year(client, upload, big_photo):
    image = stored(upload, "big.jpg", big_photo)
    for address in ADDRESSES:
        answer = client.get(image[address])
        assert samples.sha256(answer.data).startswith(version_in(image[address])), address
        assert answer.headers["Cache-Control"] == KEPT_A_YEAR, address


def test_the_page_links_to_versioned_addresses(client, upload):
    image = stored(upload, "a.png", samples.image())
    page = client.get("/").get_data(as_text=True)
    assert f'src="{image["thumbnail_url"]}"' in page and "?v=" in image["thumbnail_url"]


@pytest.mark.parametrize("route", ["/image/a.png", "/thumb/a.png", "/image/a.png?v=0123456789ab"])
def test_an_address_without_its_version_is_revalidated(client, upload, route):
    upload(("a.png", samples.image()))
    answer = client.get(route)
    assert answer.headers["Cache-Control"] == "no-cache"
    assert answer.headers["ETag"]


def test_a_repeat_view_of_a_versioned_address_answers_304_kept_a_year(client, upload):
    url = stored(upload, "a.png", samples.image())["url"]
    repeat = client.get(url, headers={"If-None-Match": client.get(url).headers["ETag"]})
    assert repeat.status_code == 304
    assert repeat.headers["Cache-Control"] == KEPT_A_YEAR


def test_an_old_address_of_a_key_taken_again_gets_the_new_bytes_revalidated(client, upload):
    old = stored(upload, "a.png", samples.image(seed=1))
    client.delete("/api/images/a.png")
    new = stored(upload, "a.png", samples.image(seed=2))
    for address in ("url", "thumbnail_url"):
        answer = client.get(old[address])
        assert answer.headers["Cache-Control"] == "no-cache"
        assert answer.data == client.get(new[address]).data


def test_a_private_store_lets_only_the_browser_keep_its_images(make_app, upload):
    client = make_app(PRIVATE=True).test_client()
    url = stored(upload, "a.png", samples.image(), to=client)["thumbnail_url"]
    assert client.get(url).headers["Cache-Control"] == "private, max-age=31536000, immutable"


def test_a_process_holding_old_bytes_never_answers_them_as_the_new_version(make_app, upload):
    """The first process still serves the thumbnail it holds (for ``CACHE_SECONDS``) after
    the second deleted the image and took its key again; that answer is revalidated."""
    first = make_app(CACHE_SECONDS=3600).test_client()
    second = make_app().test_client()
    old = stored(upload, "a.png", samples.image(seed=1), to=first)
    held = first.get(old["thumbnail_url"]).data
    second.delete("/api/images/a.png")
    new_url = stored(upload, "a.png", samples.image(seed=2), to=second)["thumbnail_url"]
    answer = first.get(new_url)
    assert answer.data == held
    assert answer.headers["Cache-Control"] == "no-cache"


def test_an_image_another_tool_put_in_is_revalidated_until_it_is_made_ready(client, storage, make_ready):
    storage.put("synced.png", samples.image())
    (waiting,) = client.get("/api/images").json["images"]
    assert "?v=" not in waiting["url"] and "?v=" not in waiting["thumbnail_url"]
    assert client.get(waiting["url"]).headers["Cache-Control"] == "no-cache"

    make_ready("synced.png")

    (ready,) = client.get("/api/images").json["images"]
    assert client.get(ready["url"]).headers["Cache-Control"] == KEPT_A_YEAR
    assert client.get(ready["thumbnail_url"]).headers["Cache-Control"] == KEPT_A_YEAR
