"""Receiving the files of one upload request, whether from the page or the API."""

from dataclasses import dataclass, field

from flask import current_app, request

from . import store
from .database import get_db
from .images import ImageRejected

NO_FILE = "no file was sent: choose one or more images (form field 'file')"


@dataclass
class Outcome:
    stored: list = field(default_factory=list)
    rejected: list = field(default_factory=list)


def receive():
    """Store each file of this request's field ``file`` that is an image; say why for each that is not.

    A form posted with no file chosen sends one empty, nameless part: that
    counts as no file at all.
    """
    db, max_pixels = get_db(), current_app.config["MAX_PIXELS"]
    outcome = Outcome()
    parts = [(file.filename or "", file.read()) for file in request.files.getlist("file")]
    parts = [(filename, data) for filename, data in parts if filename or data]
    if not parts:
        outcome.rejected.append({"filename": "", "error": NO_FILE})
    for filename, data in parts:
        try:
            outcome.stored.append(store.save_upload(db, filename, data, max_pixels))
        except ImageRejected as why:
            outcome.rejected.append({"filename": filename, "error": str(why)})
    return outcome
