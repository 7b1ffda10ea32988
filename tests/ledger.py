"""A crowd of writers on apps sharing one store, and its ledger: what each upload, delete
and listing was answered, checked afterwards against what the store holds.

The ledger's rules: no answer is a 500; every upload answered 201 is listed by every app
and served byte for byte; every delete answered 204 stays gone; the only other images
are those of uploads answered 503 (an operation answered 503 may have been finished).
"""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import samples

WRITERS = 4


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


def crowd(base_urls, until, disturbance):
    """Run ``WRITERS`` writers on ``base_urls`` until ``until`` (``time.monotonic()``), while
    ``disturbance()`` runs beside them; return their ledger. What any of them raises is raised."""
    ledger = Ledger()
    with ThreadPoolExecutor(WRITERS + 1) as pool:
        running = [pool.submit(disturbance)]
        running += [pool.submit(writer, number, base_urls, ledger, until) for number in range(WRITERS)]
        for each in running:
            each.result()
    return ledger


def writer(number, base_urls, ledger, until):
    """Upload (60 %), delete one of its own uploads (25 %) or list (15 %), on an app drawn at
    random each time, noting every answer in ``ledger``."""
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


def browsed(base_urls):
    """Look at the gallery, as users keep doing, in each app; whether every app answered 200."""
    return all(requests.get(f"{url}/api/images", timeout=60).status_code == 200 for url in base_urls)


def assert_the_store_keeps_the_ledger(ledger, base_urls, originals):
    """What the apps at ``base_urls`` show and serve, and ``originals`` (the store's keys outside
    the reserved prefix, listed straight from storage), are what ``ledger`` was answered."""
    gone = ledger.deleted | ledger.maybe_deleted
    kept = {key: digest for key, digest in ledger.stored.items() if key not in gone}
    assert set(kept) <= originals
    assert originals - set(kept) <= ledger.unanswered | ledger.maybe_deleted
    for base_url in base_urls:
        shown = listed(base_url)
        assert set(kept) <= shown and shown <= originals
        for key in ledger.deleted:
            assert requests.get(f"{base_url}/image/{key}", timeout=60).status_code == 404
    for key, digest in kept.items():
        assert samples.sha256(requests.get(f"{base_urls[0]}/image/{key}", timeout=60).content) == digest


def listed(base_url):
    """The keys of every page of the gallery's listing."""
    keys, number = set(), 1
    while True:
        listing = requests.get(f"{base_url}/api/images?per_page=100&page={number}", timeout=60).json()
        keys |= {image["key"] for image in listing["images"]}
        if number * listing["per_page"] >= listing["total"]:
            return keys
        number += 1
