"""The store is its own index: a new process shows any page, and the count, from the
snapshot the store keeps and the journal since, without listing the store; changes
become a new snapshot; stores without an index get one."""

import json
import math
import threading
import time

import pytest
import samples
from cshelve._database import _Database
from eventually import eventually

from imagestore import atomic
from imagestore.database import get_db
from imagestore.index import kept, order, snapshot, view
from imagestore.state import current
from imagestore.store import METADATA_PREFIX

FIRST_UPLOAD_NS = 1_700_000_000_000_000_000
MANIFESTS = snapshot.MANIFEST_PREFIX


@pytest.fixture
def whole_listings(monkeypatch):
    """The threads that list the whole store, as CShelve lists it."""
    listed = []
    whole_listing = _Database.__iter__

    def spied(self):
        listed.append(1)
        return whole_listing(self)

    monkeypatch.setattr(_Database, "__iter__", spied)
    return listed


def put_as_uploaded(app, count, first=0):
    """Images as uploads leave them (bytes, record, marker), put straight into the store."""
    picture = samples.image(size=(8, 8))
    with app.app_context():
        db = get_db()
        for number in range(first, first + count):
            key, uploaded_ns = f"p{number:05}.png", FIRST_UPLOAD_NS + number
            record = {"key": key, "filename": key, "size": len(picture), "sha256": samples.sha256(picture)}
            record |= {"content_type": "image/png", "width": 8, "height": 8, "animated": False}
            atomic.put(db, key, picture)
            atomic.put(db, METADATA_PREFIX + key, json.dumps(record | {"uploaded_ns": uploaded_ns}).encode())
            atomic.put(db, order.upload_marker(key, uploaded_ns), b"")


def api(client, page=1, per_page=4):
    listing = client.get(f"/api/images?page={page}&per_page={per_page}").json
    return [image["key"] for image in listing["images"]], listing["total"]


def newest_first(count):
    return [f"p{number:05}.png" for number in reversed(range(count))]


def test_a_store_without_an_index_gets_one_from_its_first_whole_listing(make_app, storage):
    put_as_uploaded(make_app(), 3)
    assert api(make_app().test_client()) == (newest_first(3), 3)
    assert [name for name in storage.names() if name.startswith(MANIFESTS)]


def test_a_new_process_shows_a_deep_page_and_the_count_without_listing_the_store(
    make_app, small_parts, whole_listings, storage_reads
):
    put_as_uploaded(make_app(), 30)
    api(make_app().test_client())
    whole_listings.clear(), storage_reads.clear()
    assert api(make_app().test_client(), page=6) == (newest_first(30)[20:24], 30)
    assert whole_listings == []
    assert len([key for key in storage_reads if key.startswith(snapshot.PART_PREFIX)]) == 1


def test_a_new_process_s_first_page_view_is_counted_without_listing_the_store(make_app, whole_listings):
    put_as_uploaded(make_app(), 30)
    api(make_app().test_client())
    whole_listings.clear()
    assert "30 images" in make_app().test_client().get("/?page=2").get_data(as_text=True)
    assert whole_listings == []


def test_uploads_and_deletes_since_the_snapshot_are_counted_by_a_new_process(make_app, small_parts, upload):
    put_as_uploaded(make_app(), 10)
    client = make_app().test_client()
    api(client)
    upload(("new.png", samples.image(seed=1)), to=client)
    assert client.delete("/api/images/p00003.png").status_code == 204
    expected = ["new.png", *(key for key in newest_first(10) if key != "p00003.png")]
    assert api(make_app().test_client(), per_page=20) == (expected, 10)


def test_a_delete_through_a_process_that_had_not_read_the_upload_yet_is_counted_everywhere(make_app, upload):
    first, second = make_app().test_client(), make_app().test_client()
    assert api(first)[1] == api(second)[1] == 0
    upload(("kept.png", samples.image(seed=1)), ("gone.png", samples.image(seed=2)), to=first)
    assert second.delete("/api/images/gone.png").status_code == 204
    assert api(second) == api(first) == (["kept.png"], 1)


