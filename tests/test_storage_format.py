"""What the backend really holds, seen with its own tools: the image files themselves."""

import samples

from imagestore.index.journal import parse


def test_the_store_holds_the_image_file_itself_under_its_key(storage, upload):
    original = samples.photo(size=(300, 200))
    upload(("holiday.jpg", original))
    assert samples.sha256(storage.get("holiday.jpg")) == samples.sha256(original)


def test_what_the_app_keeps_for_an_image_lives_under_the_reserved_prefix(storage, upload):
    upload(("a.png", samples.image()))
    assert [name for name in storage.names() if not name.startswith(".imagestore/")] == ["a.png"]


def test_deleting_removes_everything_kept_for_the_image(client, storage, upload):
    """Only the journal's record of the upload and the delete is left, for a day."""
    upload(("a.png", samples.image()), ("b.png", samples.image(seed=2)))
    client.delete("/api/images/a.png")
    left = [name for name in storage.names() if "a.png" in name]
    assert [parse(name).change for name in left] == ["added", "removed"]
    assert "b.png" in storage.names()


def test_images_put_in_by_another_tool_show_in_the_gallery(client, storage):
    storage.put("from-elsewhere.jpg", samples.photo(size=(300, 200)))
    assert "from-elsewhere.jpg" in client.get("/").get_data(as_text=True)
    image = client.get("/api/images/from-elsewhere.jpg").json
    assert (image["width"], image["height"], image["content_type"]) == (300, 200, "image/jpeg")


def test_an_image_put_in_by_another_tool_gets_its_thumbnail_on_first_request(client, storage):
    storage.put("raw.png", samples.image(size=(640, 480)))
    answer = client.get("/thumb/raw.png")
    assert answer.status_code == 200 and answer.content_type == "image/webp"
    assert ".imagestore/thumbnails/raw.png" in storage.names()


def test_a_file_that_is_not_an_image_put_in_by_another_tool_is_only_offered_for_download(
    client, storage, make_ready
):
    storage.put("notes.html", b"<script>alert(1)</script>")
    make_ready("notes.html")
    answer = client.get("/image/notes.html")
    assert answer.content_type == "application/octet-stream"
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert client.get("/thumb/notes.html").status_code == 404
    assert "no preview" in client.get("/").get_data(as_text=True)
