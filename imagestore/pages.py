"""The browser pages: upload form and gallery, serving images, deleting."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from . import store, uploads
from .database import get_db
from .images import THUMBNAIL_TYPE, content_type_of
from .keys import key_from_filename
from .responses import lookup, positive_int_arg, public, send_bytes

bp = Blueprint("pages", __name__)
PER_PAGE = 24


@bp.get("/")
def index():
    page = store.page_of_images(get_db(), positive_int_arg("page", 1), PER_PAGE)
    images = [public(image) for image in page.images]
    return render_template("pages/index.html", page=page, images=images)


@bp.post("/")
def upload():
    outcome = uploads.receive()
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
        filename = key_from_filename(lookup(store.read_metadata, key)["filename"])
        return send_bytes(data, content_type_of(data), filename, as_attachment=True)
    return send_bytes(data, content_type_of(data), key)


@bp.get("/thumb/<path:key>")
def thumbnail(key):
    return send_bytes(lookup(store.read_thumbnail, key), THUMBNAIL_TYPE, key)


@bp.post("/image/<path:key>/delete")
def delete(key):
    lookup(store.delete_image, key)
    flash(f"Deleted {key}", "stored")
    return redirect(url_for("pages.index"), 303)
