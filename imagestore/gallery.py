"""The gallery as the page and the API show it: which images a page holds,
and what this process keeps of the store (listing, cached bytes) brought up
to date as images come and go through it."""

from flask import current_app

from . import order, serving, store
from .database import background_db, get_db
from .listing import Listing
from .responses import lookup

EXTENSION_KEY = "imagestore.listing"
PER_PAGE = 24


def init_app(app):
    app.extensions[EXTENSION_KEY] = Listing(app.config["LISTING_SECONDS"])


def page(number, per_page=PER_PAGE, counted=False):
    """Page ``number`` of the gallery, newest uploads first.

    Before the store is first listed, the page lists only as far as it goes,
    and its total is unknown; ``counted`` waits for the listing instead. The
    store is listed after the page is read, so that the two do not compete.
    """
    listing, list_in_order = _listing(), _lister()
    shown = _read_page(get_db(), listing, list_in_order, number, per_page, counted)
    listing.refresh(list_in_order)
    return shown


def added(images):
    """Show uploads through this process at once."""
    for image in images:
        _listing().added(image["key"])


def delete(key):
    """Delete an image, and forget it here at once. :raise 404: no such image."""
    lookup(store.delete_image, key)
    serving.forget(key)
    _listing().removed(key)


def _read_page(db, listing, list_in_order, number, per_page, counted):
    keys = listing.keys()
    if keys is None and not counted:
        first_pages = store.page_from_first_keys(db, number, per_page)
        if first_pages is not None:
            return first_pages
    if keys is None:
        keys = listing.wait(list_in_order)
    return store.page_of_images(db, keys, number, per_page)


def _listing():
    return current_app.extensions[EXTENSION_KEY]


def _lister():
    """A function that lists the store in the gallery's order, for the listing's own thread."""
    open_db = background_db()

    def list_in_order():
        with open_db() as db:
            return order.all_image_keys(db)

    return list_in_order
