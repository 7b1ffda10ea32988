"""The gallery as the page and the API show it: which images a page holds, and what
this process keeps of the store (its index, records, cached bytes), brought up to date
as images come and go, through this process or any other.

Uploads and deletes are written to the store's journal (``index/journal.py``), and
every page view and API listing first reads the changes other processes made
since the last one: one small request, which is what makes an upload through
one gunicorn worker, or one host, show at once on all of them. The gallery's
order comes from the index the store keeps (``index/``), read a part at a
time, so page 300 costs what page 1 does. Image records never change, so they
are kept in the process and a page view reads none.
"""

import logging
from collections import OrderedDict
from dataclasses import dataclass, field

from . import shown, store
from .cache import RecordCache
from .database import background_db, get_db
from .index.discovery import Discovery
from .index.journal import Journal, index_changes, ready_keys
from .index.kept import KeptIndex
from .index.readying import Readying
from .index.snapshot import PartGone
from .photos import decoding
from .state import current
from .unfinished import Operations

PER_PAGE = 24
KEPT_RECORDS = 50_000
log = logging.getLogger(__name__)


@dataclass
class Kept:
    """What this process keeps of the gallery, and its uploads and deletes under way."""

    index: KeptIndex
    journal: Journal
    records: RecordCache
    operations: Operations
    readying: Readying
    deleted_uploads: OrderedDict = field(default_factory=OrderedDict)
    """The entries of uploads deleted, latest last: an upload is never added again once its
    delete was applied, whichever of the two the journal lists first (their writers'
    estimates of the store's clock may disagree by a second)."""


def kept_gallery(clock, settings, counted, open_db, pixel_budget, after_turn=None):
    """What this process will keep of the gallery, from the app's settings; its count is
    read into ``counted``, the app's metrics. ``open_db`` gives a database to a thread of
    its own, and ``pixel_budget`` bounds what such threads decode; ``after_turn(db)`` is
    more work for the process that took the discovery's turn, which settles the
    operations others left unfinished first."""
    journal = Journal(clock)
    operations = Operations(
        clock,
        settings["OPERATION_SECONDS"],
        longest_storage_call(settings["STORAGE_TIMEOUT"]),
        lambda db, op: _settle(db, journal, op),
        open_db,
    )

    def take_turn(db):
        operations.settle_due(db)
        if after_turn is not None:
            after_turn(db)

    discovery = Discovery(clock, settings["DISCOVERY_SECONDS"], settings["DISCOVERY_LISTS_PER_HOUR"])
    records = RecordCache(KEPT_RECORDS)

    def announce_ready(db, keys):
        for key in keys:
            records.discard(key)
        journal.record_ready(db, keys)

    readying = Readying(clock, settings["READY_PER_SECOND"], pixel_budget, announce_ready)
    index = KeptIndex(journal, settings["LISTING_SECONDS"], discovery, take_turn, readying)
    kept = Kept(index, journal, records, operations, readying)
    counted.gallery_images.set_function(lambda: _count(kept))
    counted.images_waiting.set_function(lambda: _nan_for_none(readying.count))
    return kept


def longest_storage_call(storage_timeout):
    """The longest one storage call can take: two attempts of a connection and an answer
    (``backends.client_settings``), and the SDK's pause of at most a second between them."""
    return 2 * (storage_timeout + min(storage_timeout, 5)) + 1


def page(number, per_page=PER_PAGE, counted=False):
    """Page ``number`` of the gallery, newest uploads first.

    Until the store has an index, the page lists the store only as far as it
    goes, and its total is unknown; ``counted`` waits for the index instead.
    What the index needs is done after the page is read, so the two do not compete.
    """
    db, kept, open_db = get_db(), _kept(), background_db()
    try:
        page_read = _read_page(db, kept, open_db, number, per_page, counted)
    except PartGone:
        kept.index.forget()
        page_read = _read_page(db, kept, open_db, number, per_page, counted)
    kept.index.maintain(open_db)
    return page_read


def discover(listed=iter):
    """List the store's originals now and tell every process what other tools changed
    (``KeptIndex.discover``); return the entries added and removed."""
    db, kept = get_db(), _kept()
    _catch_up(db, kept)
    return kept.index.discover(db, listed)


def waiting_to_be_ready():
    """The images other tools put in that have no record yet, in the gallery's order."""
    db, kept = get_db(), _kept()
    _catch_up(db, kept)
    view = kept.index.wait(db, background_db())
    with kept.journal.lock:
        found = {key for uploaded_ns, key in view.all_entries(db) if not uploaded_ns}
    return sorted(found - store.keys_with_records(db))


