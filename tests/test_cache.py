"""The cache of served bytes: bounded, least recently used out first, one load per key."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from imagestore.cache import Served, ServedCache


def served(size):
    return Served(b"x" * size, etag="e", content_type="image/png")


def always():
    return True


def slowly(loads, load):
    """``load``, taking long enough for other threads to ask meanwhile, each call counted in ``loads``."""

    def slow_load():
        loads.append(1)
        time.sleep(1)
        return load()

    return slow_load


def all_at_once(threads, ask):
    """Run ``ask()`` in ``threads`` threads that start it together, and return the results."""
    start = threading.Barrier(threads)

    def together(_):
        start.wait(timeout=30)
        return ask()

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(together, range(threads)))


def missing():
    raise KeyError("a")


def test_what_is_cached_is_not_loaded_again():
    cache = ServedCache(max_bytes=1000, max_age=60)
    loads = []
    for _ in range(3):
        cache.get("a", lambda: loads.append("a") or served(10), always)
    assert loads == ["a"]


def test_the_cache_never_holds_more_than_its_bound():
    cache = ServedCache(max_bytes=1000, max_age=60)
    for n in range(50):
        cache.get(n, lambda size=200 + n: served(size), always)
        assert cache.size <= 1000
    assert cache.size > 750


def test_the_least_recently_used_entry_goes_first():
    cache = ServedCache(max_bytes=1000, max_age=60)
    for key in ("a", "b", "c", "d"):
        cache.get(key, lambda: served(250), always)
    cache.get("a", lambda: served(250), always)
    cache.get("e", lambda: served(250), always)
    assert [key for key in "abcde" if cache.holds(key)] == ["a", "c", "d", "e"]


def test_an_entry_over_a_quarter_of_the_cache_is_served_but_not_kept():
    cache = ServedCache(max_bytes=1000, max_age=60)
    cache.get("small", lambda: served(100), always)
    big = cache.get("big", lambda: served(300), always)
    assert len(big.data) == 300
    assert not cache.holds("big")
    assert cache.holds("small")


def test_a_cache_of_size_zero_keeps_nothing():
    cache = ServedCache(max_bytes=0, max_age=60)
    cache.get("a", lambda: served(1), always)
    assert not cache.holds("a")


def test_many_threads_asking_for_one_key_load_it_once():
    cache = ServedCache(max_bytes=10_000, max_age=60)
    loads = []
    slow_load = slowly(loads, lambda: served(100))
    results = all_at_once(8, lambda: cache.get("a", slow_load, always))
    assert loads == [1]
    assert all(result is results[0] for result in results)


def test_a_failed_load_reaches_every_waiting_thread_and_is_not_cached():
    cache = ServedCache(max_bytes=10_000, max_age=60)
    loads = []
    failing_load = slowly(loads, missing)

    def ask():
        with pytest.raises(KeyError):
            cache.get("a", failing_load, always)

    all_at_once(4, ask)
    assert loads == [1]
    assert not cache.holds("a")


def test_an_entry_older_than_max_age_is_kept_while_storage_still_has_it():
    cache = ServedCache(max_bytes=1000, max_age=0)
    cache.get("a", lambda: served(10), always)
    reloaded, asked = [], []
    cache.get("a", lambda: reloaded.append(1) or served(10), lambda: asked.append(1) or True)
    assert reloaded == []
    assert asked == [1]


def test_an_entry_older_than_max_age_is_dropped_once_storage_no_longer_has_it():
    cache = ServedCache(max_bytes=1000, max_age=0)
    cache.get("a", lambda: served(10), always)
    with pytest.raises(KeyError):
        cache.get("a", missing, lambda: False)
    assert not cache.holds("a")
