"""What the pages and the API share: looking an image up, describing it,
reading numbers and flags from the query."""

import re
import unicodedata
from urllib.parse import quote

from flask import abort, request, url_for

from ..database import get_db
from ..keys import is_servable_key
from ..photos.previews import needs_rendition
from ..responsive import srcset_of
from ..versions import version_args

PUBLIC_FIELDS = (
    "key", "filename", "size", "content_type", "width", "height", "location_removed", "uploaded_at",
)  # fmt: skip

FALSE_WORDS = {"0", "false", "no", "off"}


def lookup(read, key):
    """Return ``read(db, key)``. :raise 404: no such image."""
    return found(key, lambda: read(get_db(), key))


def found(key, get):
    """Return ``get()``. :raise 404: ``key`` names no image, or ``get`` finds none."""
    if not is_servable_key(key):
        abort(404, f"There is no image named {key!r}.")
    try:
        return get()
    except KeyError:
        abort(404, f"There is no image named {key!r}.")


def public(metadata):
    """An image's metadata with the addresses it is fetched from, as the API and the page show
    it; each address carries the version of what it serves, where that is known (``versions``)."""
    key, original = metadata["key"], version_args(metadata.get("sha256"))
    previews = {name: made.get("sha256") for name, made in (metadata.get("previews") or {}).items()}
    return {
        **{name: metadata.get(name) for name in PUBLIC_FIELDS},
        "ready": metadata.get("ready", True),
        "url": url_for("imagestore.image", key=key, **original),
        "thumbnail_url": url_for("imagestore.thumbnail", key=key, **version_args(previews.get("thumbnail"))),
        "view_url": _view_url(metadata, original, previews),
        "download_url": url_for("imagestore.image", key=key, download=1, **original),
        "api_url": url_for("imagestore.get_image", key=key),
        "srcset": srcset_of(metadata),
        "placeholder": ((metadata.get("previews") or {}).get("thumbnail") or {}).get("colour"),
    }


def _view_url(metadata, original, previews):
    """What the viewer shows: the original where every browser shows it well on a screen,
    the rendition otherwise (too large, or HEIC and AVIF)."""
    shape = metadata.get("content_type"), metadata.get("width"), metadata.get("height")
    if shape[1] is not None and needs_rendition(*shape, metadata.get("animated", False)):
        rendition = version_args(previews.get("rendition"))
        return url_for("imagestore.rendition", key=metadata["key"], **rendition)
    return url_for("imagestore.image", key=metadata["key"], **original)


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
