"""Every error answered in plain words, as a page or as JSON; never a traceback."""

import logging

from cshelve import EncryptedDataCorruptionError
from flask import render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, default_exceptions

from .. import failures
from ..photos.decoding import Busy
from ..state import current

log = logging.getLogger(__name__)


def register(scope):
    """Answer errors in ``scope``: the store's blueprint, for its own routes, or the standalone app.

    Each HTTP error is registered by its code, because Flask asks a host's handler
    for a code (its own 404 page) before a blueprint's for every HTTP error.
    """
    for code in default_exceptions:
        scope.register_error_handler(code, http_error)
    scope.register_error_handler(HTTPException, http_error)
    for error_class in failures.BACKEND_ERRORS:
        scope.register_error_handler(error_class, storage_unavailable)
    scope.register_error_handler(EncryptedDataCorruptionError, undecryptable)
    scope.register_error_handler(Busy, busy_decoding)
    scope.register_error_handler(Exception, unexpected_error)


def http_error(error):
    """Werkzeug's error in plain words, keeping the headers it carries (a 405's ``Allow``)."""
    message = error.description
    if isinstance(error, RequestEntityTooLarge) and message == RequestEntityTooLarge.description:
        message = too_large_message()
    body, code = answer(error.code, error.name, message)
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    return body, code, headers


def storage_unavailable(error):
    log.warning("storage did not answer: %s", failures.describe(error))
    message = (
        "The image storage is not answering right now "
        f"({failures.summarize(error)}). Nothing was lost; try again in a moment."
    )
    return answer(503, "Storage unavailable", message)


def undecryptable(error):
    log.warning("stored data could not be decrypted: %s", error)
    message = (
        "This image cannot be decrypted with the configured key: it was stored with another "
        "key, or put into the store unencrypted by another tool."
    )
    return answer(500, "Cannot decrypt", message)


def busy_decoding(error):
    message = f"{str(error).capitalize()}."
    body, code = answer(503, "Busy", message)
    return body, code, {"Retry-After": str(error.retry_after)}


def unexpected_error(error):
    log.exception("unexpected error")
    return answer(500, "Internal error", "Something went wrong on our side; it has been logged.")


def too_large_message():
    """Werkzeug answers 413 for a body over the limit and for too many parts."""
    limit = current().settings["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length <= limit:
        parts = current().settings["MAX_FORM_PARTS"]
        return f"The upload has too many parts: this store accepts at most {parts} files in one request."
    return (
        f"The upload is too large: this store accepts at most {limit / (1024 * 1024):g} MB per request "
        "(several files in one request count together)."
    )


def answer(code, title, message):
    if wants_json():
        return {"error": message}, code
    return render_template("imagestore/errors/error.html", code=code, title=title, message=message), code


def wants_json():
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.startswith(current().url_prefix + "/api/") or best == "application/json"
