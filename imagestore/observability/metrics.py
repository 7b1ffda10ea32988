"""What the app is doing, for Prometheus: ``GET /metrics`` in its text format.

Each app has a registry of its own (apps built in one process, as tests build
them, never mix): requests by route and status with their latency, storage
calls by operation and outcome with theirs, the cache's hits, misses and bytes,
uploads stored and refused by reason, and the gallery's count. Labels are
routes and fixed words, never keys, names or image data.

Who may read it: anyone who may upload. With ``IMAGESTORE_WRITE_TOKEN`` set, a
scraper sends it (``Authorization: Bearer``), as Prometheus does with
``authorization`` in its scrape config; without one the app serves on loopback
only (``app-*.py`` refuses more), where every client is on the machine already.
"""

import contextvars
import time
from contextlib import contextmanager

from flask import abort, g, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from ..backends import KeyTaken
from ..state import current
from ..web.blueprint import bp
from ..web.write_token import may_write

HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}  # never a client's own word
REFUSAL_REASONS = (
    ("empty", "empty"),
    ("no file", "no_file"),
    ("pixels", "too_many_pixels"),
    ("truncated or corrupt", "corrupt"),
    ("SVG", "svg"),
    ("HTML", "html"),
    ("script", "script"),
    ("location", "location"),
    ("busy", "busy"),
)
_storage_calls_in_request = contextvars.ContextVar("storage_calls_in_request", default=None)
disable_created_metrics()  # a `_created` sample beside every counter says nothing a scraper needs


class Metrics:
    """One app's metrics. Requests are counted around each of the store's requests; storage
    calls by ``database``, which is handed ``storage_call``; the cache and the gallery's
    count are read when scraped."""

    def __init__(self):
        self.registry = CollectorRegistry()
        on = {"registry": self.registry}
        self.requests = Counter(
            "imagestore_requests", "HTTP requests answered", ["route", "method", "status"], **on
        )
        self.request_seconds = Histogram(
            "imagestore_request_seconds", "Time to answer a request", ["route", "method"], **on
        )
        self.storage_calls = Counter(
            "imagestore_storage_calls", "Calls to the storage backend", ["operation", "outcome"], **on
        )
        self.storage_seconds = Histogram(
            "imagestore_storage_call_seconds", "Time of one storage call", ["operation"], **on
        )
        self.cache_hits = Counter("imagestore_cache_hits", "Served bytes found in the cache", **on)
        self.cache_misses = Counter("imagestore_cache_misses", "Served bytes loaded from storage", **on)
        self.cache_bytes = Gauge("imagestore_cache_bytes", "Bytes the cache holds", **on)
        self.uploads_stored = Counter("imagestore_uploads_stored", "Files stored", **on)
        self.uploads_refused = Counter("imagestore_uploads_refused", "Files refused", ["reason"], **on)
        self.clock_offset = Gauge(
            "imagestore_clock_offset_seconds",
            "How far the store's clock is ahead of this process's (negative: behind), from its answers",
            **on,
        )
        self.gallery_images = Gauge(
            "imagestore_gallery_images", "Images in the gallery, once this process has counted them", **on
        )
        self.images_waiting = Gauge(
            "imagestore_images_waiting_to_be_ready",
            "Images other tools put in that wait for their record and thumbnail, as the process "
            "making them ready counts them",
            **on,
        )

    @contextmanager
    def storage_call(self, operation):
        """Count and time one storage call, here and in the request that made it."""
        started, outcome = time.perf_counter(), "ok"
        try:
            yield
        except KeyError:
            outcome = "missing"
            raise
        except KeyTaken:
            outcome = "taken"
            raise
        except Exception:
            outcome = "error"
            raise
        finally:
            self.storage_seconds.labels(operation).observe(time.perf_counter() - started)
            self.storage_calls.labels(operation, outcome).inc()
            calls = _storage_calls_in_request.get()
            if calls is not None:
                calls.append(operation)

    def cache_lookup(self, hit):
        (self.cache_hits if hit else self.cache_misses).inc()

    def uploads(self, outcome):
        self.uploads_stored.inc(len(outcome.stored))
        for refusal in outcome.rejected:
            self.uploads_refused.labels(refusal_reason(refusal["error"])).inc()


def of(app=None):
    return current(app).metrics


def storage_calls_in_request():
    return len(g.get("storage_calls", ()))


def finish_request(response):
    """Count the answered request; return its route, seconds and storage calls for the log."""
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    route = request.url_rule.rule if request.url_rule is not None else "unknown"
    method = request.method if request.method in HTTP_METHODS else "other"
    metrics = of()
    metrics.requests.labels(route, method, str(response.status_code)).inc()
    metrics.request_seconds.labels(route, method).observe(seconds)
    return route, seconds, storage_calls_in_request()


def refusal_reason(message):
    """A short, fixed word for why a file was refused, from the message the user gets."""
    for words, reason in REFUSAL_REASONS:
        if words in message:
            return reason
    return "not_an_image"


def start_request():
    g.started = time.perf_counter()
    g.storage_calls = []
    _storage_calls_in_request.set(g.storage_calls)


@bp.get("/metrics")
def serve_metrics():
    """Prometheus text format; behind the write token when one is set (see the module)."""
    if not may_write():
        abort(401, "This store's metrics need its write token: send it as 'Authorization: Bearer TOKEN'.")
    return generate_latest(of().registry), 200, {"Content-Type": CONTENT_TYPE_LATEST}
