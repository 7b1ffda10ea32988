"""The kept listing: the store is listed again only when the listing is old."""

from concurrent.futures import ThreadPoolExecutor

from imagestore.listing import Listing


def counting(keys):
    calls = []

    def list_in_order():
        calls.append(1)
        return list(keys)

    return list_in_order, calls


def test_a_listing_younger_than_max_age_is_used_again():
    listing = Listing(max_age=3600)
    list_in_order, calls = counting(["b.png", "a.png"])
    assert listing.keys(list_in_order) == ["b.png", "a.png"]
    assert listing.keys(list_in_order) == ["b.png", "a.png"]
    assert len(calls) == 1


def test_a_listing_of_max_age_zero_lists_every_time():
    listing = Listing(max_age=0)
    list_in_order, calls = counting(["a.png"])
    listing.keys(list_in_order)
    listing.keys(list_in_order)
    assert len(calls) == 2


def test_many_requests_finding_no_listing_list_the_store_once():
    listing = Listing(max_age=3600)
    list_in_order, calls = counting(["a.png"])
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: listing.keys(list_in_order), range(8)))
    assert len(calls) == 1


def test_an_upload_is_first_and_a_delete_is_gone_without_listing_again():
    listing = Listing(max_age=3600)
    list_in_order, calls = counting(["b.png", "a.png"])
    listing.keys(list_in_order)
    listing.added("c.png")
    listing.removed("a.png")
    assert listing.keys(list_in_order) == ["c.png", "b.png"]
    assert len(calls) == 1
