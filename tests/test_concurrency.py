"""Many clients at once, over real HTTP to a threaded server: nothing lost, nothing mixed up."""

from concurrent.futures import ThreadPoolExecutor

import requests
import samples

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
            answer = session.post(f"{base_url}/api/images", files={"file": (filename, data)}, timeout=60)
            assert answer.status_code == 201, answer.text
            stored[answer.json()["stored"][0]["key"]] = samples.sha256(data)
        served = {
            key: samples.sha256(session.get(f"{base_url}/image/{key}", timeout=60).content) for key in stored
        }
    return stored, served


def test_many_clients_at_once_lose_nothing_and_mix_nothing_up(live_server):
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda n: client_session(live_server, n), range(CLIENTS)))
    stored = {}
    for uploaded, served in results:
        assert served == uploaded
        stored.update(uploaded)
    assert len(stored) == CLIENTS * (IMAGES_PER_CLIENT + 1), "every upload got a key of its own"
    listing = requests.get(f"{live_server}/api/images?per_page=100", timeout=60).json()
    assert sorted(image["key"] for image in listing["images"]) == sorted(stored)
    for key, digest in stored.items():
        assert samples.sha256(requests.get(f"{live_server}/image/{key}", timeout=60).content) == digest
