"""The JSON API, for scripts and curl."""

from flask import Blueprint, current_app, request, url_for

from . import store, uploads
from .database import get_db
from .responses import lookup, positive_int_arg

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_PER_PAGE = 100


@bp.get("/images")
def list_images():
    number = positive_int_arg("page", 1)
    per_page = min(positive_int_arg("per_page", 24), MAX_PER_PAGE)
    page = store.page_of_keys(get_db(), number, per_page)
    return {
        "images": [public(metadata) for metadata in store.read_page_metadata(get_db(), page)],
        "page": page.number,
        "per_page": page.per_page,
        "total": page.total,
    }


@bp.post("/images")
def upload_images():
    outcome = uploads.receive(get_db(), request.files.getlist("file"), current_app.config["MAX_PIXELS"])
    body = {"stored": [public(image) for image in outcome.stored], "rejected": outcome.rejected}
    if outcome.stored:
        return body, 201
    body["error"] = "; ".join(refusal["error"] for refusal in outcome.rejected)
    return body, 400


@bp.get("/images/<path:key>")
def get_image(key):
    return public(lookup(store.read_metadata, key))


@bp.delete("/images/<path:key>")
def delete_image(key):
    lookup(store.delete_image, key)
    return "", 204


PUBLIC_FIELDS = ("key", "filename", "size", "content_type", "width", "height", "uploaded_at")


def public(metadata):
    """An image's metadata with the addresses a client fetches it from."""
    key = metadata["key"]
    return {
        **{name: metadata.get(name) for name in PUBLIC_FIELDS},
        "url": url_for("pages.image", key=key),
        "thumbnail_url": url_for("pages.thumbnail", key=key),
        "download_url": url_for("pages.image", key=key, download=1),
        "api_url": url_for("api.get_image", key=key),
    }
