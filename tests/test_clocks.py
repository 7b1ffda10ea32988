"""Processes whose clocks disagree with the store's, by minutes either way, still show each
other's uploads and deletes at their next page, keep the gallery in upload order, and say
how far off they are, in the log and in /metrics, while they keep serving.

Each app here reads a clock of its own (``CLOCK``), set off from the machine's: the
store's clock, which every answer from storage tells, stays the machine's.
"""

import logging
import re
import time

import pytest
import requests
import samples
from over_http import upload_over_http

TWO_MINUTES_NS = 120 * 10**9
STORE_CLOCK_RESOLUTION_SECONDS = 1.5  # S3 answers with its time to the second: order holds to within that


def clock_off_by(offset_ns):
    return lambda: time.time_ns() + offset_ns


@pytest.fixture(params=[-TWO_MINUTES_NS, TWO_MINUTES_NS], ids=["behind", "ahead"])
def on_time_and_off(request, make_app):
    """A process on time and one whose clock is two minutes behind or ahead, on one store,
    each having shown a page."""
    on_time, off = make_app().test_client(), make_app(CLOCK=clock_off_by(request.param)).test_client()
    for client in (on_time, off):
        assert keys(client) == []
    return on_time, off


def keys(client):
    return [image["key"] for image in client.get("/api/images").json["images"]]


def test_uploads_through_a_process_whose_clock_is_off_show_in_the_other(on_time_and_off, upload):
    on_time, off = on_time_and_off
    upload(("from-off.png", samples.image(seed=1)), to=off)
    assert keys(on_time) == ["from-off.png"]
    time.sleep(STORE_CLOCK_RESOLUTION_SECONDS)
    upload(("from-on-time.png", samples.image(seed=2)), to=on_time)
    assert keys(off) == ["from-on-time.png", "from-off.png"]


def test_deletes_through_a_process_whose_clock_is_off_show_in_the_other(on_time_and_off, upload):
    on_time, off = on_time_and_off
    upload(("a.png", samples.image(seed=1)), ("b.png", samples.image(seed=2)), to=on_time)
    assert sorted(keys(off)) == ["a.png", "b.png"]
    assert off.delete("/api/images/a.png").status_code == 204
    assert keys(on_time) == ["b.png"]
    assert on_time.delete("/api/images/b.png").status_code == 204
    assert keys(off) == []


def test_the_gallery_lists_uploads_in_the_order_they_were_made_whatever_the_clocks(make_app, upload):
    behind = make_app(CLOCK=clock_off_by(-TWO_MINUTES_NS)).test_client()
    ahead = make_app(CLOCK=clock_off_by(TWO_MINUTES_NS)).test_client()
    on_time = make_app().test_client()
    for number, client in enumerate((ahead, on_time, behind, ahead)):
        assert upload((f"{number}.png", samples.image(seed=number)), to=client).status_code == 201
        time.sleep(STORE_CLOCK_RESOLUTION_SECONDS)
    for client in (behind, ahead, on_time):
        assert keys(client) == ["3.png", "2.png", "1.png", "0.png"]


def offset_exported(client):
    metrics = client.get("/metrics").get_data(as_text=True)
    return float(re.search(r"^imagestore_clock_offset_seconds (\S+)$", metrics, re.MULTILINE).group(1))


def test_a_process_whose_clock_is_off_says_by_how_much_and_keeps_serving(make_app, upload, caplog):
    with caplog.at_level(logging.WARNING, logger="imagestore.clock"):
        off = make_app(CLOCK=clock_off_by(-TWO_MINUTES_NS)).test_client()
        upload(("a.png", samples.image(seed=1)), to=off)
    assert 118 <= offset_exported(off) <= 122
    said = [record.getMessage() for record in caplog.records if "clock" in record.getMessage()]
    assert len(said) == 1 and "behind the store's" in said[0]
    assert off.get("/readyz").status_code == 200
    assert keys(off) == ["a.png"]


def test_a_process_whose_clock_agrees_with_the_store_s_keeps_its_own(client, upload):
    upload(("a.png", samples.image(seed=1)))
    assert offset_exported(client) == 0


@pytest.mark.parametrize("backend", ["filesystem", "aws"])
def test_a_real_process_under_faketime_and_one_on_time_see_each_other_s_changes(
    backend, own_config, backend_variables, start_app
):
    """libfaketime sets the process's wall clock two minutes back, its monotonic clock left alone."""
    config, variables = str(own_config(backend)), backend_variables(backend)
    on_time = start_app(config, script="app-shared-access.py", **variables)
    behind = start_app(
        config, script="app-shared-access.py", wrapper=("faketime", "-f", "-120s"),
        FAKETIME_DONT_FAKE_MONOTONIC="1", **variables,
    )  # fmt: skip
    for app in (on_time, behind):
        assert api_keys(app.url) == []
    upload_over_http(behind.url, "from-behind.jpg", samples.image("jpeg", seed=1))
    assert api_keys(on_time.url) == ["from-behind.jpg"]
    time.sleep(STORE_CLOCK_RESOLUTION_SECONDS)
    upload_over_http(on_time.url, "from-on-time.jpg", samples.image("jpeg", seed=2))
    assert api_keys(behind.url) == ["from-on-time.jpg", "from-behind.jpg"]
    assert requests.delete(f"{behind.url}/api/images/from-on-time.jpg", timeout=60).status_code == 204
    assert api_keys(on_time.url) == ["from-behind.jpg"]
    assert "s behind the store's" in behind.stop()


def api_keys(url):
    return [image["key"] for image in requests.get(f"{url}/api/images", timeout=60).json()["images"]]
