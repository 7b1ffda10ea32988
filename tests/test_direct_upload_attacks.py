"""Direct uploads (``direct_uploads``) probed as an attacker with write permission would,
over HTTP, on S3 (moto, which checks no signature, and SeaweedFS, which does) and Azure
(Azurite, which checks SAS signatures but cannot bound a blob's size): a ticket stores at
most one image, of at most the size it announced, read in at most one byte more; staging
is bounded."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import samples
from azure.storage.blob import StorageStreamDownloader
from direct_client import (
    commit_blocks,
    is_azure,
    put_to_storage,
    send_to_storage,
    stage_block,
    staged,
    start,
)

from imagestore.backends import Observed, azure
from imagestore.database import clock_of
from imagestore.staging import CLAIMED_PREFIX, STAGING_PREFIX, sweep
from imagestore.web import direct_uploads

LARGE = b"\xff" * (4 * 2**20)  # four times what any test announces
TICKET_NS = direct_uploads.TICKET_SECONDS * 10**9


@pytest.fixture(params=["aws", "seaweedfs", "azure"])
def backend(request):
    """Overrides conftest's four backends: only S3 and Azure sign uploads."""
    return request.param


@pytest.fixture
def direct(make_app):
    return make_app(DIRECT_UPLOADS=True).test_client()


@pytest.fixture
def bytes_read(monkeypatch):
    """How many bytes each claim reads from storage: a spy, every read still goes to storage."""
    lengths = []
    read = Observed.read_at_most

    def counted(self, key, length):
        data, size = read(self, key, length)
        lengths.append(len(data))
        return data, size

    monkeypatch.setattr(Observed, "read_at_most", counted)
    return lengths


def replacing_in_storage(upload, data):
    """What puts ``data`` where the upload was sent, as the attacker can while the URL is
    valid, and returns storage's status: on Azure, a commit of blocks staged beforehand, a
    few milliseconds' work; on S3, a PUT."""
    if is_azure(upload):
        block = stage_block(upload, data)
        return lambda: commit_blocks(upload, [block]).status_code
    return lambda: put_to_storage(upload, data).status_code


def replace_in_storage(upload, data):
    return replacing_in_storage(upload, data)()


def test_a_claim_raced_by_a_larger_commit_never_stores_or_reads_more_than_announced(
    direct, bytes_read, backend
):
    photo = samples.image(seed=7)
    outcomes = []
    for _ in range(4):
        started = start(direct, "raced.png", len(photo))
        upload = started.json["upload"]
        send_to_storage(started, photo)
        racing = threading.Thread(target=replacing_in_storage(upload, LARGE))
        racing.start()
        claimed = direct.post(started.json["claim_url"])
        racing.join()
        outcomes.append(claimed.status_code)
        assert claimed.status_code in (201, 409, 413), claimed.json
        if claimed.status_code == 201:
            assert direct.get(claimed.json["stored"][0]["url"]).data == photo
    assert max(bytes_read) <= len(photo) + 1
    assert direct.get("/api/images").json["total"] == outcomes.count(201)


def test_a_blob_committed_larger_than_announced_is_refused_without_being_read(direct, bytes_read, backend):
    """moto and Azure take it (a SAS cannot bound a blob's size); SeaweedFS checks the length signed."""
    started = start(direct, "big.jpg", 1)
    status = replace_in_storage(started.json["upload"], LARGE)
    assert (status == 403) is (backend == "seaweedfs")
    claimed = direct.post(started.json["claim_url"])
    if status != 403:
        assert claimed.status_code == 413
        assert f"({len(LARGE)} bytes, not 1)" in claimed.json["error"]
        assert bytes_read == [2]
    assert direct.get("/api/images").json["total"] == 0


@pytest.mark.parametrize("backend", ["azure"])
def test_a_blob_replaced_between_the_chunks_a_claim_reads_is_not_stored(
    make_app, storage, monkeypatch, backend
):
    """The SDK reads a large blob in chunks, each after the first only if the blob is the same."""
    settings = azure.client_settings
    chunks = {"max_single_get_size": 1024, "max_chunk_get_size": 1024}
    monkeypatch.setattr(azure, "client_settings", lambda *args: settings(*args) | chunks)
    client = make_app(DIRECT_UPLOADS=True).test_client()
    photo = samples.photo(size=(320, 240))
    started = start(client, "changing.jpg", len(photo))
    send_to_storage(started, photo)
    read_all = StorageStreamDownloader.readall

    def replaced_after_the_first_chunk(downloader):
        storage.put(downloader.name, samples.photo(size=(320, 240), seed=9))
        return read_all(downloader)

    monkeypatch.setattr(StorageStreamDownloader, "readall", replaced_after_the_first_chunk)
    claimed = client.post(started.json["claim_url"])
    assert claimed.status_code == 409
    assert "changed in storage" in claimed.json["error"]
    assert client.get("/api/images").json["total"] == 0


@pytest.mark.parametrize("backend", ["seaweedfs"])
def test_storage_that_checks_signatures_refuses_a_length_other_than_announced(direct, backend):
    started = start(direct, "big.jpg", 100)
    assert put_to_storage(started.json["upload"], LARGE).status_code == 403


