"""The gallery as the page and the API show it: which images a page holds,
and what this process keeps of the store (listing, records, cached bytes)
brought up to date as images come and go, through this process or any other.

Uploads and deletes are written to the store's journal (``journal.py``), and
every page view and API listing first reads the changes other processes made
since the last one: one small request, which is what makes an upload through
one gunicorn worker, or one host, show at once on all of them. Image records
never change, so they are kept in the process and a page view reads none.
"""

from dataclasses import dataclass

from flask import current_app

from . import order, serving, store
from .cache import RecordCache
from .database import background_db, get_db
from .journal import Journal
from .listing import Listing
from .observability import metrics
from .responses import lookup

EXTENSION_KEY = "imagestore.gallery"
PER_PAGE = 24
KEPT_RECORDS = 50_000


@dataclass
class Kept:
    """What this process keeps of the gallery."""

    listing: Listing
    journal: Journal
    records: RecordCache


def init_app(app):
    kept = Kept(Listing(app.config["LISTING_SECONDS"]), Journal(), RecordCache(KEPT_RECORDS))
    app.extensions[EXTENSION_KEY] = kept
    metrics.of(app).gallery_images.set_function(lambda: _count(kept))


def page(number, per_page=PER_PAGE, counted=False):
    """Page ``number`` of the gallery, newest uploads first.

    Before the store is first listed, the page lists only as far as it goes,
    and its total is unknown; ``counted`` waits for the listing instead. The
    store is listed after the page is read, so that the two do not compete.
    """
    db, kept, list_in_order = get_db(), _kept(), _lister()
    _catch_up(db, kept)
    shown = _read_page(db, kept, list_in_order, number, per_page, counted)
    kept.listing.refresh(list_in_order)
    return shown


def added(images):
    """Show uploads through this process at once, here and, through the journal, everywhere."""
    db, kept = get_db(), _kept()
    for image in images:
        with kept.journal.lock:
            kept.listing.added(image["key"])
            kept.records.discard(image["key"])
        kept.journal.record(db, "added", image["key"])


def delete(key):
    """Delete an image, and forget it here at once. :raise 404: no such image."""
    lookup(store.delete_image, key)
    kept = _kept()
    with kept.journal.lock:
        _forget(kept, key)
    kept.journal.record(get_db(), "removed", key)


def _catch_up(db, kept):
    """Apply what other processes changed since this one last looked."""

    def apply(change):
        if change.change == "added":
            kept.listing.added(change.key)
            kept.records.discard(change.key)
        else:
            _forget(kept, change.key)

    kept.journal.catch_up(db, apply)


def _forget(kept, key):
    serving.forget(key)
    kept.records.discard(key)
    kept.listing.removed(key)


def _read_page(db, kept, list_in_order, number, per_page, counted):
    def read_record(db, key):
        return kept.records.read(key, lambda: store.read_metadata(db, key))

    keys = kept.listing.keys()
    if keys is None and not counted:
        first_pages = store.page_from_first_keys(db, number, per_page, read_record)
        if first_pages is not None:
            return first_pages
    if keys is None:
        keys = kept.listing.wait(list_in_order)
    return store.page_of_images(db, keys, number, per_page, read_record)


def _kept():
    return current_app.extensions[EXTENSION_KEY]


def _count(kept):
    keys = kept.listing.keys()
    return float("nan") if keys is None else len(keys)


def _lister():
    """A function that lists the store in the gallery's order, for the listing's own thread."""
    open_db = background_db()

    def list_in_order():
        with open_db() as db:
            return order.all_image_keys(db)

    return list_in_order
