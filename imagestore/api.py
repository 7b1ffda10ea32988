"""The JSON API, for scripts and curl, as ``openapi.json`` describes it."""

import json
from functools import cache
from importlib import resources

from flask import abort, request, url_for

from . import gallery, store, uploads
from .blueprint import bp
from .responses import lookup, positive_int_arg, public

MAX_PER_PAGE = 100
NOT_MULTIPART = (
    "Send the images as multipart/form-data, one or more files in the form field 'file' "
    "(curl -F file=@cat.jpg); this request sent {}."
)


@bp.get("/api/images")
def list_images():
    per_page = min(positive_int_arg("per_page", gallery.PER_PAGE), MAX_PER_PAGE)
    page = gallery.page(positive_int_arg("page", 1), per_page, counted=True)
    return {
        "images": [public(image) for image in page.images],
        "page": page.number,
        "per_page": page.per_page,
        "total": page.total,
    }


@bp.post("/api/images")
def upload_images():
    if request.mimetype != "multipart/form-data":
        sent = f"a body of type {request.mimetype}" if request.mimetype else "no Content-Type"
        abort(415, NOT_MULTIPART.format(sent))
    outcome = uploads.receive()
    body = {"stored": [public(image) for image in outcome.stored], "rejected": outcome.rejected}
    if outcome.stored:
        return body, 201
    body["error"] = "; ".join(refusal["error"] for refusal in outcome.rejected)
    if outcome.retry_after is not None:
        return body, 503, {"Retry-After": str(outcome.retry_after)}
    return body, 400


@bp.get("/api/images/<path:key>")
def get_image(key):
    return public(lookup(store.read_metadata, key))


@bp.delete("/api/images/<path:key>")
def delete_image(key):
    gallery.delete(key)
    return "", 204


@bp.get("/api/openapi.json")
def openapi():
    """The API's OpenAPI document, with ``servers`` saying where the API is: under the
    prefix the store is mounted at, so that the paths in it are right wherever that is."""
    api_root = url_for("imagestore.openapi").removesuffix("/openapi.json")
    return {**_document(), "servers": [{"url": api_root}]}


@cache
def _document():
    return json.loads(resources.files(__package__).joinpath("openapi.json").read_text(encoding="utf-8"))
