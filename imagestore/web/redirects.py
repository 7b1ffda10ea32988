"""Images served straight from storage (``IMAGESTORE_SERVE=redirect``): an image, a
thumbnail or a rendition is answered with a 302 to a URL that S3 or Azure signs, with
the answer's ``Content-Type``, ``Content-Disposition`` and ``Cache-Control`` in it, so
that its bytes never pass through the process.

A URL is valid until the end of the window of ``WINDOW_SECONDS`` after the one it is
signed in: 10 to 20 minutes. Each process signs a URL once a window and hands out the
same one meanwhile, so that caches reuse it, and a view costs a lookup, not a signature.
The version of a versioned address (``versions``) is checked against the image's
record here, since the bytes are not read, and the record's version is in the signed URL
too: two versions of a key never share a URL that is kept a year. A record kept from
before its image was replaced by another process (one whose SHA-256 is not the version
asked for) is read again, so that the answer's headers are those of the version.

Only what storage can serve as it is goes this way: not an encrypted store's bytes, which
the app decrypts, nor a preview that the record does not describe (made on first view,
through the app), nor the folder and in-memory backends, which sign nothing.
"""

import functools
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import redirect, request
from werkzeug.datastructures import Headers

from .. import store
from ..keys import key_from_filename
from ..photos.images import GENERIC_TYPE
from ..state import current
from ..versions import cache_control, version_args
from .responses import filename_options, record_of_version

WINDOW_SECONDS = 600
SIGNED_URLS_KEPT = 10_000
PREVIEW_PREFIXES = {"thumbnail": store.THUMBNAIL_PREFIX, "rendition": store.RENDITION_PREFIX}


@dataclass(frozen=True)
class Signer:
    """What signs this app's URLs: its storage's backend, and the endpoint browsers reach."""

    database: object
    endpoint: str | None
    origin: str

    def sign(self, key, answer_headers, expires_at, version):
        """The URL, signed once a window for each version of a key and set of headers: signing
        costs more than the rest of a view, and a URL that stays the same is one caches can reuse."""
        return _signed(self, key, tuple(answer_headers.items()), expires_at, version)


@functools.lru_cache(maxsize=SIGNED_URLS_KEPT)
def _signed(signer, key, answer_headers, expires_at, version):
    backend = signer.database.backend
    return backend.signed_url(key, dict(answer_headers), expires_at, signer.endpoint, version)


def signer_for(database, settings):
    """The signer when images are served by redirect, else None; and a line to say at start."""
    if settings["SERVE"] != "redirect":
        return None, None
    through_app = "serving images through the app, not by redirect: "
    if database.encrypted:
        return None, through_app + "an encrypted store's bytes are decrypted by the app"
    probe = database.backend.signed_url("probe", {}, _expiry(), settings["PUBLIC_ENDPOINT"])
    if probe is None:
        return None, through_app + f"the {database.provider} backend cannot sign URLs for browsers"
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(probe))
    note = f"serving images by redirect to URLs that {origin} answers, signed for 10 to 20 minutes"
    return Signer(database, settings["PUBLIC_ENDPOINT"], origin), note


def redirect_to_storage(kind, key, as_attachment=False):
    """A 302 to ``kind`` (``image``, ``thumbnail`` or ``rendition``) of ``key`` in storage, or
    None where it is served through the app. :raise 404: no such image."""
    signer = current().signer
    if signer is None:
        return None
    requested = request.args.get("v")
    record, stored = _record_of_version(kind, key, requested)
    if stored is None:
        return None
    object_key, sha256, content_type = stored
    cache = cache_control(requested, sha256, current().settings["PRIVATE"])
    answer_headers = {
        "Content-Type": content_type,
        "Content-Disposition": _disposition(record, kind, content_type, as_attachment),
        "Cache-Control": cache,
    }
    version = version_args(sha256).get("v")
    response = redirect(signer.sign(object_key, answer_headers, _expiry(), version), 302)
    kept = cache != "no-cache"
    response.headers["Cache-Control"] = f"private, max-age={WINDOW_SECONDS}" if kept else "no-cache"
    return response


def _record_of_version(kind, key, requested):
    """The record of ``key`` and where ``kind`` of it is stored (``_stored``), of the version
    asked for (``record_of_version``)."""

    def is_of_version(record):
        stored = _stored(kind, key, record)
        return stored is None or not requested or stored[1].startswith(requested)

    record = record_of_version(key, is_of_version)
    return record, _stored(kind, key, record)


def _stored(kind, key, record):
    """Where ``kind`` of the image is in storage, with its SHA-256 and type; None when the
    record does not describe it."""
    if kind == "image":
        return key, record.get("sha256") or "", record.get("content_type") or GENERIC_TYPE
    preview = (record.get("previews") or {}).get(kind)
    if not preview:
        return None
    return PREVIEW_PREFIXES[kind] + key, preview["sha256"], preview["content_type"]


def _disposition(record, kind, content_type, as_attachment):
    """Inline, or as a file named as uploaded; bytes that are no image only ever as a file."""
    headers = Headers()
    if kind == "image" and (as_attachment or content_type == GENERIC_TYPE):
        name = key_from_filename(record["filename"]).rsplit("/", 1)[-1]
        headers.set("Content-Disposition", "attachment", **filename_options(name))
    else:
        headers.set("Content-Disposition", "inline")
    return headers["Content-Disposition"]


def _expiry():
    """The end of the window after this one."""
    window = math.floor(time.time() / WINDOW_SECONDS)
    return datetime.fromtimestamp((window + 2) * WINDOW_SECONDS, UTC)
