"""The browser pages: upload form and gallery, serving images, deleting."""

import hashlib
import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for

from . import store, uploads
from .database import get_db
from .images import GENERIC_TYPE, THUMBNAIL_TYPE, content_type_of
from .keys import is_servable_key, key_from_filename

bp = Blueprint("pages", __name__)
PER_PAGE = 24
IMAGE_POLICY = "default-src 'none'; sandbox"


@bp.get("/")
def index():
    db = get_db()
    page = store.page_of_keys(db, max(1, request.args.get("page", 1, type=int)), PER_PAGE)
    images = [store.read_metadata(db, key) for key in page.keys]
    return render_template("pages/index.html", page=page, images=images)


@bp.post("/")
def upload():
    outcome = uploads.receive(get_db(), request.files.getlist("file"), current_app.config["MAX_PIXELS"])
    for image in outcome.stored:
        flash(f"Stored {image['filename']} as {image['key']}", "stored")
    for refusal in outcome.rejected:
        flash(f"Rejected {refusal['filename'] or 'upload'}: {refusal['error']}", "rejected")
    return redirect(url_for("pages.index"), 303)


@bp.get("/image/<path:key>")
def image(key):
    """The original bytes; with ``?download=1``, as a file named as uploaded."""
    data = lookup(store.read_image, key)
    if "download" in request.args:
        filename = lookup(store.read_metadata, key)["filename"]
        return send_bytes(data, content_type_of(data), key_from_filename(filename), as_attachment=True)
    return send_bytes(data, content_type_of(data), key)


@bp.get("/thumb/<path:key>")
def thumbnail(key):
    return send_bytes(lookup(store.read_thumbnail, key), THUMBNAIL_TYPE, key)


@bp.post("/image/<path:key>/delete")
def delete(key):
    lookup(store.delete_image, key)
    flash(f"Deleted {key}", "stored")
    return redirect(url_for("pages.index"), 303)


def lookup(read, key):
    """Return ``read(db, key)``. :raise 404: no such image."""
    if not is_servable_key(key):
        abort(404, f"There is no image named {key!r}.")
    try:
        return read(get_db(), key)
    except KeyError:
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
