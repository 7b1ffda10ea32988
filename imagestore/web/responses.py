"""What the pages and the API share: looking an image up, describing it,
reading numbers and flags from the query."""

import re
import unicodedata
from urllib.parse import quote

from flask import abort, request, url_for

from .. import store
from ..database import get_db
from ..keys import is_servable_key
from ..python_api import images as stored_images
from ..state import current
from ..versions import version_args

PUBLIC_FIELDS = ("key", "filename", "size", "content_type", "width", "height", "location_removed")

FALSE_WORDS = {"0", "false", "no", "off"}


def found(key, get):
    """Return ``get()``. :raise 404: ``key`` names no image, or ``get`` finds none."""
    if not is_servable_key(key):
        _no_image(key)
    try:
        return get()
    except KeyError:
        _no_image(key)


def described(key, made_ready=False):
    """The ``StoredImage`` under ``key``; ``made_ready`` now if another tool put it in and it
    is not yet. :raise 404: there is none."""
    image = (stored_images.make_ready if made_ready else stored_images.get)(key)
    if image is None:
        _no_image(key)
    return image


def deleted(key):
    """Delete the image under ``key``. :raise 404: there was none."""
    if not stored_images.delete(key):
        _no_image(key)


def _no_image(key):
    abort(404, f"There is no image named {key!r}.")


def record_of_version(key, is_of_version):
    """The image's record as the process keeps it (records never change), for what must know
    where its bytes are in storage; read again once when ``is_of_version(record)`` says it is
    not of the version asked for: another process replaced the image. :raise 404: none."""
    record = found(key, lambda: _kept_record(key))
    if not is_of_version(record):
        current().gallery.records.discard(key)
        record = found(key, lambda: _kept_record(key))
    return record


def _kept_record(key):
    return current().gallery.records.read(key, lambda: store.read_metadata(get_db(), key))


def public(image):
    """A ``StoredImage`` as the API and the page show it, with the addresses it is fetched
    from; each carries the version of what it serves, where that is known (``versions``)."""
    uploaded_at = image.uploaded_at.isoformat() if image.uploaded_at else None
    return {
        **{name: getattr(image, name) for name in PUBLIC_FIELDS},
        "uploaded_at": uploaded_at,
        "ready": image.ready,
        "url": image.url,
        "thumbnail_url": image.thumbnail_url,
        "view_url": image.screen_url,
        "download_url": url_for("imagestore.image", key=image.key, download=1, **version_args(image.sha256)),
        "api_url": url_for("imagestore.get_image", key=image.key),
        "srcset": image.srcset,
        "placeholder": image.placeholder,
    }


def flag_arg(name):
    """Whether a query argument is set: present, and not ``0``, ``false``, ``no`` or ``off``."""
    return request.args.get(name, "0").lower() not in FALSE_WORDS


def positive_int_arg(name, default):
    """Return a query argument as a whole number of 1 or more. :raise 400: it is not."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
        abort(400, f"The query argument {name}={raw!r} must be a whole number of 1 or more.")
    return int(raw)


def filename_options(name):
    """Content-Disposition's name parameters, as ``send_file`` writes them: an ASCII
    fallback and the UTF-8 name (RFC 6266) for a name that is not ASCII."""
    if name.isascii():
        return {"filename": name}
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return {"filename": fallback, "filename*": f"UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"}
