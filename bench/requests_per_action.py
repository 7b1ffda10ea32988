"""Count the storage requests behind each of the app's actions, by store size, on S3.

    python bench/requests_per_action.py [--sizes 100 10000 100000] [--idle-seconds 60]
                                        [--json bench/requests-per-action.json]

It starts moto's S3 server and, between the app and moto, a small proxy that
forwards every request as it came and counts it by kind, as S3 bills them
(LIST = a GET with ``list-type`` in its query). For each size it fills a bucket
of its own straight through the SDK, shaped as the app's uploads leave it (the
image, its record and its upload marker; thumbnails are made on first request),
and starts the app as users do (``python app-shared-access.py <ini>``), a fresh
process where an action is "after start". Each action's count runs from its
request until the proxy has been quiet for ``QUIET_SECONDS``, so that work the
app does in the background for it is counted with it. The first process finds
no index, and lists the store whole to write one: its own row.

Last, the discovery: an image is put in with the SDK, as another tool would, and
the API is called every ``BROWSE_SECONDS`` for two turns of the discovery at the
store's size (``discovery.turn_seconds`` at the defaults); the LISTs of the
originals (with a delimiter, no prefix) in that window give LISTs an hour, and
the first call that counts the image the time until it shows.
"""

import argparse
import hashlib
import http.client
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
import requests
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import samples  # noqa: E402
from emulators import moto_s3, s3_variables, write_ini  # noqa: E402
from processes import RunningApp  # noqa: E402

from imagestore.index.discovery import turn_seconds  # noqa: E402
from imagestore.index.order import upload_marker  # noqa: E402
from imagestore.store import METADATA_PREFIX  # noqa: E402

KINDS = ("LIST", "GET", "HEAD", "PUT", "DELETE", "POST", "other")
# Headers of one connection, not of the request; Expect is answered by the proxy itself.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect"}
QUIET_SECONDS = 2
FILL_THREADS = 16
PNG_SIZE = (64, 48)
DEFAULT_JSON = ROOT / "bench" / "requests-per-action.json"
TIMEOUT = 3600
BROWSE_SECONDS = 2
DISCOVERY_TURNS = 2
DISCOVERY_SHORTEST_SECONDS, DISCOVERY_LISTS_PER_HOUR = 30, 1200
TIMED = (
    "index build (first API call, no index yet)",
    "first page view after start",
    "page view (steady state)",
    "deep page (page N), first view after start",
    "API, page N, first call after start",
)


class Answer(NamedTuple):
    """One request the proxy answered, as ``CountingProxy.log`` records it."""

    started: float
    ended: float
    kind: str
    key: str  # the object's key, "" for the bucket itself (a LIST)
    status: int
    size: int


def kind_of(method, path):
    """A request's kind as S3 and Azure bill it: a LIST is a GET with ``list-type`` in its
    query (S3) or ``comp=list`` (Azure)."""
    query = parse_qs(urlsplit(path).query)
    if method == "GET" and ("list-type" in query or query.get("comp") == ["list"]):
        return "LIST"
    return method if method in KINDS else "other"


def key_of(path, segments_before_key=1):
    """The object key a request's path names, after ``segments_before_key`` path segments:
    one on S3 (``/BUCKET/KEY``), two on Azurite (``/ACCOUNT/CONTAINER/KEY``); "" for the
    bucket or container itself."""
    parts = unquote(urlsplit(path).path).lstrip("/").split("/", segments_before_key)
    return parts[segments_before_key] if len(parts) > segments_before_key else ""


def lists_originals(method, path):
    """Whether a request lists the store's top level, as the discovery does."""
    query = parse_qs(urlsplit(path).query)
    return kind_of(method, path) == "LIST" and "delimiter" in query and not query.get("prefix")


