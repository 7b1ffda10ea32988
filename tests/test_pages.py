"""The browser pages: upload form, gallery, messages, delete."""

import samples
from eventually import eventually


def test_the_page_offers_an_upload_form_for_several_files(client):
    page = client.get("/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'name="file"' in page and "multiple" in page


def test_an_empty_store_shows_a_friendly_empty_state(client):
    assert "No images yet" in client.get("/").get_data(as_text=True)


def test_a_form_upload_answers_303_back_to_the_page(upload):
    answer = upload(("a.png", samples.image()), url="/")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/"


def test_the_page_says_what_happened_to_each_file(upload):
    answer = upload(("a.png", samples.image()), ("notes.png", b"plain text"), url="/", follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "Stored a.png as a.png" in page
    assert "Rejected notes.png: this is not a PNG, JPEG, GIF, WebP, HEIC or AVIF image" in page


def test_a_form_posted_without_a_file_says_so(client):
    answer = client.post("/", data={}, content_type="multipart/form-data", follow_redirects=True)
    assert "no file was sent" in answer.get_data(as_text=True)


def test_the_gallery_shows_thumbnails_linking_to_originals(client, upload):
    upload(("sunset.jpg", samples.photo(size=(400, 300))))
    page = client.get("/").get_data(as_text=True)
    assert 'src="/thumb/sunset.jpg?v=' in page
    assert 'href="/image/sunset.jpg?v=' in page
    assert 'alt="sunset.jpg"' in page


def test_the_gallery_is_paginated_24_to_a_page(client, storage):
    for n in range(30):
        storage.put(f"img-{n:02}.png", samples.image(size=(8, 8), seed=n))
    first = client.get("/").get_data(as_text=True)
    second = client.get("/?page=2").get_data(as_text=True)
    assert first.count("data-key=") == 24
    assert second.count("data-key=") == 6
    assert "Page 2 of 2" in second and "img-29.png" in second and "img-29.png" not in first


def test_the_newest_uploads_come_first(client, upload, storage):
    storage.put("from-another-tool.png", samples.image(seed=9))
    for name in ("first.png", "second.png", "third.png"):
        upload((name, samples.image()))
    page = client.get("/").get_data(as_text=True)
    positions = [page.index(f'data-key="{name}"') for name in ("third.png", "second.png", "first.png")]
    assert positions == sorted(positions)
    assert positions[-1] < page.index('data-key="from-another-tool.png"')


def test_deleting_from_the_page_answers_303_and_the_image_is_gone(client, upload):
    upload(("gone.png", samples.image()))
    answer = client.post("/image/gone.png/delete")
    assert answer.status_code == 303
    assert "Deleted gone.png" in client.get("/").get_data(as_text=True)
    assert client.get("/image/gone.png").status_code == 404
    assert 'src="/thumb/gone.png"' not in client.get("/").get_data(as_text=True)


def test_an_unknown_image_is_a_plain_404_page(client):
    answer = client.get("/image/nothing-here.png")
    assert answer.status_code == 404
    assert "There is no image named" in answer.get_data(as_text=True)
    assert "Traceback" not in answer.get_data(as_text=True)


def test_deleting_an_unknown_image_is_404(client):
    assert client.post("/image/nothing-here.png/delete").status_code == 404


def test_images_another_tool_adds_show_once_the_store_is_listed_again(make_app, storage):
    relisting = make_app(LISTING_SECONDS=0).test_client()
    assert relisting.get("/api/images").json["total"] == 0
    storage.put("late.png", samples.image())
    assert eventually(lambda: relisting.get("/api/images").json["total"] == 1)
    assert [image["key"] for image in relisting.get("/api/images").json["images"]] == ["late.png"]


def test_without_discovery_images_another_tool_adds_wait_for_the_next_listing(make_app, storage):
    patient = make_app(LISTING_SECONDS=3600, DISCOVERY_SECONDS=0).test_client()
    assert patient.get("/api/images").json["total"] == 0
    storage.put("late.png", samples.image())
    assert patient.get("/api/images").json["total"] == 0


def test_uploads_and_deletes_through_the_app_show_at_once_between_listings(make_app, upload):
    patient = make_app(LISTING_SECONDS=3600).test_client()
    patient.get("/api/images")
    upload(("kept.png", samples.image(seed=1)), ("gone.png", samples.image(seed=2)), to=patient)
    patient.delete("/api/images/gone.png")
    listing = patient.get("/api/images").json
    assert [image["key"] for image in listing["images"]] == ["kept.png"]
    assert listing["total"] == 1


def test_the_files_of_one_request_show_as_if_sent_one_after_another(client, upload):
    names = [f"photo-{n}.png" for n in range(6)]
    upload(*[(name, samples.image(seed=n)) for n, name in enumerate(names)])
    shown = [image["key"] for image in client.get("/api/images").json["images"]]
    assert shown == names[::-1]