def test_a_ticket_claimed_again_after_a_second_upload_stores_nothing(direct, storage):
    photo = samples.image(seed=1)
    started = start(direct, "replay.png", len(photo))
    send_to_storage(started, photo)
    assert direct.post(started.json["claim_url"]).status_code == 201
    send_to_storage(started, photo)
    replayed = direct.post(started.json["claim_url"])
    assert replayed.status_code == 409
    assert "claimed already" in replayed.json["error"]
    assert direct.get("/api/images").json["total"] == 1
    assert len(staged(storage)) == 1


def test_what_is_staged_is_swept_once_no_ticket_can_claim_it_claimed_or_not(direct, storage, db):
    photo = samples.image(seed=1)
    claimed, pending = (start(direct, name, len(photo)) for name in ("claimed.png", "pending.png"))
    send_to_storage(claimed, photo)
    assert direct.post(claimed.json["claim_url"]).status_code == 201
    send_to_storage(claimed, photo)
    send_to_storage(pending, photo)
    now = clock_of(db).now_ns()
    sweep(db, now + TICKET_NS)
    assert len(staged(storage)) == 2, "a ticket may still be valid on a clock a little behind"
    sweep(db, now + 2 * 3600 * 10**9)
    assert staged(storage) == []
    assert not [name for name in storage.names() if name.startswith(CLAIMED_PREFIX)]


def test_eight_claims_of_one_ticket_at_once_store_one_image(make_app, serve):
    app = make_app(DIRECT_UPLOADS=True)
    base, client = serve(app), app.test_client()
    photo = samples.image(seed=3)
    started = start(client, "once.png", len(photo))
    send_to_storage(started, photo)
    gate = threading.Barrier(8)

    def claim(_):
        gate.wait()
        return requests.post(base + started.json["claim_url"], timeout=60)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(claim, range(8)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * 7
    assert client.get("/api/images").json["total"] == 1


def test_an_expired_ticket_is_gone(direct, monkeypatch):
    photo = samples.image()
    started = start(direct, "late.png", len(photo))
    send_to_storage(started, photo)
    monkeypatch.setattr(direct_uploads, "TICKET_SECONDS", -1)
    claimed = direct.post(started.json["claim_url"])
    assert claimed.status_code == 410
    assert "expired" in claimed.json["error"]


def test_announcements_past_a_writers_limit_get_429_with_when_to_retry(make_app):
    client = make_app(DIRECT_UPLOADS=True, DIRECT_UPLOADS_PER_MINUTE=3).test_client()
    for _ in range(3):
        assert start(client, "photo.jpg", 1000).status_code == 201
    refused = start(client, "photo.jpg", 1000)
    assert refused.status_code == 429
    assert "at most 3 a minute" in refused.json["error"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    another_writer = start(client, "photo.jpg", 1000, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert another_writer.status_code == 201


def test_announcements_past_the_stores_unclaimed_bytes_get_429_until_a_claim(make_app):
    photo = samples.image(seed=4)
    client = make_app(DIRECT_UPLOADS=True, STAGED_BYTES=len(photo) * 3 // 2).test_client()
    first = start(client, "first.png", len(photo))
    assert first.status_code == 201
    refused = start(client, "second.png", len(photo))
    assert refused.status_code == 429
    assert "waiting to be claimed" in refused.json["error"]
    assert int(refused.headers["Retry-After"]) > 0
    send_to_storage(first, photo)
    assert client.post(first.json["claim_url"]).status_code == 201
    assert start(client, "second.png", len(photo)).status_code == 201


def test_uploads_whose_ticket_has_expired_do_not_count_against_the_stores_limit(make_app, storage):
    client = make_app(DIRECT_UPLOADS=True, STAGED_BYTES=2 * 2**20).test_client()
    assert start(client, "first.jpg", 10).status_code == 201, "and the staging area is swept, once an hour"
    storage.put(f"{STAGING_PREFIX}{1:020d}-{2**30}-0123456789abcdef", LARGE)
    assert start(client, "second.jpg", 10).status_code == 201


def test_bytes_sent_past_an_announcement_count_against_the_stores_limit(make_app):
    """On Azure a SAS cannot bound a blob's size: what was sent counts, not what was announced."""
    client = make_app(DIRECT_UPLOADS=True, STAGED_BYTES=len(LARGE) // 2).test_client()
    started = start(client, "small.jpg", 10)
    status = replace_in_storage(started.json["upload"], LARGE)
    refused = start(client, "next.jpg", 10)
    assert refused.status_code == (429 if status in (200, 201) else 201)


@pytest.mark.parametrize("backend", ["azure"])
def test_blocks_never_committed_are_swept_with_the_abandoned(direct, db, storage, backend):
    started = start(direct, "photo.jpg", 10)
    stage_block(started.json["upload"], LARGE)
    abandoned = f"{STAGING_PREFIX}{1:020d}-10-0123456789abcdef"
    storage.container.get_blob_client(abandoned).stage_block("YmxvY2s=", LARGE)
    assert abandoned in storage.names_with_uncommitted()
    assert sweep(db, clock_of(db).now_ns()) == 1
    assert abandoned not in storage.names_with_uncommitted()
    assert len(staged(storage)) == 1
