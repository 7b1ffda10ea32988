"""The store mounted in an app of one's own (``ImageStore``): ``examples/host_app.py``,
and bare host apps, on every backend in both modes. The host keeps its routes, pages,
headers and limits; the store's pages, API, images, static files and probes are
under its prefix, and who may write is the host's decision."""

import io
import re
import uuid

import pytest
import samples
from emulators import write_ini
from flask import Flask, request
from PIL import Image

from imagestore import ImageStore, StartupError
from imagestore.state import current


def sign_in(client):
    client.post("/sign-in", data={"name": "ada"})


def post_image(client, url="/images/api/images", name="photo.png", data=None):
    data = data if data is not None else samples.image()
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_the_host_serves_its_own_home_page_without_the_stores_headers(host_app):
    answer = host_app.test_client().get("/")
    assert "Welcome" in answer.get_data(as_text=True)
    assert "Content-Security-Policy" not in answer.headers
    assert "X-Content-Type-Options" not in answer.headers


def test_the_host_answers_an_unknown_address_with_its_own_404_page(host_app):
    answer = host_app.test_client().get("/nothing-here")
    assert answer.status_code == 404
    assert "The host app has no such page" in answer.get_data(as_text=True)


def test_the_gallery_is_under_the_prefix_in_the_hosts_layout(host_app):
    client = host_app.test_client()
    page = client.get("/images/").get_data(as_text=True)
    assert 'class="host-nav"' in page
    assert 'href="/images/static/style.css"' in page
    assert 'src="/images/static/gallery.js"' in page
    style = client.get("/images/static/style.css")
    assert style.status_code == 200 and style.mimetype == "text/css"


def test_an_image_uploaded_under_the_prefix_comes_back_from_there(host_app):
    client = host_app.test_client()
    sign_in(client)
    data = samples.image(seed=3)
    stored = post_image(client, data=data).json["stored"][0]
    assert stored["url"].startswith("/images/image/photo.png?v=")
    assert stored["thumbnail_url"].startswith("/images/thumb/photo.png?v=")
    assert client.get(stored["url"]).data == data
    assert client.get(stored["thumbnail_url"]).status_code == 200
    assert client.get("/images/api/images").json["total"] == 1


