"""The backend going away while the app serves, in both access modes.

Each test runs its own emulator, then really stops it (connections refused,
Azurite restarted later on the same port and disk location) or freezes it
(connections accepted, nothing answers: moto, whose data lives in its memory,
and Azurite). Requests then get a 503 in plain words within a bounded time,
``/readyz`` names the backend, and when the backend is back every image
stored before is served again.
"""

import io
import time

import pytest
import requests
import samples
from emulators import azure_variables, azurite_server, moto_s3_server, running, s3_variables
from over_http import upload_over_http

from imagestore import create_app
from imagestore.state import current

STORAGE_TIMEOUT = 1
BOUND = 6  # seconds: two attempts of STORAGE_TIMEOUT, the backoff between them, and slack


@pytest.fixture(
    params=[("aws", "frozen"), ("azure", "stopped"), ("azure", "frozen")],
    ids=["s3-frozen", "azurite-stopped", "azurite-frozen"],
)
def outage(request, tmp_path, monkeypatch, own_config):
    """A private emulator this test may stop, and the .ini that points at it."""
    backend, kind = request.param
    if backend == "aws":
        server, variables = moto_s3_server(tmp_path), s3_variables
    else:
        (tmp_path / "azurite").mkdir()
        server, variables = azurite_server(tmp_path / "azurite"), azure_variables
    with running(server):
        for name, value in variables(server.url).items():
            monkeypatch.setenv(name, value)
        yield server, kind, own_config(backend)


def upload(client, filename, data):
    return client.post("/api/images", data={"file": [(io.BytesIO(data), filename)]})


def timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def test_an_outage_gives_503_in_plain_words_and_then_everything_comes_back(outage, access):
    server, kind, config_path = outage
    app = create_app(config_path, access=access, overrides={"STORAGE_TIMEOUT": STORAGE_TIMEOUT})
    client = app.test_client()
    originals = {f"before-{n}.png": samples.image(seed=n) for n in range(2)}
    for name, data in originals.items():
        assert upload(client, name, data).status_code == 201

    if kind == "frozen":
        server.freeze()
    else:
        server.stop()
    try:
        for url in ("/image/before-0.png", "/", "/api/images"):
            answer, seconds = timed(lambda url=url: client.get(url))
            assert answer.status_code == 503, url
            assert "The image storage is not answering right now" in answer.get_data(as_text=True)
            assert "Traceback" not in answer.get_data(as_text=True)
            assert seconds < BOUND, f"{url} took {seconds:.1f} s"
        refused, seconds = timed(lambda: upload(client, "during.png", samples.image(seed=9)))
        assert refused.status_code == 503 and seconds < BOUND
        readiness = client.get("/readyz")
        assert readiness.status_code == 503
        assert readiness.json["backend"] == current(app).provider
        assert readiness.json["error"]
        assert client.get("/healthz").status_code == 200
    finally:
        if kind == "frozen":
            server.resume()
        else:
            server.start()

    assert client.get("/readyz").status_code == 200
    for name, data in originals.items():
        served = client.get(f"/image/{name}")
        assert served.status_code == 200
        assert samples.sha256(served.data) == samples.sha256(data)
    assert client.get("/api/images").json["total"] == 2
    current(app).access.close()


def test_an_upload_that_fails_half_way_leaves_nothing_behind(own_config, access, tmp_path):
    """A real fault on the filesystem backend: the image is written, its metadata cannot be."""
    app = create_app(own_config("filesystem"), access=access)
    client = app.test_client()
    reserved = tmp_path / "images" / ".imagestore"
    reserved.mkdir(parents=True, exist_ok=True)
    (reserved / "metadata").write_text("a file where the app needs a folder")

    answer = upload(client, "half.png", samples.image())
    assert answer.status_code == 503
    assert not (tmp_path / "images" / "half.png").exists()
    assert not (reserved / "thumbnails" / "half.png").exists()
    assert client.get("/image/half.png").status_code == 404
    (reserved / "metadata").unlink()
    assert client.get("/api/images").json["total"] == 0
    current(app).access.close()


def test_stopping_azurite_under_the_shared_access_script_and_starting_it_again(tmp_path, start_app):
    """As a user would try it: the script on Azurite, Azurite stopped, then started again."""
    (tmp_path / "azurite").mkdir()
    with running(azurite_server(tmp_path / "azurite")) as azurite:
        app = start_app("azure.ini", script="app-shared-access.py", **azure_variables(azurite.url))
        original = samples.photo(size=(800, 600))
        upload_over_http(app.url, "kept.jpg", original, timeout=30)

        azurite.stop()
        page, seconds = timed(lambda: requests.get(app.url, timeout=60))
        assert page.status_code == 503 and seconds < 25
        assert "The image storage is not answering right now" in page.text
        readiness = requests.get(f"{app.url}/readyz", timeout=60)
        assert readiness.status_code == 503
        assert readiness.json()["backend"] == "azure-blob"
        assert "cannot reach the Azure Blob Storage endpoint" in readiness.json()["error"]

        azurite.start()
        assert requests.get(f"{app.url}/readyz", timeout=60).status_code == 200
        assert 'data-key="kept.jpg"' in requests.get(app.url, timeout=60).text
        assert requests.get(f"{app.url}/image/kept.jpg", timeout=60).content == original
