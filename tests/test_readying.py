"""Images other tools put in are made ready (record, thumbnail) in the background, by the
process that holds the discovery's turn, with one read of each original; meanwhile a page
shows them by name, and never downloads an original."""

import os
import re
import time

import pytest
import samples
from eventually import eventually
from processes import run_imagestore

from imagestore.database import backend_of, get_db
from imagestore.index.journal import JOURNAL_PREFIX
from imagestore.store import METADATA_PREFIX, THUMBNAIL_PREFIX

FOUND = ["synced-a.png", "synced-b.png", "synced-c.png"]


def put_in_by_another_tool(storage):
    for number, key in enumerate(FOUND):
        storage.put(key, samples.image(seed=number))


def listed(client):
    return client.get("/api/images?per_page=100").json["images"]


def test_a_page_of_images_not_ready_yet_downloads_no_original(make_app, storage, storage_reads):
    client = make_app(READY_PER_SECOND=0).test_client()
    put_in_by_another_tool(storage)

    images, page = listed(client), client.get("/")

    assert [image["key"] for image in images] == FOUND
    assert [image["ready"] for image in images] == [False] * 3
    assert [image["size"] for image in images] == [None] * 3
    assert page.status_code == 200 and "preview on its way" in page.get_data(as_text=True)
    assert not set(FOUND) & set(storage_reads)


def test_a_page_of_images_not_ready_yet_asks_storage_nothing_of_them_when_viewed_again(
    make_app, storage, storage_reads, monkeypatch
):
    app = make_app(READY_PER_SECOND=0)
    client = app.test_client()
    put_in_by_another_tool(storage)
    checked = spy_on_existence_checks(app, monkeypatch)
    listed(client)
    first_reads = [key for key in storage_reads if key.endswith(tuple(FOUND))]
    storage_reads.clear()

    listed(client), client.get("/")

    assert not set(FOUND) & set(checked)
    assert len(first_reads) == len(FOUND)  # one read of each record, missing, the first time
    assert not [key for key in storage_reads if key.endswith(tuple(FOUND))]


def test_another_process_shows_the_images_once_made_ready_without_asking_of_each(make_app, storage):
    showing = make_app(READY_PER_SECOND=0, DISCOVERY_SECONDS=0).test_client()
    working = make_app(DISCOVERY_SECONDS=0.5, READY_PER_SECOND=20).test_client()
    put_in_by_another_tool(storage)
    assert eventually(lambda: len(listed(showing)) == len(FOUND), timeout=30)
    assert not any(image["ready"] for image in listed(showing))

    ready = eventually(lambda: all(image["ready"] for image in listed(working)), timeout=30)

    assert ready
    assert eventually(lambda: all(image["ready"] for image in listed(showing)), timeout=10)


def spy_on_existence_checks(app, monkeypatch):
    """The keys whose existence the app checks from now on."""
    checked = []
    with app.app_context():
        backend = type(backend_of(get_db()))
    exists = backend.exists

    def counted(self, key):
        checked.append(key)
        return exists(self, key)

    monkeypatch.setattr(backend, "exists", counted)
    return checked


def test_images_other_tools_put_in_are_made_ready_with_one_read_each(make_app, storage, storage_reads):
    client = make_app(DISCOVERY_SECONDS=0.5, READY_PER_SECOND=20).test_client()
    put_in_by_another_tool(storage)

    ready = eventually(lambda: all(image["ready"] for image in listed(client)), timeout=30)

    assert ready, listed(client)
    for key in FOUND:
        assert storage_reads.count(key) == 1, key
        assert storage.get(METADATA_PREFIX + key) and storage.get(THUMBNAIL_PREFIX + key)
    shown = {image["key"]: image for image in listed(client)}
    assert shown["synced-a.png"]["width"] == 64 and shown["synced-a.png"]["content_type"] == "image/png"
    assert client.get(shown["synced-a.png"]["thumbnail_url"]).status_code == 200


def test_the_count_waiting_is_exported_and_falls_to_zero(make_app, storage):
    client = make_app(DISCOVERY_SECONDS=0.5, READY_PER_SECOND=20).test_client()
    put_in_by_another_tool(storage)

    def waiting():
        listed(client)
        exported = re.search(
            r"^imagestore_images_waiting_to_be_ready (\S+)$", client.get("/metrics").text, re.M
        )
        return exported is not None and exported.group(1) == "0.0"

    assert eventually(waiting, timeout=30)


@pytest.mark.parametrize("access", ["shared"])
@pytest.mark.parametrize("backend", ["filesystem", "aws", "azure"])  # commands reach no in-memory store
def test_scan_makes_them_ready_and_verify_counts_those_waiting(
    config_path, backend, backend_variables, storage
):
    put_in_by_another_tool(storage)
    variables = backend_variables(backend)

    _, before = run_imagestore("verify", str(config_path), variables=variables)
    code, scanned = run_imagestore("scan", str(config_path), variables=variables)
    _, after = run_imagestore("verify", str(config_path), variables=variables)

    assert "3 images other tools put in wait to be made ready" in before and "0 problems" in before
    assert code == 0 and "3 images other tools put in made ready" in scanned, scanned
    assert "wait to be made ready" not in after and "0 problems" in after
    assert all(storage.get(METADATA_PREFIX + key) for key in FOUND)


def test_a_process_that_keeps_no_placeholder_reads_no_ready_entry(make_app, storage, storage_reads):
    """The journal's ``ready`` entries only drop placeholders a process keeps: a process
    started after the work, which keeps none, does not read them (one GET each, a second's
    work each, since the last snapshot)."""
    working = make_app(DISCOVERY_SECONDS=0.5, READY_PER_SECOND=20).test_client()
    put_in_by_another_tool(storage)
    assert eventually(lambda: all(image["ready"] for image in listed(working)), timeout=30)
    storage_reads.clear()

    images = listed(make_app(READY_PER_SECOND=0).test_client())

    assert [image["ready"] for image in images] == [True] * len(FOUND)
    assert not [key for key in storage_reads if "/ready/" in key]


@pytest.mark.parametrize("backend", ["filesystem"])
def test_on_a_folder_a_page_does_not_walk_the_journal_it_read_already(make_app, storage, monkeypatch):
    """A ``ready`` entry is written each second of the work and kept a day: on a folder, each
    entry is folders of its own, and a page that walked every one of them to list the journal
    from where it last read took a third of a second at 1,000 entries."""
    client = make_app(READY_PER_SECOND=0).test_client()
    put_in_by_another_tool(storage)
    listed(client)
    an_hour_ago_ns = time.time_ns() - 3600 * 10**9
    for number in range(20):
        storage.put(f"{JOURNAL_PREFIX}{an_hour_ago_ns + number:020d}-elsewhere/ready/token", b'{"ready": []}')
    listed(client)
    walked, scandir = [], os.scandir
    monkeypatch.setattr(os, "scandir", lambda path=".": walked.append(os.fspath(path)) or scandir(path))

    listed(client)

    assert walked and not [path for path in walked if "-elsewhere" in path]
