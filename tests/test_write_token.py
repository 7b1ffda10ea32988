"""With a write token set, uploads and deletes need it; reading stays open."""

import samples

TOKEN = "correct horse battery staple"


def test_an_upload_without_the_token_is_refused_with_401(make_app, upload):
    client = make_app(WRITE_TOKEN=TOKEN).test_client()
    answer = upload(("a.png", samples.image()), to=client)
    assert answer.status_code == 401
    assert "needs its write token" in answer.json["error"]
    assert client.get("/api/images").json["total"] == 0


def test_an_upload_with_the_bearer_token_is_stored(make_app, upload):
    client = make_app(WRITE_TOKEN=TOKEN).test_client()
    answer = upload(("a.png", samples.image()), to=client, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 201


def test_a_wrong_bearer_token_is_refused(make_app, upload):
    client = make_app(WRITE_TOKEN=TOKEN).test_client()
    answer = upload(("a.png", samples.image()), to=client, headers={"Authorization": "Bearer guess"})
    assert answer.status_code == 401


def test_a_delete_without_the_token_is_refused_and_the_image_kept(make_app, upload):
    client = make_app(WRITE_TOKEN=TOKEN).test_client()
    upload(("a.png", samples.image()), to=client, headers={"Authorization": f"Bearer {TOKEN}"})
    assert client.delete("/api/images/a.png").status_code == 401
    assert client.post("/image/a.png/delete").status_code == 401
    assert client.get("/image/a.png").status_code == 200


def test_reading_needs_no_token(make_app, upload):
    client = make_app(WRITE_TOKEN=TOKEN).test_client()
    upload(("a.png", samples.image()), to=client, headers={"Authorization": f"Bearer {TOKEN}"})
    for url in ("/", "/api/images", "/api/images/a.png", "/image/a.png", "/thumb/a.png", "/readyz"):
        assert client.get(url).status_code == 200, url


def test_the_page_asks_for_the_token_instead_of_files(make_app):
    page = make_app(WRITE_TOKEN=TOKEN).test_client().get("/").get_data(as_text=True)
    assert 'name="token"' in page
    assert 'name="file"' not in page


def test_a_wrong_token_entered_on_the_page_is_said_so(make_app):
    client = make_app(WRITE_TOKEN=TOKEN).test_client()
    answer = client.post("/token", data={"token": "guess"}, follow_redirects=True)
    assert "That write token is not right." in answer.get_data(as_text=True)
    assert 'name="file"' not in answer.get_data(as_text=True)


def test_the_token_entered_once_on_the_page_unlocks_uploads(make_app, upload):
    client = make_app(WRITE_TOKEN=TOKEN).test_client()
    page = client.post("/token", data={"token": TOKEN}, follow_redirects=True).get_data(as_text=True)
    assert "Write token accepted" in page and 'name="file"' in page
    answer = upload(("a.png", samples.image()), to=client, url="/", follow_redirects=True)
    assert "Stored a.png as a.png" in answer.get_data(as_text=True)


def test_without_a_token_the_token_form_does_not_exist(client):
    assert client.post("/token", data={"token": ""}).status_code == 404
