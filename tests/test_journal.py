"""The store's journal: each change through the app, read once by every other process,
even one that lands after a later one; kept a day."""

import time

import pytest

from imagestore import atomic
from imagestore.database import clock_of
from imagestore.index.journal import JOURNAL_PREFIX, KEPT_NS, SETTLE_NS, Journal, change_name

UPLOADED_NS = 1_800_000_000_000_000_000


@pytest.fixture
def backend():
    """The journal is the same on every backend; the multi-process tests cover those."""
    return "in-memory"


def read(journal, db):
    changes = []
    journal.catch_up(db, changes.append)
    return changes


def test_a_change_one_process_writes_is_read_once_by_another(db):
    writer, reader = Journal(clock_of(db)), Journal(clock_of(db))
    writer.record(db, "added", "a.png", UPLOADED_NS)
    assert [(change.change, change.key) for change in read(reader, db)] == [("added", "a.png")]
    assert read(reader, db) == []


def test_a_change_carries_the_upload_time_that_places_the_image_in_the_gallery(db):
    Journal(clock_of(db)).record(db, "removed", "a.png", UPLOADED_NS)
    assert [change.entry for change in read(Journal(clock_of(db)), db)] == [(UPLOADED_NS, "a.png")]


def test_changes_the_journal_of_2026_11_wrote_by_key_alone_are_still_read(db):
    atomic.put(db, f"{JOURNAL_PREFIX}{time.time_ns():020d}-writer1/removed/old.png", b"")
    assert [(change.change, change.entry) for change in read(Journal(clock_of(db)), db)] == [
        ("removed", (None, "old.png"))
    ]


def test_a_reader_can_read_again_from_a_moment_on(db):
    writer, reader = Journal(clock_of(db)), Journal(clock_of(db))
    writer.record(db, "added", "a.png", UPLOADED_NS)
    read(reader, db)
    reader.read_again_from(time.time_ns() - SETTLE_NS)
    assert [change.key for change in read(reader, db)] == ["a.png"]


def test_a_process_reads_its_own_changes_back_in_the_journal_s_order(db):
    """So that its delete of an upload it had not read yet ends up applied after the upload."""
    journal = Journal(clock_of(db))
    Journal(clock_of(db)).record(db, "added", "a.png", UPLOADED_NS)
    journal.record(db, "removed", "a.png", UPLOADED_NS)
    assert [change.change for change in read(journal, db)] == ["added", "removed"]


def test_a_change_that_lands_after_a_later_one_is_still_read(db):
    reader = Journal(clock_of(db))
    now = time.time_ns()
    atomic.put(db, change_name("added", "later.png", UPLOADED_NS, now, "writer1"), b"")
    assert [change.key for change in read(reader, db)] == ["later.png"]
    atomic.put(db, change_name("added", "earlier.png", UPLOADED_NS, now - SETTLE_NS // 2, "writer2"), b"")
    assert [change.key for change in read(reader, db)] == ["earlier.png"]


def test_changes_older_than_a_day_are_deleted_by_the_next_writer(db):
    old = change_name("added", "old.png", UPLOADED_NS, time.time_ns() - KEPT_NS - 10**9, "writer1")
    atomic.put(db, old, b"")
    Journal(clock_of(db)).record(db, "added", "new.png", UPLOADED_NS)
    kept = [key for key in db if key.startswith(JOURNAL_PREFIX)]
    assert old not in kept and len(kept) == 1


def test_changes_the_store_s_index_still_needs_are_kept_past_a_day(db):
    needed = change_name("added", "needed.png", UPLOADED_NS, time.time_ns() - KEPT_NS - 10**9, "writer1")
    atomic.put(db, needed, b"")
    writer = Journal(clock_of(db))
    writer.keep_from_ns = time.time_ns() - 2 * KEPT_NS
    writer.record(db, "added", "new.png", UPLOADED_NS)
    assert needed in db


def test_a_writer_whose_clock_runs_ahead_hides_no_later_change(db):
    reader = Journal(clock_of(db))
    atomic.put(
        db, change_name("added", "ahead.png", UPLOADED_NS, time.time_ns() + 10 * SETTLE_NS, "fast"), b""
    )
    assert [change.key for change in read(reader, db)] == ["ahead.png"]
    atomic.put(db, change_name("added", "now.png", UPLOADED_NS, time.time_ns(), "honest"), b"")
    assert [change.key for change in read(reader, db)] == ["now.png"]


@pytest.mark.parametrize("backend", ["filesystem"])
def test_pruning_a_folder_store_leaves_no_empty_folders_behind(db, tmp_path):
    atomic.put(
        db, change_name("added", "old.png", UPLOADED_NS, time.time_ns() - KEPT_NS - 10**9, "writer1"), b""
    )
    Journal(clock_of(db)).record(db, "added", "new.png", UPLOADED_NS)
    journal = tmp_path / "images" / JOURNAL_PREFIX
    assert len([folder for folder in journal.iterdir() if folder.is_dir()]) == 1
