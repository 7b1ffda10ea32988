"""The JSON API, for scripts and curl."""

import pytest
import samples

IMAGE_FIELDS = {"key", "url", "thumbnail_url", "size", "content_type", "width", "height"}


def test_listing_an_empty_store(client):
    assert client.get("/api/images").json == {"images": [], "page": 1, "per_page": 24, "total": 0}


def test_listing_describes_each_image(client, upload):
    upload(("a.png", samples.image(size=(10, 20))))
    listing = client.get("/api/images").json
    assert listing["total"] == 1
    image = listing["images"][0]
    assert IMAGE_FIELDS <= image.keys()
    assert (image["key"], image["width"], image["height"]) == ("a.png", 10, 20)
    assert image["url"].startswith("/image/a.png?v=") and image["thumbnail_url"].startswith("/thumb/a.png?v=")


def test_listing_pages_through_the_store(client, storage):
    for n in range(5):
        storage.put(f"{n}.png", samples.image(size=(4, 4), seed=n))
    listing = client.get("/api/images?page=2&per_page=2").json
    assert [image["key"] for image in listing["images"]] == ["2.png", "3.png"]
    assert (listing["page"], listing["per_page"], listing["total"]) == (2, 2, 5)


def test_a_bad_page_argument_is_a_400_in_plain_words(client):
    answer = client.get("/api/images?page=zero")
    assert answer.status_code == 400
    assert "page='zero' must be a whole number" in answer.json["error"]


def test_one_image_metadata(client, upload):
    upload(("a.webp", samples.image("webp", size=(12, 7))))
    image = client.get("/api/images/a.webp").json
    assert (image["content_type"], image["width"], image["height"]) == ("image/webp", 12, 7)


def test_metadata_of_an_unknown_image_is_404_json(client):
    answer = client.get("/api/images/nope.png")
    assert answer.status_code == 404
    assert "There is no image named 'nope.png'" in answer.json["error"]


def test_delete_answers_204_and_the_image_is_gone(client, upload):
    upload(("a.png", samples.image()))
    assert client.delete("/api/images/a.png").status_code == 204
    assert client.get("/api/images/a.png").status_code == 404
    assert client.get("/api/images").json["total"] == 0


@pytest.mark.parametrize("route", ["/image/", "/thumb/", "/api/images/"])
def test_a_name_inside_an_images_name_is_404(client, upload, route):
    """On the filesystem, ``a.png/b.png`` runs through the file ``a.png``."""
    upload(("a.png", samples.image()))
    assert client.get(route + "a.png/b.png").status_code == 404


def test_deleting_an_unknown_image_is_404(client):
    assert client.delete("/api/images/nope.png").status_code == 404


def test_an_unknown_route_answers_json_under_api(client):
    answer = client.get("/api/nothing")
    assert answer.status_code == 404
    assert "error" in answer.json


def test_a_method_a_route_does_not_take_is_a_405_naming_those_it_does(client):
    answer = client.put("/api/images")
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert "error" in answer.json


def test_a_page_number_that_is_not_a_whole_number_of_1_or_more_is_a_400(client):
    for raw in ("%C2%B2", "9" * 5000, "-1", "0"):
        assert client.get(f"/api/images?page={raw}").status_code == 400
        assert client.get(f"/?page={raw}").status_code == 400


def test_names_of_folders_in_the_store_are_not_images(client, upload):
    upload(("a.png", samples.image()))
    for url in ("/image/.imagestore", "/api/images/.imagestore", "/image/a.png/x", "/thumb/a.png/x"):
        assert client.get(url).status_code == 404, url
    assert client.delete("/api/images/.imagestore").status_code == 404
