"""A process's view of the index: the snapshot's parts with the changes since laid
over them, read a part at a time."""

import random

import pytest

from imagestore.index import snapshot
from imagestore.index.order import rank
from imagestore.index.view import View

FIRST_UPLOAD_NS = 1_800_000_000_000_000_000


@pytest.fixture
def backend():
    """The view is the same whatever holds the parts."""
    return "in-memory"


def entries_of(count):
    return [(FIRST_UPLOAD_NS - number * 10, f"k{number:03}") for number in range(count)]


def test_a_change_made_twice_changes_nothing(db, small_parts):
    manifest, _ = snapshot.write(db, [entries_of(10)], 0, 0, "writer")
    view = View(manifest)
    for _ in range(2):
        view.apply(db, "added", (FIRST_UPLOAD_NS + 5, "new"))
        view.apply(db, "removed", entries_of(10)[4])
        view.apply(db, "added", entries_of(10)[2])
        view.apply(db, "removed", (FIRST_UPLOAD_NS - 5, "never-there"))
    assert view.total == 10 and view.changes == 2


def test_every_page_of_a_view_is_the_snapshot_with_its_changes_laid_over(db, small_parts):
    """Random adds and removes, anywhere in the order, against the list they should make."""
    rng, entries = random.Random(7), entries_of(40)
    manifest, _ = snapshot.write(db, [entries[:25], entries[25:]], 0, 0, "writer")
    view, expected = View(manifest), set(entries)
    for number in range(30):
        if rng.random() < 0.5:
            entry = (FIRST_UPLOAD_NS - rng.randrange(500), f"a{number:03}")
            view.apply(db, "added", entry)
            expected.add(entry)
        else:
            entry = rng.choice(sorted(expected))
            view.apply(db, "removed", entry)
            expected.discard(entry)
    in_order = sorted(expected, key=rank)
    assert view.total == len(in_order)
    for start in range(0, len(in_order) + 3):
        assert view.entries(db, start, 5) == in_order[start : start + 5]
    written, _ = snapshot.write(db, view.runs(db), 0, 0, "writer")
    assert View(written).entries(db, 0, 100) == in_order


def test_a_change_recorded_by_key_alone_is_found_by_key(db, small_parts):
    manifest, _ = snapshot.write(db, [entries_of(10)], 0, 0, "writer")
    view = View(manifest)
    view.apply(db, "removed", (None, "k007"))
    assert (FIRST_UPLOAD_NS - 70, "k007") not in view.entries(db, 0, 10)
    assert view.total == 9


def test_an_upload_a_whole_listing_saw_without_its_marker_is_shown_once(db, small_parts):
    """The listing held it as put in by another tool; the journal's upload replaces it."""
    manifest, _ = snapshot.write(db, [[*entries_of(3), (0, "late.png")]], 0, 0, "writer")
    view = View(manifest)
    view.apply(db, "added", (FIRST_UPLOAD_NS + 1, "late.png"))
    assert view.entries(db, 0, 10) == [(FIRST_UPLOAD_NS + 1, "late.png"), *entries_of(3)]
    view.apply(db, "removed", (FIRST_UPLOAD_NS + 1, "late.png"))
    assert view.total == 3
