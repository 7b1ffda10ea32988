"""The JSON API, for scripts and curl, as ``openapi.json`` describes it."""

import json
import re
from functools import cache
from importlib import resources

from flask import abort, request, url_for

from ..python_api import PER_PAGE
from ..python_api import images as stored_images
from . import direct_uploads, uploads
from .blueprint import bp
from .responses import deleted, described, positive_int_arg, public

MAX_PER_PAGE = 100
MEDIA_TYPE = re.compile(r"[A-Za-z0-9.+-]{1,64}/[A-Za-z0-9.+-]{1,64}")
ANNOUNCE = 'Send JSON: {"filename": "photo.jpg", "size": bytes, "content_type": "image/jpeg"}.'
NOT_MULTIPART = (
    "Send the images as multipart/form-data, one or more files in the form field 'file' "
    "(curl -F file=@cat.jpg); this request sent {}."
)


@bp.get("/api/images")
def list_images():
    per_page = min(positive_int_arg("per_page", PER_PAGE), MAX_PER_PAGE)
    page = stored_images.page(positive_int_arg("page", 1), per_page)
    return {
        "images": [public(image) for image in page],
        "page": page.number,
        "per_page": page.per_page,
        "total": page.total,
    }


@bp.post("/api/images")
def upload_images():
    if request.mimetype != "multipart/form-data":
        sent = f"a body of type {request.mimetype}" if request.mimetype else "no Content-Type"
        abort(415, NOT_MULTIPART.format(sent))
    return _answer(uploads.receive())


@bp.post("/api/uploads")
def start_upload():
    """Where to send one file straight into storage, and where to claim it afterwards."""
    direct_uploads.require_on()
    return direct_uploads.start(*_announced_file()), 201


@bp.post("/api/uploads/<ticket>/claim")
def claim_upload(ticket):
    """Store the file sent straight into storage, answered as ``POST /api/images`` is."""
    direct_uploads.require_on()
    return _answer(direct_uploads.claim(ticket))


def _answer(outcome):
    """201 with what was stored; else 400 with why, or 503 when only busy decoding refused it."""
    body = {"stored": [public(image) for image in outcome.stored], "rejected": outcome.rejected}
    if outcome.stored:
        return body, 201
    body["error"] = "; ".join(refusal["error"] for refusal in outcome.rejected)
    if outcome.retry_after is not None:
        return body, 503, {"Retry-After": str(outcome.retry_after)}
    return body, 400


@bp.get("/api/images/<key:key>")
def get_image(key):
    """One image, described whole: one another tool put in is made ready now, from one read."""
    return public(described(key, made_ready=True))


@bp.delete("/api/images/<key:key>")
def delete_image(key):
    deleted(key)
    return "", 204


def _announced_file():
    """``(filename, size, content_type)`` of the file a client is about to send. :raise 400:"""
    announced = request.get_json(silent=True)
    if not isinstance(announced, dict):
        abort(400, ANNOUNCE)
    filename, size = announced.get("filename"), announced.get("size")
    if not isinstance(filename, str) or not 0 < len(filename) <= 1024:
        abort(400, "The file's name is missing or longer than 1,024 characters. " + ANNOUNCE)
    if type(size) is not int or size < 1:
        abort(400, "The file's size must be a whole number of bytes, 1 or more. " + ANNOUNCE)
    content_type = announced.get("content_type")
    if not isinstance(content_type, str) or not MEDIA_TYPE.fullmatch(content_type):
        content_type = "application/octet-stream"
    return filename, size, content_type


@bp.get("/api/openapi.json")
def openapi():
    """The API's OpenAPI document, with ``servers`` saying where the API is: under the
    prefix the store is mounted at, so that the paths in it are right wherever that is."""
    api_root = url_for("imagestore.openapi").removesuffix("/openapi.json")
    return {**_document(), "servers": [{"url": api_root}]}


@cache
def _document():
    return json.loads(resources.files("imagestore").joinpath("openapi.json").read_text(encoding="utf-8"))
