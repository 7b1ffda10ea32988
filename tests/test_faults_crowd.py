"""Several writers on two apps sharing one store, while storage fails in turn in each of
the four ways of ``faults.py``: what was answered is what the store holds.

The ledger's rules: no answer is a 500; every upload answered 201 is listed by both apps
and served byte for byte; every delete answered 204 stays gone; the only other images
are those of uploads answered 503 (an operation answered 503 may have been finished);
and, once the failed operations are settled, ``imagestore verify`` calls the store
whole without repair.
"""

import random
import threading
import time

import pytest
import requests
import samples
from eventually import eventually
from faults import FAST_FAILING, SETTLED_WITHIN

from imagestore import create_app
from imagestore.unfinished import UNFINISHED_PREFIX

WRITERS = 4
FAULT_WINDOWS = [
    ("error", lambda seen: seen.is_read and seen.key != ""),
    ("busy", lambda seen: True),
    ("slow", lambda seen: True),
    ("lost_answer", lambda seen: seen.is_write and seen.key != ""),
]
FAULT_SECONDS, HEALTHY_SECONDS = 0.8, 1.2


class Ledger:
    """What the store answered: keys stored (201) with their SHA-256, deleted (204), the names
    of uploads answered 503, and the keys of deletes answered 503 (gone or not)."""

    def __init__(self):
        self.stored, self.deleted, self.statuses = {}, set(), []
        self.unanswered, self.maybe_deleted = set(), set()
        self.lock = threading.Lock()

    def note(self, status):
        with self.lock:
            self.statuses.append(status)


def writer(number, base_urls, ledger, until):
    session, rng, mine = requests.Session(), random.Random(number), []
    count = 0
    while time.monotonic() < until:
        base_url = rng.choice(base_urls)
        roll = rng.random()
        if roll < 0.6 or not mine:
            count += 1
            name, data = f"w{number}-{count}.png", samples.image(seed=number * 1000 + count)
            answer = session.post(f"{base_url}/api/images", files={"file": (name, data)}, timeout=60)
            ledger.note(answer.status_code)
            if answer.status_code == 201:
                key = answer.json()["stored"][0]["key"]
                ledger.stored[key] = samples.sha256(data)
                mine.append(key)
            elif answer.status_code == 503:
                ledger.unanswered.add(name)
        elif roll < 0.85:
            key = mine.pop(rng.randrange(len(mine)))
            answer = session.delete(f"{base_url}/api/images/{key}", timeout=60)
            ledger.note(answer.status_code)
            if answer.status_code == 204:
                ledger.deleted.add(key)
            else:
                ledger.maybe_deleted.add(key)
        else:
            ledger.note(session.get(f"{base_url}/api/images?per_page=100", timeout=60).status_code)


def failing_in_turn(proxy, until):
    windows = 0
    while time.monotonic() < until:
        fault, matching = FAULT_WINDOWS[windows % len(FAULT_WINDOWS)]
        proxy.fail(fault, matching)
        time.sleep(FAULT_SECONDS)
        proxy.heal()
        time.sleep(HEALTHY_SECONDS)
        windows += 1
    proxy.heal()


@pytest.mark.parametrize("access", ["single", "shared"])
def test_writers_on_two_apps_keep_the_ledger_while_storage_fails(
    faulty_store, access, serve, closed_afterwards
):
    config, proxy = faulty_store.config, faulty_store.proxy
    apps = [closed_afterwards(create_app(config, access=access, overrides=FAST_FAILING)) for _ in range(2)]
    base_urls = [serve(app) for app in apps]
    ledger, until = Ledger(), time.monotonic() + 2 * len(FAULT_WINDOWS) * (FAULT_SECONDS + HEALTHY_SECONDS)
    threads = [threading.Thread(target=failing_in_turn, args=(proxy, until))]
    threads += [threading.Thread(target=writer, args=(n, base_urls, ledger, until)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert 500 not in ledger.statuses
    assert proxy.failed, "no fault was injected"
    assert ledger.stored and ledger.statuses.count(503), "the faults were not met"
    settled = eventually(lambda: browsed(base_urls) and not _unfinished(faulty_store), SETTLED_WITHIN)
    assert settled, "operations answered 503 were not settled"
    gone = ledger.deleted | ledger.maybe_deleted
    kept = {key: digest for key, digest in ledger.stored.items() if key not in gone}
    originals = {name for name in faulty_store.keys() if not name.startswith(".imagestore/")}
    assert set(kept) <= originals
    assert originals - set(kept) <= ledger.unanswered | ledger.maybe_deleted
    for base_url in base_urls:
        listing = requests.get(f"{base_url}/api/images?per_page=100", timeout=60).json()
        shown = {image["key"] for image in listing["images"]}
        assert set(kept) <= shown and shown <= originals
        for key in ledger.deleted:
            assert requests.get(f"{base_url}/image/{key}", timeout=60).status_code == 404
    for key, digest in kept.items():
        assert samples.sha256(requests.get(f"{base_urls[0]}/image/{key}", timeout=60).content) == digest
    code, said = faulty_store.verify()
    assert code == 0, said


def browsed(base_urls):
    """Look at the gallery, as users keep doing, in each app."""
    return all(requests.get(f"{url}/api/images", timeout=60).status_code == 200 for url in base_urls)


def _unfinished(faulty_store):
    return [name for name in faulty_store.keys() if name.startswith(UNFINISHED_PREFIX)]