def post_profile_photo(client, name, data):
    return client.post(
        "/profile-photo", data={"photo": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def test_the_hosts_own_form_saves_a_profile_photo_and_shows_it(host_app):
    client = host_app.test_client()
    sign_in(client)
    photo = samples.image(size=(320, 240))

    saved = post_profile_photo(client, "me.png", photo)

    assert saved.status_code == 303
    home = client.get("/").get_data(as_text=True)
    avatar = re.search(r'<img [^>]*src="(/images/variant/avatar/me\.png\?v=[^"]+)"[^>]*>', home)
    assert avatar and 'class="profile-photo"' in avatar.group(0), home
    assert 'width="256"' in avatar.group(0) and 'height="256"' in avatar.group(0)
    assert Image.open(io.BytesIO(client.get(avatar.group(1)).data)).size == (256, 256)
    assert client.get("/images/image/me.png").data == photo


def test_the_hosts_own_form_says_why_a_file_is_refused(host_app):
    client = host_app.test_client()
    sign_in(client)
    refused = post_profile_photo(client, "me.png", b"not a picture")
    assert refused.status_code == 400 and "is not a PNG, JPEG" in refused.get_data(as_text=True)
    assert client.get("/images/api/images").json["total"] == 0


def test_someone_the_host_does_not_let_write_is_refused_with_a_reason(host_app):
    answer = post_image(host_app.test_client())
    assert answer.status_code == 403
    assert "You may not upload or delete images here" in answer.json["error"]


def test_a_refused_delete_leaves_the_image_where_it_is(host_app):
    writer, visitor = host_app.test_client(), host_app.test_client()
    sign_in(writer)
    post_image(writer)
    assert visitor.delete("/images/api/images/photo.png").status_code == 403
    assert visitor.post("/images/image/photo.png/delete").status_code == 403
    assert visitor.get("/images/image/photo.png").status_code == 200


def test_the_page_hides_upload_and_delete_from_someone_who_may_not_write(host_app):
    writer, visitor = host_app.test_client(), host_app.test_client()
    sign_in(writer)
    post_image(writer)
    seen_by_visitor = visitor.get("/images/").get_data(as_text=True)
    assert "data-upload-form" not in seen_by_visitor and "Write token" not in seen_by_visitor
    assert "data-tile-delete" not in seen_by_visitor
    seen_by_writer = writer.get("/images/").get_data(as_text=True)
    assert "data-upload-form" in seen_by_writer and "data-tile-delete" in seen_by_writer


def test_errors_under_the_prefix_are_the_stores_own(host_app):
    client = host_app.test_client()
    assert client.get("/images/api/images/missing.png").json == {
        "error": "There is no image named 'missing.png'."
    }
    page = client.get("/images/image/missing.png")
    assert page.status_code == 404
    assert "There is no image named" in page.get_data(as_text=True)
    odd = client.get("/images/api/images/line%0Abreak.png")
    assert odd.status_code == 404 and "There is no image named" in odd.json["error"]


def test_the_health_probes_and_metrics_are_under_the_prefix(host_app):
    client = host_app.test_client()
    assert client.get("/images/healthz").json == {"status": "ok"}
    assert client.get("/images/readyz").json["status"] == "ready"
    assert client.get("/healthz").status_code == 404
    sign_in(client)
    assert "imagestore_requests_total" in client.get("/images/metrics").get_data(as_text=True)


def test_the_hosts_upload_limit_stays_its_own(mount):
    app = mount(MAX_CONTENT_LENGTH=1024)
    app.add_url_rule("/notes", "notes", lambda: request.form["note"], methods=["POST"])
    client = app.test_client()
    photo = samples.image("jpeg", size=(400, 300))
    assert len(photo) > 1024
    assert post_image(client, data=photo, name="photo.jpg").status_code == 201
    assert client.post("/notes", data={"note": "x" * 4096}).status_code == 413
    assert app.config["MAX_CONTENT_LENGTH"] == 1024


def test_without_can_write_the_write_token_decides(mount, monkeypatch):
    monkeypatch.setenv("IMAGESTORE_WRITE_TOKEN", "s3cret")
    client = mount().test_client()
    assert post_image(client).status_code == 401
    form = {"file": (io.BytesIO(samples.image()), "photo.png")}
    answer = client.post("/images/api/images", data=form, headers={"Authorization": "Bearer s3cret"})
    assert answer.status_code == 201


@pytest.mark.parametrize("prefix, gallery", [("photos/", "/photos/"), ("/a/b", "/a/b/"), ("/", "/")])
def test_the_prefix_is_the_hosts_choice(mount, prefix, gallery):
    client = mount(IMAGESTORE_URL_PREFIX=prefix).test_client()
    assert client.get(gallery).status_code == 200
    assert client.get(gallery + "api/images").json["total"] == 0


def test_two_apps_in_one_process_keep_their_own_stores(mount, backend, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    first = mount().test_client()
    second = mount(IMAGESTORE_CONFIG=write_ini(backend, f"test-{uuid.uuid4().hex[:16]}", elsewhere))
    second = second.test_client()
    assert post_image(first).status_code == 201
    assert first.get("/images/api/images").json["total"] == 1
    assert second.get("/images/api/images").json["total"] == 0
    assert current(first.application) is not current(second.application)


def test_an_app_without_a_store_config_is_told_what_to_set():
    app = Flask("host")
    app.config["SECRET_KEY"] = "the host's"
    with pytest.raises(StartupError, match="set IMAGESTORE_CONFIG"):
        ImageStore(app)


def test_mounting_twice_on_one_app_is_refused(mount):
    app = mount()
    with pytest.raises(StartupError, match="init_app once per app"):
        ImageStore(app)
