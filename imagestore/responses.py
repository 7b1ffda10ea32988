"""What the pages and the API share: looking an image up, sending stored bytes, reading numbers."""

import hashlib
import io
import re

from flask import abort, request, send_file

from .database import get_db
from .images import GENERIC_TYPE
from .keys import is_servable_key

IMAGE_POLICY = "default-src 'none'; sandbox"
NOT_AN_IMAGE = (KeyError, IsADirectoryError, NotADirectoryError)


def lookup(read, key):
    """Return ``read(db, key)``. :raise 404: no such image."""
    if not is_servable_key(key):
        abort(404, f"There is no image named {key!r}.")
    try:
        return read(get_db(), key)
    except NOT_AN_IMAGE:
        abort(404, f"There is no image named {key!r}.")


def send_bytes(data, content_type, key, as_attachment=False):
    """Answer with stored bytes: ETag, conditional GET, never run by a browser."""
    response = send_file(
        io.BytesIO(data),
        mimetype=content_type,
        as_attachment=as_attachment or content_type == GENERIC_TYPE,
        download_name=key.rsplit("/", 1)[-1],
        etag=hashlib.sha256(data).hexdigest(),
        conditional=True,
    )
    response.headers["Content-Security-Policy"] = IMAGE_POLICY
    return response


def positive_int_arg(name, default):
    """Return a query argument as a whole number of 1 or more. :raise 400: it is not."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
        abort(400, f"The query argument {name}={raw!r} must be a whole number of 1 or more.")
    return int(raw)