def make_ready(keys, made=lambda key: None):
    """Make ``keys`` ready now, one after another; ``made(key)`` after each. Every process
    learns of it from the journal."""
    db, kept = get_db(), _kept()
    for key in keys:
        try:
            store.make_ready(db, key, decoding.budget())
        except KeyError:
            pass
        kept.records.discard(key)
        made(key)
    kept.readying.gone(keys)
    if keys:
        kept.journal.record_ready(db, list(keys))


def save(db, filename, incoming, uploaded_ns):
    """Store an upload (``store.save_upload``) and show it at once, here and, through the
    journal, everywhere; return its metadata. :raise: storage failed, and it was not stored."""
    kept = _kept()

    def announce(image):
        kept.journal.record(db, "added", image["key"], image["uploaded_ns"])

    image = store.save_upload(db, filename, incoming, uploaded_ns, kept.operations, announce)
    _apply_here(db, kept, "added", (image["uploaded_ns"], image["key"]))
    return image


def delete(key):
    """Delete an image, and forget it here at once. :raise KeyError: no such image."""
    db, kept = get_db(), _kept()

    def announce(uploaded_ns):
        kept.journal.record(db, "removed", key, uploaded_ns)

    uploaded_ns = store.delete_image(db, key, kept.operations, announce)
    _apply_here(db, kept, "removed", (uploaded_ns, key))


def count():
    """How many images the gallery holds, waiting for the store's index if need be."""
    db, kept = get_db(), _kept()
    _catch_up(db, kept)
    return kept.index.wait(db, background_db()).total


def _settle(db, journal, operation):
    """Undo or finish an operation left unfinished (``unfinished``); other processes, and this
    one, learn of an image gone from the journal."""
    store.settle(db, operation, lambda uploaded_ns, key: journal.record(db, "removed", key, uploaded_ns))


def _apply_here(db, kept, change, entry):
    """Apply a change made through this process; if the index's parts cannot be read for it,
    drop the view, to be read again from the store with the change."""
    with kept.journal.lock:
        try:
            _apply(db, kept, change, entry)
        except Exception as error:
            log.warning("could not apply %s of %s to the index kept here: %s", change, entry[1], error)
            kept.index.forget()


def _read_page(db, kept, open_db, number, per_page, counted):
    def read_record(db, key):
        return kept.records.read(key, lambda: shown.read_shown_record(db, key, indexed=True))

    view = kept.index.view(db)
    _catch_up(db, kept)
    if view is None and not counted:
        first_pages = shown.page_from_first_keys(db, number, per_page, read_record)
        if first_pages is not None:
            return first_pages
    if view is None:
        kept.index.wait(db, open_db)
        _catch_up(db, kept)
    with kept.journal.lock:
        view = kept.index.view(db)
        entries, total = view.entries(db, (number - 1) * per_page, per_page), view.total
    return shown.page_of_images(db, [key for _, key in entries], number, per_page, total, read_record)


def _catch_up(db, kept):
    """Apply what other processes changed since this one last looked."""

    def apply(change):
        if kept.records.keeps_placeholders:  # a ready entry only drops placeholders: none, no read
            for key in ready_keys(db, change):
                kept.records.discard(key)
        for made, entry in index_changes(db, change):
            if made == "added" and entry[0] is None:
                entry = _entry_of_upload(db, kept, entry[1])
            if entry is not None:
                _apply(db, kept, made, entry)

    kept.journal.catch_up(db, apply)


def _apply(db, kept, change, entry):
    """Apply a change here: to the index, and to what is kept of the image."""
    key = entry[1]
    if change == "added" and entry in kept.deleted_uploads:
        return
    if change == "removed" and entry[0]:
        _remember_deleted(kept.deleted_uploads, entry)
    kept.records.discard(key)
    if change == "removed":
        current().cache.forget(key)
    view = kept.index.view(db)
    if view is not None:
        view.apply(db, change, entry)


def _remember_deleted(deleted_uploads, entry):
    deleted_uploads[entry] = True
    while len(deleted_uploads) > KEPT_RECORDS:
        deleted_uploads.popitem(last=False)


def _entry_of_upload(db, kept, key):
    """The index entry of an upload the journal of 2026-11 recorded by key alone."""
    try:
        record = kept.records.read(key, lambda: store.read_metadata(db, key))
    except KeyError:
        return None
    return record.get("uploaded_ns", 0), key


def _kept():
    return current().gallery


def _count(kept):
    return _nan_for_none(kept.index.total)


def _nan_for_none(number):
    return float("nan") if number is None else number