def test_changes_past_the_threshold_become_a_snapshot_reusing_the_parts_they_left(
    make_app, small_parts, monkeypatch, storage, upload
):
    monkeypatch.setattr(kept, "COMPACT_AT_LEAST", 3)
    put_as_uploaded(make_app(), 12)
    client = make_app().test_client()
    api(client)
    before = set(storage.names())
    upload(*[(f"new-{n}.png", samples.image(seed=n)) for n in range(3)], to=client)
    api(client)
    assert eventually(lambda: len([name for name in storage.names() if name.startswith(MANIFESTS)]) == 2)
    with client.application.app_context():
        parts = [part.name for part in snapshot.newest(get_db()).parts]
    assert [name in before for name in parts] == [False, False, True, True], (
        "the first part, grown, and two kept"
    )
    keys, total = api(make_app().test_client(), per_page=20)
    assert total == 15 and keys[3:] == newest_first(12)


@pytest.fixture
def parts_held_back(monkeypatch):
    """Parts that the index's own thread reads wait until ``let_go`` is set; ``reading`` is
    set once one waits."""
    reading, let_go, read_part = threading.Event(), threading.Event(), snapshot.read_part

    def held_back(db, part):
        if threading.current_thread().name == "imagestore-index":
            reading.set()
            let_go.wait(timeout=60)
        return read_part(db, part)

    monkeypatch.setattr(snapshot, "read_part", held_back)
    yield reading, let_go
    let_go.set()


def test_pages_are_shown_while_a_new_snapshot_reads_the_parts_it_needs(
    make_app, small_parts, monkeypatch, storage, parts_held_back
):
    reading, let_go = parts_held_back
    monkeypatch.setattr(kept, "COMPACT_AT_LEAST", 3)
    monkeypatch.setattr(view, "KEPT_PARTS", 1)
    put_as_uploaded(make_app(), 12)
    api(make_app().test_client())
    client = make_app(DISCOVERY_SECONDS=0).test_client()
    api(client)
    for key in ("p00000.png", "p00004.png", "p00008.png"):
        assert client.delete(f"/api/images/{key}").status_code == 204
    api(client)
    assert reading.wait(timeout=30), "the changes became a new snapshot, reading two parts"
    shown = []
    page_view = threading.Thread(target=lambda: shown.append(api(client)))
    page_view.start()
    page_view.join(timeout=10)
    assert shown == [(["p00011.png", "p00010.png", "p00009.png", "p00007.png"], 9)], "held up"
    let_go.set()
    assert eventually(lambda: len([name for name in storage.names() if name.startswith(MANIFESTS)]) == 2)
    assert api(make_app().test_client(), per_page=20)[1] == 9


def test_a_process_whose_snapshot_was_deleted_takes_up_the_newest(make_app, small_parts, storage):
    put_as_uploaded(make_app(), 12)
    reader = make_app().test_client()
    assert api(reader) == (newest_first(12)[:4], 12)
    for name in storage.names():
        if name.startswith(snapshot.INDEX_PREFIX):
            storage.delete(name)
    api(make_app().test_client())
    assert api(reader, page=3) == (newest_first(12)[8:], 12)


@pytest.mark.parametrize("backend", ["in-memory"], indirect=True)
def test_a_page_view_costs_the_same_storage_requests_at_100_and_10_000_images(
    make_app, storage, storage_requests
):
    """Page 1, a deep page, the last and the API, each shown once and then again: at most
    three requests (here: the journal's), whatever the size. The index is made again for
    each size, as for a store another tool filled."""
    requests_by_size, stored = {}, 0
    for size in (100, 10_000):
        for name in storage.names():
            if name.startswith(snapshot.INDEX_PREFIX):
                storage.delete(name)
        put_as_uploaded(make_app(), size - stored, first=stored)
        stored = size
        client = make_app().test_client()
        assert api(client)[1] == size
        counts = []
        for url in ("/", f"/?page={size // 48}", f"/?page={math.ceil(size / 24)}", "/api/images"):
            client.get(url)
            storage_requests.clear()
            assert client.get(url).status_code == 200
            counts.append(len(storage_requests))
        requests_by_size[size] = counts
    assert requests_by_size[100] == requests_by_size[10_000]
    assert max(requests_by_size[100]) <= 3


@pytest.mark.parametrize("backend", ["aws"], indirect=True)
@pytest.mark.parametrize("access", ["shared"], indirect=True)
def test_an_idle_app_makes_no_storage_requests(client, upload, storage_requests):
    upload(("a.png", samples.image()))
    assert api(client)[1] == 1
    assert eventually(lambda: not current(client.application).gallery.index.working)
    storage_requests.clear()
    time.sleep(30)
    assert storage_requests == []
