"""Images in pages: the ``srcset`` of an image's ladder of widths, a declared variant's
address, and the ``<img>`` that shows either, rendered by the macro in
``templates/imagestore/partials/img.html``, which the gallery's tiles use too.

The ``<img>`` has ``width`` and ``height``, so that nothing shifts while it loads, and,
where the record knows it, the image's dominant colour in ``data-imagestore-placeholder``.
The store's pages forbid inline styles (``web/security.py``: ``default-src 'self'``), so
the colour is painted by a script from the store's own origin, ``static/placeholders.js``,
which sets it through the CSSOM (which a Content-Security-Policy does not govern) and takes
it away once the image has loaded.
"""

from flask import current_app, get_template_attribute, has_request_context, url_for
from markupsafe import Markup

from . import variants
from .photos import sizes
from .photos.images import GENERIC_TYPE
from .versions import version_args

MACROS = "imagestore/partials/img.html"
LOADING = ("lazy", "eager")
SRC_WIDTH = 1024


def srcset_of(record, external=False):
    """The ``srcset`` of the image's ladder (``URL 640w, ...``); None for an image that has
    none: not an image, not made ready yet, or animated, which is shown as it is."""
    steps = _steps(record)
    if not steps:
        return None
    return ", ".join(f"{_width_address(record, step, external)} {step.width}w" for step in steps)


def variant_address(record, name, external=False):
    """The versioned address of the image's variant ``name``. :raise ValueError: undeclared."""
    spec = _declared(name)
    values = {"name": name, **version_args(_version(record, spec))}
    return address("imagestore.variant", record["key"], values, external)


def picture_of(record, image_address, variant=None, external=False):
    """What an ``<img>`` shows of the image: ``src``, ``srcset``, ``width``, ``height`` and
    ``placeholder``. ``image_address`` is the original's, shown where nothing else is."""
    placeholder = ((record.get("previews") or {}).get("thumbnail") or {}).get("colour")
    if variant is not None:
        spec = _declared(variant)
        width, height = _upright_size(record)
        shape = sizes.size_of(spec, width, height) if width else (None, None)
        src = variant_address(record, variant, external)
        return _picture(src, None, *shape, placeholder)
    steps = _steps(record)
    if not steps:
        return _picture(image_address, None, record.get("width"), record.get("height"), placeholder)
    shown = next((step for step in steps if step.rung >= SRC_WIDTH), steps[-1])
    src = _width_address(record, shown, external)
    return _picture(src, srcset_of(record, external), record["width"], record["height"], placeholder)


def render_img(picture, sizes=None, alt="", loading="lazy", attributes=None):
    """The ``<img>`` of a ``picture_of``, as ``Markup``. ``attributes`` are added as they are
    named, ``class_`` as ``class`` and ``_`` as ``-`` (``data_x`` is ``data-x``); an eager
    image is fetched first (``fetchpriority="high"``) unless they say otherwise.
    :raise ValueError: ``loading`` is neither ``lazy`` nor ``eager``."""
    if loading not in LOADING:
        raise ValueError(f"loading must be 'lazy' or 'eager', not {loading!r}")
    named = {name.rstrip("_").replace("_", "-"): value for name, value in (attributes or {}).items()}
    if loading == "eager":
        named.setdefault("fetchpriority", "high")
    macro = get_template_attribute(MACROS, "img")
    return Markup(macro(picture, sizes=sizes, alt=alt, loading=loading, attributes=named))


def address(endpoint, key, values, external):
    """``url_for``, also outside a request: a path needs no ``SERVER_NAME``, only an
    absolute address does."""
    values = {"key": key, **values}
    if has_request_context() or external or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=external, **values)
    root = current_app.config.get("APPLICATION_ROOT") or "/"
    return current_app.url_map.bind("localhost", script_name=root).build(endpoint, values)


def _steps(record):
    if record.get("animated") or record.get("content_type") in (None, GENERIC_TYPE):
        return []
    return sizes.ladder_of(*_upright_size(record), variants.ladder())


def _upright_size(record):
    return record.get("width"), record.get("height")


def _width_address(record, step, external):
    values = {"width": step.rung, **version_args(_version(record, step.spec))}
    return address("imagestore.width", record["key"], values, external)


def _version(record, spec):
    """The version of an address of the image at ``spec``; None (no version) where the
    original's SHA-256 is not known yet."""
    return sizes.version(record["sha256"], spec) if record.get("sha256") else None


def _declared(name):
    spec = variants.spec_of(name)
    if spec is None:
        declared = ", ".join(sorted(variants.declared_names())) or "none"
        raise ValueError(f"there is no variant named {name!r}; this store declares {declared}")
    return spec


def _picture(src, srcset, width, height, placeholder):
    return {"src": src, "srcset": srcset, "width": width, "height": height, "placeholder": placeholder}
