"""Several writers on two apps sharing one store, while storage fails in turn in each of
the four ways of ``faults.py``: what was answered is what the store holds.

The ledger's rules (``ledger.py``): no answer is a 500; every upload answered 201 is listed
by both apps and served byte for byte; every delete answered 204 stays gone; the only other
images are those of uploads answered 503 (an operation answered 503 may have been
finished); and, once the failed operations are settled, ``imagestore verify`` calls the
store whole without repair.
"""

import time

import pytest
from eventually import eventually
from faults import FAST_FAILING, SETTLED_WITHIN
from ledger import assert_the_store_keeps_the_ledger, browsed, crowd

from imagestore import create_app

FAULT_WINDOWS = [
    ("error", lambda seen: seen.is_read and seen.key != ""),
    ("busy", lambda seen: True),
    ("slow", lambda seen: True),
    ("lost_answer", lambda seen: seen.is_write and seen.key != ""),
]
FAULT_SECONDS, HEALTHY_SECONDS = 0.8, 1.2


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
    until = time.monotonic() + len(FAULT_WINDOWS) * (FAULT_SECONDS + HEALTHY_SECONDS)
    ledger = crowd(base_urls, until, lambda: failing_in_turn(proxy, until))

    assert 500 not in ledger.statuses
    assert proxy.failed, "no fault was injected"
    assert ledger.stored and ledger.statuses.count(503), "the faults were not met"
    settled = eventually(lambda: browsed(base_urls) and not faulty_store.unfinished(), SETTLED_WITHIN)
    assert settled, "operations answered 503 were not settled"
    assert_the_store_keeps_the_ledger(ledger, base_urls, faulty_store.originals())
    code, said = faulty_store.verify()
    assert code == 0, said
