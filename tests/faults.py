"""A proxy between the app and its storage (moto's S3, SeaweedFS, Azurite) that makes storage
fail as cloud storage does: it passes requests through until told to fail some of them.

``FaultyProxy.fail(fault, matching)`` fails, from then on, the requests ``matching(request)``
accepts (all by default), in one of four ways:

- ``"error"``: answer 500 without passing the request on (a node gone, an internal error);
- ``"busy"``: answer 503, as S3's SlowDown and Azure's ServerBusy;
- ``"slow"``: pass the request on, and answer only after ``slow_seconds``, past the
  client's time-out;
- ``"lost_answer"``: pass the request on, so that storage applies it, and answer 500.

``heal()`` passes everything through again. Each request is seen as a ``Seen``: its method,
its path with the query, and the key it names.
"""

import http.client
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

FAULTS = ("error", "busy", "slow", "lost_answer")
STORAGE_TIMEOUT = 1
OPERATION_SECONDS = 5
FAST_FAILING = {"STORAGE_TIMEOUT": STORAGE_TIMEOUT, "OPERATION_SECONDS": OPERATION_SECONDS}
SETTLED_WITHIN = 30  # the budget, the longest storage call (5 s) and time to spare on a busy machine
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}
S3_ERRORS = {500: "InternalError", 503: "SlowDown"}
AZURE_ERRORS = {500: "InternalError", 503: "ServerBusy"}


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    key: str

    @property
    def is_read(self):
        return self.method in ("GET", "HEAD")

    @property
    def is_write(self):
        return self.method in ("PUT", "POST", "DELETE")


def store_key(path, store_name):
    """The key a request path names in the bucket or container ``store_name``: S3's
    ``/BUCKET/KEY`` and Azurite's ``/ACCOUNT/CONTAINER/KEY`` alike; "" for the store itself."""
    parts = unquote(urlsplit(path).path).split("/")
    if store_name not in parts:
        return ""
    return "/".join(parts[parts.index(store_name) + 1 :])


class FaultyProxy:
    """Listens on 127.0.0.1; ``url`` is its address, ``upstream`` storage's."""

    def __init__(self, upstream, store_name, slow_seconds=3.0):
        self.upstream = urlsplit(upstream)
        self.store_name = store_name
        self.slow_seconds = slow_seconds
        self.failed = []
        self._rule = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fail(self, fault, matching=lambda seen: True):
        assert fault in FAULTS, fault
        with self._lock:
            self._rule = (fault, matching)

    def heal(self):
        with self._lock:
            self._rule = None

    def fault_for(self, seen):
        with self._lock:
            rule = self._rule
        if rule is None or not rule[1](seen):
            return None
        self.failed.append((rule[0], seen))
        return rule[0]

    def close(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def forward(self, method, path, headers, body):
        """Send the request on to storage; return its status, headers and body."""
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.getheaders(), answer.read()
        finally:
            connection.close()


def _handler_for(proxy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_any(self):
            body = self._body()
            seen = Seen(self.command, self.path, store_key(self.path, proxy.store_name))
            fault = proxy.fault_for(seen)
            if fault in ("error", "busy"):
                self._fail(500 if fault == "error" else 503)
                return
            headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
            if body:
                headers["Content-Length"] = str(len(body))
            status, answer_headers, answer_body = proxy.forward(self.command, self.path, headers, body)
            if fault == "lost_answer":
                self._fail(500)
                return
            if fault == "slow":
                time.sleep(proxy.slow_seconds)
            self._answer(status, answer_headers, answer_body)

        do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = do_any

        def _body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while (size := int(self.rfile.readline().split(b";")[0], 16)) > 0:
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _answer(self, status, headers, body):
            try:
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _fail(self, status):
            """An error as the storage service words it, so that its SDK retries as it would."""
            is_azure = "x-ms-version" in {name.lower() for name in self.headers}
            code = (AZURE_ERRORS if is_azure else S3_ERRORS)[status]
            body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            body += "<Message>injected by the test's proxy</Message></Error>"
            headers = [("Content-Type", "application/xml")]
            if is_azure:
                headers.append(("x-ms-error-code", code))
            self._answer(status, headers, body.encode())

        def log_message(self, *args):
            pass

    return Handler
