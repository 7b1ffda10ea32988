"""GET /metrics in Prometheus text format, and one log line per request."""

import logging

import pytest
import samples
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-test-token"


def scraped(client, **kwargs):
    """``{(sample name, labels as sorted tuple): value}`` from the app's /metrics."""
    answer = client.get("/metrics", **kwargs)
    assert answer.status_code == 200
    assert answer.mimetype == "text/plain"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.get_data(as_text=True))
        for sample in family.samples
    }


def value(samples_by_name, name, **labels):
    return samples_by_name.get((name, tuple(sorted(labels.items()))), 0)


def test_requests_are_counted_by_route_method_and_status(client, upload):
    upload(("a.png", samples.image()))
    client.get("/image/nothing.png")
    metrics = scraped(client)
    assert value(metrics, "imagestore_requests_total", route="/api/images", method="POST", status="201") == 1
    not_found = {"route": "/image/<key:key>", "method": "GET", "status": "404"}
    assert value(metrics, "imagestore_requests_total", **not_found) == 1
    assert value(metrics, "imagestore_request_seconds_count", route="/api/images", method="POST") == 1


def test_storage_calls_are_counted_by_operation_and_outcome(client, upload):
    upload(("a.png", samples.image()))
    client.get("/image/nothing.png")
    metrics = scraped(client)
    assert value(metrics, "imagestore_storage_calls_total", operation="create", outcome="ok") == 1
    assert value(metrics, "imagestore_storage_calls_total", operation="put", outcome="ok") >= 3
    assert value(metrics, "imagestore_storage_call_seconds_count", operation="create") == 1
    assert sum(v for (name, labels), v in metrics.items() if name == "imagestore_storage_calls_total") > 5


def test_the_cache_is_counted_in_hits_misses_and_bytes(client, upload):
    data = samples.image()
    upload(("a.png", data))
    client.get("/image/a.png")
    client.get("/image/a.png")
    metrics = scraped(client)
    assert value(metrics, "imagestore_cache_misses_total") == 1
    assert value(metrics, "imagestore_cache_hits_total") == 1
    assert value(metrics, "imagestore_cache_bytes") >= len(data)


def test_uploads_are_counted_stored_and_refused_by_reason(upload, client):
    upload(("a.png", samples.image()), ("notes.png", b"just text"), ("empty.png", b""))
    metrics = scraped(client)
    assert value(metrics, "imagestore_uploads_stored_total") == 1
    assert value(metrics, "imagestore_uploads_refused_total", reason="not_an_image") == 1
    assert value(metrics, "imagestore_uploads_refused_total", reason="empty") == 1


def test_the_gallery_count_is_shown(client, upload):
    upload(("a.png", samples.image(seed=1)), ("b.png", samples.image(seed=2)))
    assert client.get("/api/images").json["total"] == 2
    assert value(scraped(client), "imagestore_gallery_images") == 2


def test_metrics_show_no_image_names(client, upload):
    upload(("secret-holiday.png", samples.image()))
    client.get("/image/secret-holiday.png")
    assert "secret-holiday" not in client.get("/metrics").get_data(as_text=True)


@pytest.mark.parametrize("backend", ["in-memory"])
def test_with_a_write_token_metrics_need_it(make_app, backend):
    client = make_app(WRITE_TOKEN=TOKEN).test_client()
    assert client.get("/metrics").status_code == 401
    scraped(client, headers={"Authorization": f"Bearer {TOKEN}"})


def test_each_request_is_logged_in_one_line_with_its_route_status_time_and_storage_calls(client, caplog):
    with caplog.at_level(logging.INFO, logger="imagestore.requests"):
        client.get("/image/nothing.png")
    [line] = [record.getMessage() for record in caplog.records if record.name == "imagestore.requests"]
    assert line.startswith("GET /image/<key:key> 404 ")
    assert line.endswith(" storage calls") and " ms, " in line
    assert "nothing.png" not in line


def test_the_scripts_log_one_line_per_request_instead_of_werkzeugs(start_app):
    app = start_app(script="app.py")
    said = app.stop()
    assert "GET /healthz 200 " in said
    assert '"GET /healthz HTTP/1.1"' not in said


def test_a_method_a_client_made_up_adds_no_series(client):
    client.open("/", method="HOLIDAY-PHOTO")
    text = client.get("/metrics").get_data(as_text=True)
    assert "HOLIDAY" not in text
    assert 'method="other"' in text
