"""Two app processes on one folder, one bucket or one container, used at once.

Clients upload (the same name too), read back through the other process, and
delete: no upload is lost, none is mixed up with another (checked by content
hash), no key is given twice, and no reader sees a partly written image. The
in-memory backend is not here: each process has its own memory, so two
processes never share one in-memory store.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import samples
from eventually import eventually
from over_http import assert_lists_and_serves, served_sha256, upload_over_http

SCRIPTS = {"single": "app.py", "shared": "app-shared-access.py"}
CLIENTS = 6
OWN_IMAGES = 3


@pytest.fixture(params=["filesystem", "aws", "seaweedfs", "azure"])
def shared_store(request, own_config, backend_variables):
    """The .ini and environment variables that both processes are started with."""
    return str(own_config(request.param)), backend_variables(request.param)


def client_work(number, writer, reader, start_together):
    """Upload through one process, read and delete through the other.

    Every client first uploads ``same.jpg``, all at the same moment.
    """
    uploads = [("same.jpg", samples.photo(size=(640, 480), seed=1000 + number))]
    uploads += [
        (f"c{number}-{n}.jpg", samples.photo(size=(640, 480), seed=number * 10 + n))
        for n in range(OWN_IMAGES)
    ]
    stored = {}
    with requests.Session() as session:
        start_together.wait(timeout=30)
        for filename, data in uploads:
            stored[upload_over_http(writer, filename, data, session)] = samples.sha256(data)
        for key, digest in stored.items():
            assert served_sha256(reader, key, session) == digest
        deleted = f"c{number}-0.jpg"
        assert session.delete(f"{reader}/api/images/{deleted}", timeout=60).status_code == 204
    del stored[deleted]
    return stored, deleted


def test_two_processes_used_at_once_lose_nothing_and_mix_nothing_up(shared_store, access, start_app):
    config, variables = shared_store
    first, second = (start_app(config, script=SCRIPTS[access], **variables) for _ in range(2))
    urls = [first.url, second.url]
    start_together = threading.Barrier(CLIENTS)
    with ThreadPoolExecutor(CLIENTS) as pool:
        work = [
            pool.submit(client_work, n, urls[n % 2], urls[(n + 1) % 2], start_together)
            for n in range(CLIENTS)
        ]
        results = [future.result() for future in work]

    kept = {}
    for stored, _ in results:
        assert not kept.keys() & stored.keys(), "a key was given to two uploads"
        kept.update(stored)
    assert len(kept) == CLIENTS * OWN_IMAGES
    for url in urls:
        assert_lists_and_serves(url, kept)
        for _, deleted in results:
            assert requests.get(f"{url}/image/{deleted}", timeout=60).status_code == 404


def test_a_reader_never_sees_a_partly_written_image(shared_store, start_app):
    config, variables = shared_store
    writer, reader = (start_app(config, script="app-shared-access.py", **variables) for _ in range(2))
    big = samples.photo(size=(3000, 2000), seed=42)
    seen = []
    done = threading.Event()

    def poll():
        with requests.Session() as session:
            while not done.is_set():
                answer = session.get(f"{reader.url}/image/big.jpg", timeout=60)
                if answer.status_code == 200:
                    seen.append(samples.sha256(answer.content))

    with ThreadPoolExecutor(1) as pool:
        polling = pool.submit(poll)
        upload_over_http(writer.url, "big.jpg", big)
        eventually(lambda: seen)
        done.set()
        polling.result()
    assert seen, "the reader never saw the image"
    assert set(seen) == {samples.sha256(big)}
