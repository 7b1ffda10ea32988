"""Uploads straight into storage (``IMAGESTORE_DIRECT_UPLOADS=true``, ``direct_uploads.py``),
on S3 (moto, and SeaweedFS, a distributed object store) and Azure (Azurite), in both
modes: the client asks the app where, sends the bytes there over HTTP itself, as a
browser does, then the app claims them, and answers as ``POST /api/images`` does.
Nothing staged is left behind either way."""

import pytest
import requests
import samples
from direct_client import send_directly, send_to_storage, staged, start
from eventually import eventually

from imagestore.database import clock_of
from imagestore.staging import STAGING_PREFIX, Sweeper

ABANDONED = f"{STAGING_PREFIX}{1:020d}-0123456789abcdef"  # staged in 1970


@pytest.fixture(params=["aws", "seaweedfs", "azure"])
def backend(request):
    """Overrides conftest's four backends: only S3 and Azure sign uploads."""
    return request.param


@pytest.fixture
def direct(make_app):
    return make_app(DIRECT_UPLOADS=True).test_client()


def test_a_photo_sent_straight_to_storage_is_stored_as_an_upload_is(direct, storage):
    photo = samples.photo(size=(1600, 1200))
    claimed = send_directly(direct, "holiday.jpg", photo)
    assert claimed.status_code == 201
    (image,) = claimed.json["stored"]
    assert (image["key"], image["width"], image["height"]) == ("holiday.jpg", 1600, 1200)
    assert direct.get(image["url"]).data == photo
    assert direct.get(image["thumbnail_url"]).status_code == 200
    assert direct.get("/api/images").json["total"] == 1
    assert staged(storage) == []


def test_a_file_that_is_no_image_is_refused_and_leaves_nothing_behind(direct, storage):
    claimed = send_directly(direct, "page.jpg", b"<html><script>alert(1)</script></html>")
    assert claimed.status_code == 400
    assert "HTML" in claimed.json["rejected"][0]["error"]
    assert direct.get("/api/images").json["total"] == 0
    assert staged(storage) == []


def test_more_bytes_than_announced_are_refused_and_deleted(direct, storage):
    """S3 may itself refuse a length other than the one signed; where storage takes it, the
    claim refuses it."""
    started = start(direct, "big.jpg", 100)
    upload = started.json["upload"]
    photo = samples.photo(size=(640, 480))
    headers = upload["headers"]
    sent = requests.request(upload["method"], upload["url"], data=photo, headers=headers, timeout=60)
    claimed = direct.post(started.json["claim_url"])
    if sent.ok:
        assert claimed.status_code == 413
        assert "More was sent than announced" in claimed.json["error"]
    assert direct.get("/api/images").json["total"] == 0
    assert staged(storage) == []


def test_a_file_over_the_stores_limit_is_refused_before_it_is_sent(make_app):
    client = make_app(DIRECT_UPLOADS=True, MAX_CONTENT_LENGTH=1000).test_client()
    started = start(client, "big.jpg", 5000)
    assert started.status_code == 413
    assert "at most" in started.json["error"]


def test_a_claim_of_nothing_sent_is_refused(direct):
    started = start(direct, "photo.jpg", 1000)
    claimed = direct.post(started.json["claim_url"])
    assert claimed.status_code == 400
    assert "Nothing was sent" in claimed.json["error"]


def test_a_ticket_the_store_did_not_sign_is_refused(direct):
    claimed = direct.post("/api/uploads/eyJzdGFnZWQiOiJ4In0.forged/claim")
    assert claimed.status_code == 400
    assert "not valid" in claimed.json["error"]


@pytest.mark.parametrize(
    "announced",
    [
        None,
        [],
        {"size": 10},
        {"filename": "a.jpg"},
        {"filename": "a.jpg", "size": 0},
        {"filename": "", "size": 1},
        {"filename": "a.jpg", "size": True},
    ],
)
def test_an_announcement_that_is_not_a_file_is_refused_with_what_to_send(direct, announced):
    answer = direct.post("/api/uploads", json=announced)
    assert answer.status_code == 400
    assert "Send JSON" in answer.json["error"]


def test_another_process_sharing_the_secret_key_takes_the_claim(make_app, monkeypatch):
    monkeypatch.setenv("IMAGESTORE_SECRET_KEY", "shared by every process")
    first, second = (make_app(DIRECT_UPLOADS=True).test_client() for _ in range(2))
    started = start(first, "photo.png", len(samples.image()))
    send_to_storage(started, samples.image())
    assert second.post(started.json["claim_url"]).status_code == 201
    assert first.get("/api/images").json["total"] == 1


def test_with_a_write_token_starting_an_upload_needs_it(make_app, monkeypatch):
    monkeypatch.setenv("IMAGESTORE_WRITE_TOKEN", "s3cret")
    client = make_app(DIRECT_UPLOADS=True).test_client()
    assert start(client, "photo.jpg", 1000).status_code == 401


def test_the_page_sends_its_uploads_straight_to_storage(direct):
    page = direct.get("/")
    assert 'data-direct-api="/api/uploads"' in page.get_data(as_text=True)
    started = start(direct, "photo.jpg", 1000)
    storage_origin = "/".join(started.json["upload"]["url"].split("/")[:3])
    assert f"connect-src 'self' {storage_origin};" in page.headers["Content-Security-Policy"]


def test_uploads_whose_ticket_has_expired_are_deleted_by_the_discovery(direct, storage):
    storage.put(ABANDONED, b"never claimed")
    assert eventually(lambda: direct.get("/api/images") and ABANDONED not in staged(storage))


def test_uploads_whose_ticket_has_expired_are_deleted_by_the_next_announcement(direct, storage):
    storage.put(ABANDONED, b"never claimed")
    fresh = start(direct, "photo.jpg", 10)
    send_to_storage(fresh, b"0123456789")
    assert len(staged(storage)) == 1 and ABANDONED not in staged(storage)


def test_a_process_looks_for_abandoned_uploads_at_most_once_an_hour(storage, db):
    sweeper = Sweeper(clock_of(db))
    sweeper(db)
    storage.put(ABANDONED, b"never claimed")
    sweeper(db)
    assert staged(storage) == [ABANDONED]
