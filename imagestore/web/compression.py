"""The store's pages and JSON sent gzip-compressed to clients that accept it.

Only what the blueprint answers, and only HTML and JSON: image bytes are compressed
already, and their answers keep their ETags, 304s and ranges exactly as ``serving`` makes
them. A page is compressed whole (they are tens of KB), with Python's own ``gzip``:
Flask-Compress would compress the host app's answers too, which are the host's to decide.
A compressed answer's ETag is marked weak (RFC 9110: the bytes differ from the identity
answer's), and it varies by ``Accept-Encoding`` so that caches keep both.
"""

import gzip

from flask import request

COMPRESSED_TYPES = {"text/html", "application/json"}
SMALLEST = 512
LEVEL = 6


def compress_response(response):
    """After a request of the blueprint: gzip the answer where it is worth it."""
    if response.mimetype not in COMPRESSED_TYPES:
        return response
    response.vary.add("Accept-Encoding")
    if not _worth_compressing(response):
        return response
    response.set_data(gzip.compress(response.get_data(), compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(etag, weak=True)
    return response


def _worth_compressing(response):
    return (
        request.accept_encodings["gzip"] > 0
        and request.method != "HEAD"
        and response.status_code == 200
        and not response.direct_passthrough
        and not response.is_streamed
        and "Content-Encoding" not in response.headers
        and "Content-Range" not in response.headers
        and (response.content_length or 0) >= SMALLEST
    )
