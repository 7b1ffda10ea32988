"""Before the store is first listed, a page lists the store only as far as it shows,
and shows what it will show once the store is listed."""

import re
import threading

import pytest
import samples
from cshelve._database import _Database
from eventually import eventually

from imagestore.index.order import LATEST_NS, NEWEST_PREFIX

OLD_MARKERS = ".imagestore/uploaded/"  # as versions before 2026-11 wrote them


def keys_on(page):
    return re.findall(r'data-key="([^"]+)"', page.get_data(as_text=True))


def put_by_another_tool(storage, count, names=()):
    for n, name in enumerate([*names, *(f"tool-{n:02}.png" for n in range(count))]):
        storage.put(name, samples.image(size=(8, 8), seed=n))


def newest_marker(name, uploaded_ns):
    """An upload marker as the app writes it today: its number counts down with time."""
    return f"{NEWEST_PREFIX}{LATEST_NS - uploaded_ns:020d}/{name}"


def api_keys(client, url="/api/images"):
    return [image["key"] for image in client.get(url).json["images"]]


def first_view(make_app, url="/"):
    """What a new app shows at ``url``: its first page view, made before any listing."""
    return make_app().test_client().get(url)


def test_the_pages_before_the_first_listing_are_those_after_it(make_app, upload, storage):
    """With names that sort before, between and just after the app's own records."""
    put_by_another_tool(storage, 30, names=["-a.png", ".a.png", ".imagestore-x.png", ".imagestore0.png"])
    for name in ("first.png", "second.png", "third.png"):
        upload((name, samples.image(size=(8, 8))))
    listed = make_app().test_client()
    for number in (1, 2):
        assert keys_on(first_view(make_app, f"/?page={number}")) == api_keys(
            listed, f"/api/images?page={number}"
        )
    assert keys_on(first_view(make_app))[:4] == ["third.png", "second.png", "first.png", "-a.png"]


def test_images_uploaded_at_one_moment_come_by_name_before_and_after_the_listing(make_app, storage):
    for name in ("tie-b.png", "tie-a.png"):
        storage.put(name, samples.image(size=(8, 8)))
        storage.put(newest_marker(name, 1_800_000_000_000_000_000), b"")
    assert keys_on(first_view(make_app)) == ["tie-a.png", "tie-b.png"]
    assert api_keys(make_app().test_client()) == ["tie-a.png", "tie-b.png"]


def test_a_first_page_before_the_listing_says_more_images_follow(make_app, storage):
    put_by_another_tool(storage, 30)
    page = first_view(make_app).get_data(as_text=True)
    assert "more than 24 images" in page
    assert "Page 1</span>" in page and 'rel="next"' in page


def test_a_store_that_ends_on_the_page_is_counted_without_a_listing(make_app, storage):
    put_by_another_tool(storage, 3)
    page = first_view(make_app).get_data(as_text=True)
    assert "3 images" in page and 'rel="next"' not in page


def test_a_page_beyond_the_end_before_the_listing_says_there_is_no_such_page(make_app, storage):
    put_by_another_tool(storage, 3)
    assert "There is no page 2" in first_view(make_app, "/?page=2").get_data(as_text=True)


def test_the_store_is_listed_after_the_first_page_so_later_pages_are_counted(make_app, storage):
    put_by_another_tool(storage, 30)
    client = make_app().test_client()
    assert "more than 24 images" in client.get("/").get_data(as_text=True)
    assert eventually(lambda: "30 images" in client.get("/").get_data(as_text=True))


def test_the_api_counts_the_store_on_its_first_call(make_app, storage):
    put_by_another_tool(storage, 30)
    assert make_app().test_client().get("/api/images").json["total"] == 30


def test_an_upload_whose_image_another_tool_deleted_is_not_shown(make_app, upload, storage):
    upload(("kept.png", samples.image(seed=1)), ("gone.png", samples.image(seed=2)))
    storage.delete("gone.png")
    assert keys_on(first_view(make_app)) == ["kept.png"]


@pytest.fixture
def store_of_an_earlier_version(storage):
    for name in ("older.png", "newer.png", "by-a-tool.png"):
        storage.put(name, samples.image(size=(8, 8)))
    storage.put(f"{OLD_MARKERS}{1_700_000_000_000_000_000:020d}/older.png", b"")
    storage.put(f"{OLD_MARKERS}{1_800_000_000_000_000_000:020d}/newer.png", b"")
    return ["newer.png", "older.png", "by-a-tool.png"]


def test_upload_markers_of_earlier_versions_still_put_the_newest_first(make_app, store_of_an_earlier_version):
    assert keys_on(first_view(make_app)) == store_of_an_earlier_version


def test_the_first_listing_renames_upload_markers_of_earlier_versions(
    make_app, storage, store_of_an_earlier_version
):
    assert make_app().test_client().get("/api/images").json["total"] == 3
    assert not [name for name in storage.names() if name.startswith(OLD_MARKERS)]
    assert keys_on(first_view(make_app)) == store_of_an_earlier_version


@pytest.mark.parametrize("backend", ["aws", "azure"], indirect=True)
def test_on_s3_and_azure_a_page_never_waits_for_the_whole_store_to_be_listed(make_app, storage, monkeypatch):
    """The whole store is listed only in the listing's own thread, which here cannot list
    until the page is answered."""
    put_by_another_tool(storage, 30)
    listed_in, page_answered = [], threading.Event()
    whole_listing = _Database.__iter__

    def held_until_the_page_is_answered(self):
        listed_in.append(threading.current_thread().name)
        page_answered.wait(timeout=10)
        return whole_listing(self)

    monkeypatch.setattr(_Database, "__iter__", held_until_the_page_is_answered)
    page = make_app().test_client().get("/")
    page_answered.set()
    assert "more than 24 images" in page.get_data(as_text=True) and len(keys_on(page)) == 24
    assert eventually(lambda: listed_in)
    assert set(listed_in) == {"imagestore-index"}


def test_a_page_far_into_the_store_waits_for_the_listing_and_is_counted(make_app, storage):
    put_by_another_tool(storage, 30)
    page = first_view(make_app, "/?page=11").get_data(as_text=True)
    assert "30 images" in page and "There is no page 11" in page
