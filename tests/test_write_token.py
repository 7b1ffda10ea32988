"""With a write token set, uploads and deletes need it; reading stays open."""

import pytest
import samples

TOKEN = "correct horse battery staple"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def locked(make_app):
    """A client of the app with a write token set, carrying no token itself."""
    return make_app(WRITE_TOKEN=TOKEN).test_client()


def test_an_upload_without_the_token_is_refused_with_401(locked, upload):
    answer = upload(("a.png", samples.image()), to=locked)
    assert answer.status_code == 401
    assert "needs its write token" in answer.json["error"]
    assert locked.get("/api/images").json["total"] == 0


def test_an_upload_with_the_bearer_token_is_stored(locked, upload):
    answer = upload(("a.png", samples.image()), to=locked, headers=BEARER)
    assert answer.status_code == 201


def test_a_wrong_bearer_token_is_refused(locked, upload):
    answer = upload(("a.png", samples.image()), to=locked, headers={"Authorization": "Bearer guess"})
    assert answer.status_code == 401


def test_a_delete_without_the_token_is_refused_and_the_image_kept(locked, upload):
    upload(("a.png", samples.image()), to=locked, headers=BEARER)
    assert locked.delete("/api/images/a.png").status_code == 401
    assert locked.post("/image/a.png/delete").status_code == 401
    assert locked.get("/image/a.png").status_code == 200


def test_reading_needs_no_token(locked, upload):
    upload(("a.png", samples.image()), to=locked, headers=BEARER)
    for url in ("/", "/api/images", "/api/images/a.png", "/image/a.png", "/thumb/a.png", "/readyz"):
        assert locked.get(url).status_code == 200, url


def test_the_page_asks_for_the_token_instead_of_files(locked):
    page = locked.get("/").get_data(as_text=True)
    assert 'name="token"' in page
    assert 'name="file"' not in page


def test_a_wrong_token_entered_on_the_page_is_said_so(locked):
    answer = locked.post("/token", data={"token": "guess"}, follow_redirects=True)
    assert "That write token is not right." in answer.get_data(as_text=True)
    assert 'name="file"' not in answer.get_data(as_text=True)


def test_the_token_entered_once_on_the_page_unlocks_uploads(locked, upload):
    page = locked.post("/token", data={"token": TOKEN}, follow_redirects=True).get_data(as_text=True)
    assert "Write token accepted" in page and 'name="file"' in page
    answer = upload(("a.png", samples.image()), to=locked, url="/", follow_redirects=True)
    assert "Stored a.png as a.png" in answer.get_data(as_text=True)


def test_without_a_token_the_token_form_does_not_exist(client):
    assert client.post("/token", data={"token": ""}).status_code == 404
