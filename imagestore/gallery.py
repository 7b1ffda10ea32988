"""The gallery as the page and the API show it: which images a page holds,
and what this process keeps of the store (listing, cached bytes) brought up
to date as images come and go through it."""

from flask import current_app

from . import serving, store
from .database import get_db
from .listing import Listing
from .responses import lookup

EXTENSION_KEY = "imagestore.listing"
PER_PAGE = 24


def init_app(app):
    app.extensions[EXTENSION_KEY] = Listing(app.config["LISTING_SECONDS"])


def page(number, per_page=PER_PAGE):
    """Page ``number`` of the gallery, newest uploads first."""
    db = get_db()
    keys = _listing().keys(lambda: store.gallery_order(db))
    return store.page_of_images(db, keys, number, per_page)


def added(images):
    """Show uploads through this process at once."""
    for image in images:
        _listing().added(image["key"])


def delete(key):
    """Delete an image, and forget it here at once. :raise 404: no such image."""
    lookup(store.delete_image, key)
    serving.forget(key)
    _listing().removed(key)


def _listing():
    return current_app.extensions[EXTENSION_KEY]