class CountingProxy:
    """An HTTP proxy on a free port forwarding to ``upstream``, counting requests by kind;
    ``segments_before_key`` says where an object's key begins in a path (``key_of``)."""

    def __init__(self, upstream, segments_before_key=1):
        self.upstream = urlsplit(upstream).netloc
        self.segments_before_key = segments_before_key
        self.counts = Counter()
        self.originals_listed = 0
        self.in_flight = 0
        self.last_seen = time.monotonic()
        self.lock = threading.Lock()
        self.log = None  # a list to record each answer in (``answered``), if one is set
        handler = type("Handler", (_Forwarder,), {"proxy": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_):
        self.server.shutdown()
        self.server.server_close()

    def began(self, method, path):
        with self.lock:
            self.counts[kind_of(method, path)] += 1
            self.originals_listed += lists_originals(method, path)
            self.in_flight += 1

    def ended(self):
        with self.lock:
            self.in_flight -= 1
            self.last_seen = time.monotonic()

    def answered(self, method, path, started, status, size):
        """Record one answer in ``log``, if set: when its request began and ended
        (``time.monotonic``), its kind, its object key, status and body's bytes."""
        if self.log is not None:
            key = key_of(path, self.segments_before_key)
            self.log.append(Answer(started, time.monotonic(), kind_of(method, path), key, status, size))

    def take(self):
        """The counts since the last take, as a dict with their ``total``."""
        with self.lock:
            counts, self.counts = self.counts, Counter()
        return {kind: counts[kind] for kind in KINDS if counts[kind]} | {"total": counts.total()}

    def settle(self, quiet=QUIET_SECONDS, timeout=TIMEOUT):
        """Wait until no request has been under way for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if not self.in_flight and time.monotonic() - self.last_seen >= quiet:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"the app kept calling storage for {timeout} s")


class _Forwarder(BaseHTTPRequestHandler):
    """Forward each request on this client connection over one kept connection to moto.

    The body is forwarded as its raw bytes: a ``Content-Length`` of them (boto3's
    aws-chunked bodies carry one), or a chunked body as it came, chunk headers included.
    """

    protocol_version = "HTTP/1.1"
    # The headers and the body go out in two writes: with Nagle's algorithm, the body waited
    # for the client's delayed ACK of the headers, some 40 ms, on some connections only.
    disable_nagle_algorithm = True
    proxy: CountingProxy

    def do_request(self):
        self.proxy.began(self.command, self.path)
        started = time.monotonic()
        try:
            body = self._raw_body()
            try:
                answer, data = self._forward(body)
            except (ConnectionError, http.client.HTTPException):  # moto closed the kept connection
                self._upstream.close()
                answer, data = self._forward(body)
            self.proxy.answered(self.command, self.path, started, answer.status, len(data))
        finally:
            self.proxy.ended()
        self.send_response_only(answer.status, answer.reason)
        headers = [(name, value) for name, value in answer.getheaders() if name.lower() not in HOP_BY_HOP]
        headers = [(name, value) for name, value in headers if name.lower() != "transfer-encoding"]
        if self.command != "HEAD" and not any(name.lower() == "content-length" for name, _ in headers):
            headers.append(("Content-Length", str(len(data))))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = do_PATCH = do_OPTIONS = do_request

    def _forward(self, body):
        if not hasattr(self, "_upstream"):
            self._upstream = http.client.HTTPConnection(self.proxy.upstream, timeout=TIMEOUT)
        self._upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for name, value in self.headers.items():
            if name.lower() not in HOP_BY_HOP:
                self._upstream.putheader(name, value)
        self._upstream.endheaders(body)
        answer = self._upstream.getresponse()
        return answer, answer.read()

    def _raw_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raw = []
            while True:
                line = self.rfile.readline()
                raw.append(line)
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    while (trailer := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
                        raw.append(trailer)
                    raw.append(trailer)
                    return b"".join(raw)
                raw.append(self.rfile.read(size + 2))
        length = int(self.headers.get("Content-Length", 0))
        return self.rfile.read(length) if length else None

    def log_message(self, *_):
        pass


def fill(s3, bucket, count):
    """Put ``count`` images ``pNNNNNN.png`` into a new bucket as uploads leave them (the image,
    its record, its upload marker), one millisecond apart, the last the newest;
    return the seconds it took."""
    started = time.monotonic()
    s3.create_bucket(Bucket=bucket)
    png = samples.image(size=PNG_SIZE)
    digest = hashlib.sha256(png).hexdigest()
    first_ns = time.time_ns() - count * 10**6

    def put(n):
        key, uploaded_ns = f"p{n:06}.png", first_ns + n * 10**6
        record = {
            "key": key,
            "filename": key,
            "size": len(png),
            "sha256": digest,
            "content_type": "image/png",
            "width": PNG_SIZE[0],
            "height": PNG_SIZE[1],
            "animated": False,
            "location_removed": False,
            "uploaded_at": datetime.fromtimestamp(uploaded_ns / 1e9, UTC).isoformat(timespec="seconds"),
            "uploaded_ns": uploaded_ns,
        }
        s3.put_object(Bucket=bucket, Key=key, Body=png)
        s3.put_object(Bucket=bucket, Key=METADATA_PREFIX + key, Body=json.dumps(record).encode())
        s3.put_object(Bucket=bucket, Key=upload_marker(key, uploaded_ns), Body=b"")

    with ThreadPoolExecutor(FILL_THREADS) as pool:
        list(pool.map(put, range(count)))
    return time.monotonic() - started


class Session:
    """The app's processes on one store, each action counted and timed."""

    def __init__(self, proxy, ini):
        self.proxy, self.ini = proxy, ini
        self.requests, self.ms = {}, {}
        self.app = None

    @contextmanager
    def fresh_app(self, count_start_as=None):
        self.proxy.take()
        self.app = RunningApp(str(self.ini), script="app-shared-access.py", **s3_variables(self.proxy.url))
        try:
            self.proxy.settle()
            started = self.proxy.take()
            if count_start_as:
                self.requests[count_start_as] = started
            with requests.Session() as self.http:
                yield
        finally:
            self.app.stop()

    def act(self, name, method, path, **options):
        """Send one request to the app; count what it cost until storage is quiet again."""
        self.proxy.settle()
        self.proxy.take()
        started = time.perf_counter()
        answer = self.http.request(method, self.app.url + path, timeout=TIMEOUT, **options)
        self.ms[name] = 1000 * (time.perf_counter() - started)
        answer.raise_for_status()
        self.proxy.settle()
        self.requests[name] = self.proxy.take()
        return answer

    def discover(self, s3, bucket, seconds):
        """Put an image in as another tool would, then call the API every ``BROWSE_SECONDS``
        for ``seconds``: the discovery's LISTs an hour, and the seconds until the image
        counts (None if it did not within the window)."""
        total = self.http.get(self.app.url + "/api/images", timeout=TIMEOUT).json()["total"]
        self.proxy.settle()
        listed_before = self.proxy.originals_listed
        s3.put_object(Bucket=bucket, Key="by-a-tool.png", Body=samples.image(size=PNG_SIZE, seed=2))
        started, shown_after = time.monotonic(), None
        while (elapsed := time.monotonic() - started) < seconds:
            answer = self.http.get(self.app.url + "/api/images", timeout=TIMEOUT).json()
            if shown_after is None and answer["total"] == total + 1:
                shown_after = elapsed
            time.sleep(BROWSE_SECONDS)
        listed = self.proxy.originals_listed - listed_before
        return {"lists_per_hour": listed * 3600 / elapsed, "shown_after_seconds": shown_after}

    def idle(self, name, seconds):
        self.proxy.settle()
        self.proxy.take()
        time.sleep(seconds)
        self.requests[name] = self.proxy.take()


def measure_size(proxy, s3, size, folder, idle_seconds):
    """Every action on a store of ``size`` images; its counts, timings and fill time."""
    bucket = f"bench-requests-{size}"
    fill_seconds = fill(s3, bucket, size)
    print(f"  filled {size:,} images in {fill_seconds:.0f} s", file=sys.stderr)
    (folder / bucket).mkdir()
    session = Session(proxy, write_ini("aws", bucket, folder / bucket))
    deep = max(1, size // 48)
    upload = {"file": ("bench-upload.png", samples.image(size=PNG_SIZE, seed=1), "image/png")}
    with session.fresh_app(count_start_as="app start (probe of conditional writes)"):
        session.act("index build (first API call, no index yet)", "GET", "/api/images")
    with session.fresh_app():
        session.act("first page view after start", "GET", "/")
        session.act("page view (steady state)", "GET", "/")
        session.act("deep page (page N), first view", "GET", f"/?page={deep}")
        session.act("deep page (page N), again", "GET", f"/?page={deep}")
        session.act("image view, cold", "GET", f"/image/p{size - 1:06}.png")
        session.act("image view, cached", "GET", f"/image/p{size - 1:06}.png")
        session.act("upload", "POST", "/api/images", files=upload)
        session.act("page view after the upload", "GET", "/")
        session.act("delete", "DELETE", f"/api/images/p{size // 2:06}.png")
        session.act("page view after the delete", "GET", "/")
        session.idle(f"idle {idle_seconds:g} s", idle_seconds)
    with session.fresh_app():
        session.act("deep page (page N), first view after start", "GET", f"/?page={deep}")
    with session.fresh_app():
        session.act("API, page N, first call after start", "GET", f"/api/images?page={deep}")
    turn = turn_seconds(size, DISCOVERY_SHORTEST_SECONDS, DISCOVERY_LISTS_PER_HOUR)
    with session.fresh_app():
        discovery = session.discover(s3, bucket, DISCOVERY_TURNS * turn) | {"turn_seconds": turn}
    ms = {name: session.ms[name] for name in TIMED}
    return {
        "discovery": discovery,
        "fill_seconds": fill_seconds,
        "deep_page": deep,
        "requests": session.requests,
        "ms": ms,
        "deep_ratio": ms["deep page (page N), first view after start"] / ms["first page view after start"],
    }


def measure(s3_url, sizes, folder, idle_seconds=60):
    """Measure each size in a bucket of its own on moto at ``s3_url``; return ``{size: result}``."""
    s3 = boto3.client("s3", endpoint_url=s3_url, config=Config(max_pool_connections=FILL_THREADS))
    results = {}
    with CountingProxy(s3_url) as proxy:
        for size in sizes:
            print(f"Storage requests per action, {size:,} images...", file=sys.stderr)
            results[size] = measure_size(proxy, s3, size, folder, idle_seconds)
    return results


def cell(counts):
    kinds = ", ".join(f"{counts[kind]} {kind}" for kind in KINDS if kind in counts)
    return f"{counts['total']} ({kinds})" if kinds else "0"


def tables(results):
    """The Markdown tables: requests per action, then timings, with a column per size."""
    sizes = list(results)
    head = ["| action | " + " | ".join(f"{size:,} images" for size in sizes) + " |"]
    head.append("|---" * (len(sizes) + 1) + "|")

    def rows_of(key):
        return [(name, [results[size][key][name] for size in sizes]) for name in results[sizes[0]][key]]

    lines = [
        "Storage requests per action, S3 (moto), shared access; the total, and by kind "
        "(N = size / 48, the middle page of 24 images):",
        "",
        *head,
        *(f"| {name} | " + " | ".join(map(cell, row)) + " |" for name, row in rows_of("requests")),
        "",
        "Milliseconds:",
        "",
        *head,
        *(f"| {name} | " + " | ".join(f"{ms:.0f}" for ms in row) + " |" for name, row in rows_of("ms")),
        "| deep page / first page, both first after start | "
        + " | ".join(f"{results[size]['deep_ratio']:.2f}" for size in sizes)
        + " |",
        "",
        f"The discovery, over two of its turns while the API is called every {BROWSE_SECONDS} s:",
        "",
        *head,
        "| its turn (s) | "
        + " | ".join(f"{results[size]['discovery']['turn_seconds']:.0f}" for size in sizes)
        + " |",
        "| LIST requests an hour | "
        + " | ".join(f"{results[size]['discovery']['lists_per_hour']:.0f}" for size in sizes)
        + " |",
        "| seconds until a foreign image shows | "
        + " | ".join(_seconds(results[size]["discovery"]["shown_after_seconds"]) for size in sizes)
        + " |",
        "",
        "Filling the store straight through the SDK ("
        + ", ".join(f"{size:,} in {results[size]['fill_seconds']:.0f} s" for size in sizes)
        + f", {FILL_THREADS} threads, three objects an image).",
    ]
    return "\n".join(lines)


def _seconds(seconds):
    return "not within the window" if seconds is None else f"{seconds:.0f}"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 100_000])
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as temporary, moto_s3(temporary) as s3_url:
        os.environ.update(s3_variables(s3_url))
        results = measure(s3_url, args.sizes, Path(temporary), args.idle_seconds)
    print(tables(results))
    args.json.write_text(json.dumps({str(size): result for size, result in results.items()}, indent=2) + "\n")
    print(f"\nWhole run: {time.monotonic() - started:.0f} s; JSON: {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
