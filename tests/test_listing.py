"""The kept listing: made in the background, used while it is made again, never waited
for by a page once one is kept."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from imagestore.listing import Listing


def counting(keys):
    """A ``list_in_order`` giving ``keys``, and the calls made."""
    calls = []

    def list_in_order():
        calls.append(1)
        return list(keys)

    return list_in_order, calls


def held(keys):
    """A ``list_in_order`` that gives ``keys`` once ``release`` is set."""
    release = threading.Event()

    def list_in_order():
        assert release.wait(timeout=30)
        return list(keys)

    return list_in_order, release


def test_nothing_is_kept_before_the_first_listing():
    assert Listing(max_age=3600).keys() is None


def test_waiting_gives_the_first_listing():
    list_in_order, calls = counting(["b.png", "a.png"])
    assert Listing(max_age=3600).wait(list_in_order) == ["b.png", "a.png"]
    assert len(calls) == 1


def test_a_listing_younger_than_max_age_is_used_again():
    listing = Listing(max_age=3600)
    list_in_order, calls = counting(["b.png", "a.png"])
    listing.wait(list_in_order)
    assert listing.refresh(list_in_order) is None
    assert listing.wait(list_in_order) == ["b.png", "a.png"]
    assert len(calls) == 1


def test_an_old_listing_is_used_while_the_store_is_listed_again():
    listing = Listing(max_age=0)
    listing.wait(counting(["a.png"])[0])
    list_in_order, release = held(["b.png", "a.png"])
    under_way = listing.refresh(list_in_order)
    assert listing.wait(list_in_order) == ["a.png"]
    release.set()
    assert under_way.result(timeout=30) == ["b.png", "a.png"]
    assert listing.keys() == ["b.png", "a.png"]


def test_many_requests_finding_no_listing_list_the_store_once():
    listing = Listing(max_age=3600)
    list_in_order, calls = counting(["a.png"])
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: listing.wait(list_in_order), range(8)))
    assert len(calls) == 1


def test_an_upload_is_first_and_a_delete_is_gone_without_listing_again():
    listing = Listing(max_age=3600)
    list_in_order, calls = counting(["b.png", "a.png"])
    listing.wait(list_in_order)
    listing.added("c.png")
    listing.removed("a.png")
    assert listing.keys() == ["c.png", "b.png"]
    assert len(calls) == 1


def test_uploads_and_deletes_made_while_the_store_is_listed_are_kept_in_the_new_listing():
    listing = Listing(max_age=3600)
    list_in_order, release = held(["b.png", "a.png"])
    under_way = listing.refresh(list_in_order)
    listing.added("c.png")
    listing.removed("a.png")
    release.set()
    assert under_way.result(timeout=30) == ["c.png", "b.png"]


def test_a_failed_listing_is_raised_to_those_waiting_and_tried_again_by_the_next():
    listing = Listing(max_age=3600)

    def broken():
        raise ConnectionError("storage does not answer")

    with pytest.raises(ConnectionError):
        listing.wait(broken)
    assert listing.keys() is None
    assert listing.wait(counting(["a.png"])[0]) == ["a.png"]


def test_a_failed_listing_is_not_tried_again_by_pages_before_max_age():
    listing = Listing(max_age=3600)
    failures = []

    def broken():
        failures.append(1)
        raise ConnectionError("storage does not answer")

    with pytest.raises(ConnectionError):
        listing.refresh(broken).result(timeout=30)
    assert listing.refresh(broken) is None
    assert len(failures) == 1
