"""Images other tools put into the store or take out show in every process's gallery, and
its count, within a turn of the discovery while pages are viewed; the store's originals
are listed by one process a turn, at a cost per hour that the store's size does not raise."""

import time

import pytest
import samples
from eventually import eventually

from imagestore.database import get_db
from imagestore.index import discovery
from imagestore.index.discovery import TURN_PREFIX, turn_seconds

TURN_SECONDS = 0.5


@pytest.fixture
def two_apps(make_app):
    """Two processes on one store, whose discovery takes turns of half a second."""
    return [make_app(DISCOVERY_SECONDS=TURN_SECONDS).test_client() for _ in range(2)]


def listing(client):
    answer = client.get("/api/images?per_page=100").json
    return sorted(image["key"] for image in answer["images"]), answer["total"]


def shown_while_browsing(clients, expected, timeout=30):
    """Whether every client lists ``expected`` (keys, total) while pages are viewed."""
    shown = eventually(lambda: all(listing(client) == expected for client in clients), timeout=timeout)
    assert shown, [listing(client) for client in clients]
    return shown


def test_an_image_another_tool_puts_in_shows_in_every_process(two_apps, upload, storage):
    first, second = two_apps
    assert upload(("mine.png", samples.image(seed=1)), to=first).status_code == 201
    assert listing(second) == (["mine.png"], 1)
    storage.put("synced.png", samples.image(seed=2))
    assert shown_while_browsing(two_apps, (["mine.png", "synced.png"], 2))
    assert second.get("/thumb/synced.png").status_code == 200


def test_an_image_another_tool_deletes_goes_from_every_process(two_apps, upload, storage):
    first, second = two_apps
    upload(("kept.png", samples.image(seed=1)), ("gone.png", samples.image(seed=2)), to=first)
    assert listing(second) == (["gone.png", "kept.png"], 2)
    storage.delete("gone.png")
    assert shown_while_browsing(two_apps, (["kept.png"], 1))


def test_an_upload_during_a_listing_is_shown_once(two_apps, upload, monkeypatch):
    """An image the listing saw before its journal entry was written is not shown twice."""
    first, second = two_apps
    listed = discovery.differences
    assert listing(first) == listing(second) == ([], 0)
    monkeypatch.setattr(discovery, "differences", lambda indexed, keys: listed([], keys))
    upload(("busy.png", samples.image(seed=1)), to=first)
    for _ in range(3):
        time.sleep(TURN_SECONDS)
        assert listing(first) == listing(second) == (["busy.png"], 1)


def test_one_process_lists_the_store_each_turn(two_apps, app, upload, storage):
    upload(("a.png", samples.image(seed=1)), to=two_apps[0])
    started = time.monotonic()
    while time.monotonic() - started < 4 * TURN_SECONDS:
        for client in two_apps:
            listing(client)
    turns = [name for name in storage.names() if name.startswith(TURN_PREFIX)]
    assert 1 <= len(turns) <= discovery.KEPT_TURNS


def test_the_turns_numbers_follow_each_other_without_gaps_or_repeats(two_apps, storage):
    numbers = set()
    started = time.monotonic()
    while time.monotonic() - started < 6 * TURN_SECONDS:
        for client in two_apps:
            listing(client)
        numbers |= {name for name in storage.names() if name.startswith(TURN_PREFIX)}
    taken = sorted(discovery.LATEST_TURN - int(name.removeprefix(TURN_PREFIX)) for name in numbers)
    assert taken == list(range(len(taken)))
    assert len(taken) <= 6 + 2, "at most one turn each half second"


@pytest.mark.parametrize("backend", ["filesystem"], indirect=True)
def test_a_store_another_tool_filled_with_10_000_images_is_counted_within_a_minute(make_app, storage, upload):
    client = make_app(DISCOVERY_SECONDS=1).test_client()
    upload(("mine.png", samples.image(seed=1)), to=client)
    picture = samples.image(size=(4, 4))
    for number in range(10_000):
        storage.put(f"synced-{number:05}.png", picture)
    assert eventually(lambda: client.get("/api/images").json["total"] == 10_001, timeout=60)


@pytest.mark.parametrize("backend", ["aws", "azure", "filesystem"], indirect=True)
def test_the_listing_leaves_out_what_the_app_keeps(app, upload):
    upload(("a.png", samples.image(seed=1)), ("b.jpg", samples.image("jpeg", seed=2)))
    with app.app_context():
        from imagestore.database import backend_of

        assert sorted(backend_of(get_db()).top_level_keys()) == ["a.png", "b.jpg"]


@pytest.mark.parametrize(("images", "seconds"), [(100, 30), (10_000, 30), (100_000, 300), (1_000_000, 3000)])
def test_a_turn_is_long_enough_to_keep_the_listings_within_their_hourly_budget(images, seconds):
    assert turn_seconds(images, shortest_seconds=30, lists_per_hour=1200) == seconds


def test_discovery_s_lists_per_hour_stay_at_the_budget_from_10_000_to_a_million_images():
    per_hour = [
        -(-images // discovery.KEYS_PER_LIST) * 3600 / turn_seconds(images, 30, 1200)
        for images in (10_000, 100_000, 1_000_000)
    ]
    assert per_hour == [1200, 1200, 1200]
