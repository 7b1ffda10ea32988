"""Many clients at once, over real HTTP to a threaded server: nothing lost, nothing mixed up."""

from concurrent.futures import ThreadPoolExecutor

import requests
import samples
from over_http import assert_lists_and_serves, served_sha256, upload_over_http

CLIENTS = 8
IMAGES_PER_CLIENT = 3


def client_session(base_url, client_number):
    """Upload own images plus one under a name every client uses; read each back."""
    uploads = [
        (f"client{client_number}-{n}.png", samples.image(seed=client_number * 100 + n))
        for n in range(IMAGES_PER_CLIENT)
    ]
    uploads.append(("shared-name.png", samples.image(seed=10_000 + client_number)))
    stored = {}
    with requests.Session() as session:
        for filename, data in uploads:
            stored[upload_over_http(base_url, filename, data, session)] = samples.sha256(data)
        served = {key: served_sha256(base_url, key, session) for key in stored}
    return stored, served


def test_many_clients_at_once_lose_nothing_and_mix_nothing_up(live_server):
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda n: client_session(live_server, n), range(CLIENTS)))
    stored = {}
    for uploaded, served in results:
        assert served == uploaded
        stored.update(uploaded)
    assert len(stored) == CLIENTS * (IMAGES_PER_CLIENT + 1), "every upload got a key of its own"
    assert_lists_and_serves(live_server, stored)
