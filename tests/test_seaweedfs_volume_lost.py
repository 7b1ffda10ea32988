"""Several writers on two apps sharing a bucket of a SeaweedFS cluster, while its volume
servers are killed and started again, one at a time: what was answered is what the store
holds (the ledger's rules, ``ledger.py``), and ``imagestore verify`` calls it whole.

While a volume server is gone, SeaweedFS still lists every object and answers a HEAD of
it (its filer holds that), but answers 500 to a GET of one whose bytes that server held:
a record that a delete reads to find the image's gallery marker, or that a page shows.
Nothing here injects a fault; the cluster fails as a real one does.
"""

import time

import pytest
import storage as inspectors
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from eventually import eventually
from faults import FAST_FAILING, SETTLED_WITHIN
from ledger import assert_the_store_keeps_the_ledger, browsed, crowd

from imagestore import create_app
from imagestore.store import METADATA_PREFIX

OUTAGES = 2
UP_SECONDS, DOWN_SECONDS = 2, 2
RECORDS_TRIED = 30
ONE_SHORT_TRY = Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=1)


def volume_servers_lost_in_turn(cluster, bucket, unreadable):
    """Kill each volume server in turn for ``DOWN_SECONDS``, then start it again; add to
    ``unreadable`` the records that a GET straight from storage failed to read meanwhile."""
    straight = inspectors.S3Storage(bucket, config=ONE_SHORT_TRY)
    for number in range(OUTAGES):
        time.sleep(UP_SECONDS)
        back_at = time.monotonic() + DOWN_SECONDS
        cluster.kill_volume_server(number % len(cluster.volume_servers))
        unreadable += failing_reads(straight, back_at)
        time.sleep(max(0, back_at - time.monotonic()))
        cluster.start_volume_server(number % len(cluster.volume_servers))


def failing_reads(straight, until):
    """Of the store's first records, those that storage fails to read (not "not found"),
    trying until ``until`` at most."""
    failed = []
    for name in [name for name in straight.names() if name.startswith(METADATA_PREFIX)][:RECORDS_TRIED]:
        if time.monotonic() >= until:
            break
        try:
            straight.get(name)
        except ClientError as error:
            if error.response["Error"]["Code"] != "NoSuchKey":
                failed.append(name)
        except BotoCoreError:  # a time-out, a connection lost
            failed.append(name)
    return failed


@pytest.mark.parametrize("access", ["single", "shared"])
def test_writers_on_two_apps_keep_the_ledger_while_a_volume_server_is_lost(
    store_on_seaweedfs_cluster, seaweedfs_cluster, store_name, access, serve, closed_afterwards
):
    store = store_on_seaweedfs_cluster
    apps = [create_app(store.config, access=access, overrides=FAST_FAILING) for _ in range(2)]
    base_urls = [serve(closed_afterwards(app)) for app in apps]
    until = time.monotonic() + OUTAGES * (UP_SECONDS + DOWN_SECONDS) + UP_SECONDS
    unreadable = []
    ledger = crowd(
        base_urls, until, lambda: volume_servers_lost_in_turn(seaweedfs_cluster, store_name, unreadable)
    )

    assert unreadable, "the volume servers killed held none of the records"
    assert 500 not in ledger.statuses
    settled = eventually(lambda: browsed(base_urls) and not store.unfinished(), 2 * SETTLED_WITHIN)
    assert settled, "operations answered 503 were not settled"
    assert_the_store_keeps_the_ledger(ledger, base_urls, store.originals())
    code, said = store.verify()
    assert code == 0, said
    assert 503 in ledger.statuses, "no request met a volume server lost"
