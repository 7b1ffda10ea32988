"""Receiving the files of one upload request, whether from the page or the API."""

from flask import request

from ..python_api import images
from ..saving import Outcome
from ..state import current

NO_FILE = "no file was sent: choose one or more images (form field 'file')"


def receive():
    """Store each file of this request's field ``file`` that is an image (``images.save_all``);
    say why for each that is not."""
    parts = _sent_files()
    if not parts:
        return Outcome(rejected=[{"filename": "", "error": NO_FILE}])
    return images.save_all(parts)


def _sent_files():
    """The files sent, as ``(filename, bytes)``; a form posted with no file
    chosen sends one empty, nameless part, which counts as no file at all."""
    parts = [(file.filename or "", file.read()) for file in request.files.getlist("file")]
    return [(filename, data) for filename, data in parts if filename or data]


def limit_request_size():
    """The store's limits on a request's body, for its own routes only: a host app's
    ``MAX_CONTENT_LENGTH`` stays its own."""
    settings = current().settings
    request.max_content_length = settings["MAX_CONTENT_LENGTH"]
    request.max_form_parts = settings["MAX_FORM_PARTS"]
