"""Named variants a host declares, and the sizes each image is kept at.

::

    ImageStore(app, variants={"avatar": {"fill": (256, 256)}, "card": {"fit": (600, 400)}})

A variant is a name for a spec (``photos/sizes.py``): ``fill`` crops to cover the box,
centred; ``fit`` fits inside it. Only declared names are ever made: an address naming
anything else is a 404, and no query argument sets a size, so that nobody can make the
server resize at will.
"""

import re
from collections.abc import Mapping

from flask import current_app, has_app_context

from .photos import sizes
from .settings import DEFAULT_WIDTHS
from .state import EXTENSION_KEY, current

NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
MOST_SIDE = 4096
HOW = 'declare a variant as {"fill": (width, height)} or {"fit": (width, height)}'


def declared(variants: Mapping | None) -> dict[str, str]:
    """The spec of each declared variant, by name. :raise ValueError: a name or size that is
    not one (the message says which and why)."""
    specs = {}
    for name, declaration in (variants or {}).items():
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise ValueError(
                f"variant name {name!r}: use 1 to 40 lower-case letters, digits, '-' or '_', "
                "starting with a letter or digit"
            )
        specs[name] = _spec_of(name, declaration)
    return specs


def _spec_of(name, declaration):
    if not isinstance(declaration, Mapping) or len(declaration) != 1:
        raise ValueError(f"variant {name!r}: {HOW}")
    ((mode, box),) = declaration.items()
    if mode not in sizes.MODES:
        raise ValueError(f"variant {name!r}: {mode!r} is neither 'fill' nor 'fit'; {HOW}")
    if not _is_box(box):
        raise ValueError(f"variant {name!r}: {box!r} is not (width, height) in pixels, each 1 to {MOST_SIDE}")
    return sizes.box_spec(mode, tuple(box))


def _is_box(box):
    return (
        isinstance(box, (tuple, list))
        and len(box) == 2
        and all(type(side) is int and 0 < side <= MOST_SIDE for side in box)
    )


def spec_of(name):
    """The spec of this app's variant ``name``; None when it declares none of that name."""
    return current().settings["VARIANTS"].get(name)


def ladder():
    """This app's ladder of widths (``IMAGESTORE_WIDTHS``)."""
    return current().settings["WIDTHS"]


def kept_specs(settings):
    """Every spec an image of an app with ``settings`` may be kept at: the ladder's and the
    variants'. What is kept at them is deleted with the image."""
    return [f"w{width}" for width in settings["WIDTHS"]] + sorted(set(settings["VARIANTS"].values()))


def kept_specs_here():
    """``kept_specs`` of the app in whose context this runs; outside one, the default
    ladder's (``imagestore verify`` finds what else is kept of an image that is gone)."""
    if has_app_context() and EXTENSION_KEY in current_app.extensions:
        return kept_specs(current().settings)
    return kept_specs({"WIDTHS": DEFAULT_WIDTHS, "VARIANTS": {}})


def declared_names():
    """The names of this app's variants."""
    return current().settings["VARIANTS"].keys()
