"""What the pages and the API share: looking an image up, describing and sending
it, reading numbers from the query."""

import hashlib
import io
import re

from flask import abort, request, send_file, url_for

from .database import get_db
from .images import GENERIC_TYPE
from .keys import is_servable_key
from .store import MISSING

IMAGE_POLICY = "default-src 'none'; sandbox"
PUBLIC_FIELDS = ("key", "filename", "size", "content_type", "width", "height", "uploaded_at")


def lookup(read, key):
    """Return ``read(db, key)``. :raise 404: no such image."""
    if not is_servable_key(key):
        abort(404, f"There is no image named {key!r}.")
    try:
        return read(get_db(), key)
    except MISSING:
        abort(404, f"There is no image named {key!r}.")


def public(metadata):
    """An image's metadata with the addresses it is fetched from, as the API and the page show it."""
    key = metadata["key"]
    return {
        **{name: metadata.get(name) for name in PUBLIC_FIELDS},
        "url": url_for("pages.image", key=key),
        "thumbnail_url": url_for("pages.thumbnail", key=key),
        "download_url": url_for("pages.image", key=key, download=1),
        "api_url": url_for("api.get_image", key=key),
    }


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
