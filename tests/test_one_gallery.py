"""One gallery for every process: an upload or delete answered by any process on one
store shows on the next page view and API call of every other, at once.

Two app processes, and gunicorn with two workers, on one folder, bucket or
container, in both access modes. The processes keep their whole listing for an
hour (the default), so what shows at once comes from the store's journal, not
from listing the store again.
"""

import re

import pytest
import requests
import samples
from cshelve._database import _RawDatabase
from over_http import upload_over_http

from imagestore.database import backend_of, get_db

SCRIPTS = {"single": "app.py", "shared": "app-shared-access.py"}
FRESH_CONNECTIONS = 12


@pytest.fixture(params=["filesystem", "aws", "azure"])
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


def test_gunicorn_workers_all_show_an_upload_at_once(shared_store, start_app):
    config, variables = shared_store
    factory = f"imagestore:create_app({config!r}, access='shared')"
    app = start_app("--workers", "2", "--threads", "4", factory, script="gunicorn", **variables)
    for _ in range(FRESH_CONNECTIONS):
        assert api_keys(app.url) == []
    upload_over_http(app.url, "new.jpg", samples.image("jpeg", seed=1))
    seen = [api_keys(app.url) for _ in range(FRESH_CONNECTIONS)]
    seen += [page_keys(app.url) for _ in range(FRESH_CONNECTIONS)]
    assert seen == [["new.jpg"]] * (2 * FRESH_CONNECTIONS)


@pytest.fixture
def storage_requests(app, monkeypatch):
    """Every call the app makes to storage from now on: reads and listings through CShelve,
    and the existence checks and ordered listings it makes beneath it."""
    calls = []
    with app.app_context():
        backend = type(backend_of(get_db()))

    def spied(cls, name):
        original = getattr(cls, name)

        def counted(*args, **kwargs):
            calls.append(name)
            return original(*args, **kwargs)

        monkeypatch.setattr(cls, name, counted)

    for name in ("__getitem__", "__iter__", "__contains__"):
        spied(_RawDatabase, name)
    for name in ("keys_in_order", "exists"):
        spied(backend, name)
    return calls


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
