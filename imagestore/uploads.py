"""Receiving the files of one upload request, whether from the page or the API."""

from dataclasses import dataclass, field

from . import store
from .images import ImageRejected

NO_FILE = "no file was sent: choose one or more images (form field 'file')"


@dataclass
class Outcome:
    stored: list = field(default_factory=list)
    rejected: list = field(default_factory=list)


def receive(db, files, max_pixels):
    """Store each uploaded file that is an image; say why for each that is not.

    A form posted with no file chosen sends one empty, nameless part: that
    counts as no file at all.
    """
    outcome = Outcome()
    parts = [(file.filename or "", file.read()) for file in files]
    parts = [(filename, data) for filename, data in parts if filename or data]
    if not parts:
        outcome.rejected.append({"filename": "", "error": NO_FILE})
    for filename, data in parts:
        try:
            outcome.stored.append(store.save_upload(db, filename, data, max_pixels))
        except ImageRejected as why:
            outcome.rejected.append({"filename": filename, "error": str(why)})
    return outcome
