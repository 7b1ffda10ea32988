"""Images at the widths of the ladder and at declared variants' sizes (``photos/sizes.py``):
``/w/640/KEY`` and ``/variant/avatar/KEY``, each made on first request and kept.

Only a width of the ladder that the image has, and only a declared variant's name, is
ever made; anything else is a 404, so that no address makes the server resize at will.
The version of an address (``?v=``) is worked out from the original's SHA-256 and the
spec (``sizes.version``): what is made is a pure function of both, so no record is written
again when it is made. It is checked against the image's record, read again when the one
kept is not of the version asked for, as ``redirects`` does. Served by redirect too, these
go through the app: their record does not describe them.
"""

from flask import abort, request

from .. import store, variants
from ..database import get_db
from ..photos import sizes
from ..photos.images import GENERIC_TYPE
from . import serving
from .blueprint import bp
from .responses import record_of_version


@bp.get("/w/<int:width>/<key:key>")
def width(width, key):
    """The image ``width`` pixels wide, or its own width where the ladder's rung is wider."""
    return _send(key, f"w{width}", _is_on_ladder)


@bp.get("/variant/<name>/<key:key>")
def variant(name, key):
    """The image as the variant ``name`` the host declared makes it."""
    spec = variants.spec_of(name)
    if spec is None:
        abort(404, f"There is no variant named {name!r}.")
    return _send(key, spec, lambda record, spec: True)


def _send(key, spec, is_made_for):
    record = _record_of_version(key, spec)
    if record.get("content_type") in (None, GENERIC_TYPE) or not record.get("width"):
        abort(404, f"{key!r} is not an image this store can resize.")
    if not is_made_for(record, spec):
        abort(404, f"{key!r} has no size {spec!r}.")
    width, height = record["width"], record["height"]
    return serving.send_sized(
        key,
        spec,
        lambda: store.read_sized(get_db(), key, spec, width, height),
        sizes.version(record["sha256"], spec),
    )


def _is_on_ladder(record, spec):
    steps = sizes.ladder_of(record["width"], record["height"], variants.ladder())
    return spec in {step.spec for step in steps}


def _record_of_version(key, spec):
    """The image's record, of the version asked for (``record_of_version``). :raise 404:"""
    requested = request.args.get("v")

    def is_of_version(record):
        sha256 = record.get("sha256")
        return not (requested and sha256) or sizes.version(sha256, spec).startswith(requested)

    return record_of_version(key, is_of_version)
