"""Who may see the store, as the host app decides (``ImageStore(can_read=...)``): a refused
request sees no gallery, no API and no image, and learns no image's name; answers are
never kept by a shared cache."""

import io

import pytest
import samples
from flask import request

from imagestore.versions import IMMUTABLE_SECONDS


def signed_in():
    return request.headers.get("X-User") == "alice"


ALICE = {"X-User": "alice"}


@pytest.fixture
def host(mount):
    app = mount(can_read=signed_in)
    fields = {"file": [(io.BytesIO(samples.image()), "seen.png")]}
    stored = app.test_client().post("/images/api/images", data=fields, headers=ALICE)
    assert stored.status_code == 201
    app.stored = stored.json["stored"][0]
    return app


@pytest.mark.parametrize("path", ["/images/", "/images/api/images", "/images/api/images/seen.png"])
def test_pages_and_the_api_are_refused_with_403(host, path):
    refused = host.test_client().get(path, headers={"Accept": "application/json"})
    assert refused.status_code == 403
    assert "may not see" in refused.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["url", "thumbnail_url", "view_url"])
def test_images_are_refused_as_if_they_did_not_exist(host, kind):
    refused = host.test_client().get(host.stored[kind])
    missing = host.test_client().get("/images/image/never.png", headers=ALICE)
    assert refused.status_code == missing.status_code == 404
    assert "seen.png" in refused.get_data(as_text=True)
    assert "public" not in refused.headers.get("Cache-Control", "")


def test_a_reader_sees_them_and_no_answer_is_kept_by_a_shared_cache(host):
    client = host.test_client()
    assert client.get("/images/", headers=ALICE).status_code == 200
    served = client.get(host.stored["url"], headers=ALICE)
    assert served.status_code == 200
    assert served.headers["Cache-Control"] == f"private, max-age={IMMUTABLE_SECONDS}, immutable"


def test_the_probes_and_static_files_stay_open(host):
    client = host.test_client()
    assert client.get("/images/healthz").status_code == 200
    assert client.get("/images/static/style.css").status_code == 200


@pytest.mark.parametrize("backend", ["aws", "azure"])
def test_a_refused_request_gets_no_signed_url(mount, backend, monkeypatch):
    monkeypatch.setenv("IMAGESTORE_SERVE", "redirect")
    app = mount(can_read=signed_in)
    fields = {"file": [(io.BytesIO(samples.image()), "seen.png")]}
    url = app.test_client().post("/images/api/images", data=fields, headers=ALICE).json["stored"][0]["url"]

    refused = app.test_client().get(url)

    assert refused.status_code == 404 and "Location" not in refused.headers
    assert app.test_client().get(url, headers=ALICE).status_code == 302
