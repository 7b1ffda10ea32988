"""What the pages and the API share: looking an image up, describing it,
reading numbers and flags from the query."""

import re
import unicodedata
from urllib.parse import quote

from flask import abort, request, url_for

from ..keys import is_servable_key
from ..python_api import images as stored_images
from ..versions import version_args

PUBLIC_FIELDS = ("key", "filename", "size", "content_type", "width", "height", "location_removed")

FALSE_WORDS = {"0", "false", "no", "off"}


def found(key, get):
    """Return ``get()``. :raise 404: ``key`` names no image, or ``get`` finds none."""
    if not is_servable_key(key):
        abort(404, f"There is no image named {key!r}.")
    try:
        return get()
    except KeyError:
        abort(404, f"There is no image named {key!r}.")


def described(key, made_ready=False):
    """The ``StoredImage`` under ``key``; ``made_ready`` now if another tool put it in and it
    is not yet. :raise 404: there is none."""
    describe = stored_images.make_ready if made_ready else stored_images.get
    return found(key, lambda: _or_key_error(describe(key), key))


def deleted(key):
    """Delete the image under ``key``. :raise 404: there was none."""
    found(key, lambda: stored_images.delete(key) or _or_key_error(None, key))


def _or_key_error(value, key):
    if value is None:
        raise KeyError(key)
    return value


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
