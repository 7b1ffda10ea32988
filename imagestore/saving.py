"""Saving files as uploads: the checks, the location's removal, previews, a free key, the
journal and index, and metrics, for the Python API's ``save`` and ``save_all`` (and through
them the page, the JSON API, direct-upload claims and ``imagestore import``)."""

from collections import defaultdict
from dataclasses import dataclass, field

from . import gallery
from .database import clock_of, get_db
from .observability import metrics
from .parallel import map_in_threads
from .photos import decoding, incoming
from .photos.decoding import Busy
from .photos.images import ImageRejected
from .state import current

STORING_THREADS = 8


@dataclass
class Outcome:
    """The records ``stored`` and the ``rejected`` files (``{"filename", "error"}``);
    ``verdicts`` says, file by file in the order given, "stored" or "rejected";
    ``retry_after`` is set when a file was turned away only because the server was busy."""

    stored: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    verdicts: list = field(default_factory=list)
    retry_after: int | None = None


def save_files(parts):
    """Store ``(filename, bytes)`` pairs as uploads, within an app context.

    Files are stored in parallel, since most of the time goes to waiting on
    storage, but the outcome is as if they were given one after another: the
    gallery shows the last one first, and of files given under one name the
    first keeps the name and the next gets ``-2``.

    :raise: the first storage error, once the files stored before it are in the gallery.
    """
    db = get_db()
    received_ns = clock_of(db).stamp_ns(len(parts))
    settings = current().settings
    rules = settings["MAX_PIXELS"], settings["KEEP_LOCATION"], decoding.budget()
    positions_by_name = defaultdict(list)
    for position, (filename, _) in enumerate(parts):
        positions_by_name[filename].append(position)

    verdicts = [None] * len(parts)

    def store_in_order(positions):
        for position in positions:
            try:
                verdicts[position] = _store(db, *parts[position], rules, received_ns + position)
            except Exception as error:
                verdicts[position] = ("failed", error)
                return

    map_in_threads(store_in_order, positions_by_name.values(), STORING_THREADS)
    outcome, failures = Outcome(), []
    for verdict, item in filter(None, verdicts):
        if verdict == "failed":
            failures.append(item)
            continue
        getattr(outcome, verdict).append(item)
        outcome.verdicts.append(verdict)
        if "retry_after" in item:
            outcome.retry_after = item.pop("retry_after")
    metrics.of().uploads(outcome)
    if failures:
        raise failures[0]
    return outcome


def _store(db, filename, data, rules, uploaded_ns):
    """Return ``("stored", metadata)``, or ``("rejected", reason)`` for a file that is no image
    or that found the server too busy to decode it."""
    try:
        return "stored", gallery.save(db, filename, incoming.prepare(data, *rules), uploaded_ns)
    except ImageRejected as why:
        return "rejected", {"filename": filename, "error": str(why)}
    except Busy as busy:
        return "rejected", {"filename": filename, "error": str(busy), "retry_after": busy.retry_after}
