"""One gallery for every process: an upload or delete answered by any process on one
store shows on the next page view and API call of every other, at once.

Two and three app processes, and gunicorn with two workers, on one folder,
bucket (moto's, and SeaweedFS's, a distributed object store) or container, in both
access modes. The store is listed whole once a
day (the default), so what shows at once comes from the store's index and
journal, not from listing the store again.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import samples
from over_http import upload_over_http

SCRIPTS = {"single": "app.py", "shared": "app-shared-access.py"}
FRESH_CONNECTIONS = 12
UPLOADS_EACH = 30


@pytest.fixture(params=["filesystem", "aws", "seaweedfs", "azure"])
def shared_store(request, own_config, backend_variables):
    return str(own_config(request.param)), backend_variables(request.param)


@pytest.fixture
def two_processes(shared_store, access, start_app):
    config, variables = shared_store
    first, second = (start_app(config, script=SCRIPTS[access], **variables) for _ in range(2))
    for process in (first, second):
        assert api_keys(process.url) == []
    return first.url, second.url


def api_keys(url):
    return [image["key"] for image in requests.get(f"{url}/api/images", timeout=60).json()["images"]]


def api_total(url):
    return requests.get(f"{url}/api/images", timeout=60).json()["total"]


def page_keys(url):
    return re.findall(r'data-key="([^"]+)"', requests.get(url, timeout=60).text)


def test_an_upload_through_one_process_shows_at_once_in_the_other(two_processes):
    first, second = two_processes
    upload_over_http(first, "new.jpg", samples.image("jpeg", seed=1))
    assert page_keys(second) == ["new.jpg"]
    assert api_keys(second) == ["new.jpg"]
    assert api_total(second) == 1


def test_a_delete_through_one_process_shows_at_once_in_the_other(two_processes):
    first, second = two_processes
    upload_over_http(first, "kept.jpg", samples.image("jpeg", seed=1))
    upload_over_http(first, "gone.jpg", samples.image("jpeg", seed=2))
    assert sorted(api_keys(second)) == ["gone.jpg", "kept.jpg"]
    assert requests.get(f"{second}/image/gone.jpg", timeout=60).status_code == 200
    assert requests.delete(f"{first}/api/images/gone.jpg", timeout=60).status_code == 204
    assert page_keys(second) == ["kept.jpg"]
    assert api_keys(second) == ["kept.jpg"]
    assert api_total(second) == 1
    assert requests.get(f"{second}/image/gone.jpg", timeout=60).status_code == 404


def test_three_processes_uploading_at_once_each_count_every_upload(shared_store, access, start_app):
    config, variables = shared_store
    urls = [start_app(config, script=SCRIPTS[access], **variables).url for _ in range(3)]
    start_together = threading.Barrier(len(urls))

    def upload_through(number):
        with requests.Session() as session:
            assert api_total(urls[number]) == 0
            start_together.wait(timeout=60)
            for n in range(UPLOADS_EACH):
                upload_over_http(
                    urls[number], f"p{number}-{n}.png", samples.image(size=(8, 8), seed=n), session
                )

    with ThreadPoolExecutor(len(urls)) as pool:
        list(pool.map(upload_through, range(len(urls))))
    assert [api_total(url) for url in urls] == [len(urls) * UPLOADS_EACH] * len(urls)
    assert all(len(page_keys(url)) == 24 for url in urls)


def seen_on_fresh_connections(url):
    """The gallery's keys through the API, then the page, each on as many fresh connections
    (which gunicorn hands to any of its workers)."""
    seen = [api_keys(url) for _ in range(FRESH_CONNECTIONS)]
    return seen + [page_keys(url) for _ in range(FRESH_CONNECTIONS)]


def test_gunicorn_workers_all_show_an_upload_and_a_delete_at_once(shared_store, start_app):
    config, variables = shared_store
    factory = f"imagestore:create_app({config!r}, access='shared')"
    app = start_app("--workers", "2", "--threads", "4", factory, script="gunicorn", **variables)
    for _ in range(FRESH_CONNECTIONS):
        assert api_keys(app.url) == []
    upload_over_http(app.url, "new.jpg", samples.image("jpeg", seed=1))
    assert seen_on_fresh_connections(app.url) == [["new.jpg"]] * (2 * FRESH_CONNECTIONS)
    assert requests.delete(f"{app.url}/api/images/new.jpg", timeout=60).status_code == 204
    assert seen_on_fresh_connections(app.url) == [[]] * (2 * FRESH_CONNECTIONS)


@pytest.mark.parametrize("url", ["/", "/?page=2", "/api/images"])
def test_a_page_view_in_steady_state_makes_at_most_three_storage_requests(
    client, upload, storage_requests, url
):
    upload(*[(f"p{n:02}.png", samples.image(seed=n)) for n in range(30)])
    assert client.get("/api/images").json["total"] == 30
    client.get(url)
    storage_requests.clear()
    assert client.get(url).status_code == 200
    assert len(storage_requests) <= 3, storage_requests
