"""An image store on CShelve: upload, gallery, serving, delete and a JSON API.

Mount it in an app of your own with ``ImageStore`` (``extension.py``), or run the
standalone app ``create_app`` builds, which mounts the same blueprint at ``/``.
The storage backend is whatever the `.ini` names, and the access mode is decided
in ``database.py`` alone.
"""

import os
from functools import wraps
from pathlib import Path

from flask import Flask, redirect, request, url_for

from . import settings
from .extension import ImageStore
from .failures import StorageUnavailable
from .observability import metrics, request_log
from .photos.images import ImageRejected
from .python_api import StoredImage
from .settings import StartupError
from .web import errors, security

EXAMPLES = Path(__file__).resolve().parent / "examples"

__all__ = ["ImageRejected", "ImageStore", "StartupError", "StorageUnavailable", "StoredImage", "create_app"]


def create_app(
    config_path: str | os.PathLike = EXAMPLES / "in-memory.ini",
    access: str = "single",
    overrides: dict | None = None,
) -> Flask:
    """Build the standalone app on the database that ``config_path`` describes; a relative
    path in it (the folder backend's ``folder_path``) is taken relative to the `.ini`'s folder.

    ``access`` is ``"single"`` (open the database around every request) or
    ``"shared"`` (open it once and share it). ``overrides`` replaces settings,
    as tests do.

    :raise StartupError: the configuration is unusable or storage does not answer.
    """
    request_log.show_app_messages(settings.log_level())
    app = Flask(__name__, static_folder=None, template_folder=None)
    app.config.update(
        DEBUG=False,
        SECRET_KEY=settings.secret_key(),
        SESSION_COOKIE_SAMESITE="Lax",
        IMAGESTORE_CONFIG=config_path,
        IMAGESTORE_ACCESS=access,
        IMAGESTORE_URL_PREFIX="/",
    )
    ImageStore().init_app(app, overrides)
    app.add_url_rule("/favicon.ico", view_func=favicon)
    _answer_outside_the_store(app)
    return app


def favicon():
    """Browsers and tools that ask for the icon at its old address get the page's own."""
    return redirect(url_for("imagestore.static", filename="favicon.svg"), 301)


def _answer_outside_the_store(app):
    """A request no route of the store matched (a 404, a 405, the icon) is answered, counted,
    logged and given headers as the store's own requests are."""
    errors.register(app)
    app.before_request(_outside_the_store(metrics.start_request))
    app.after_request(_outside_the_store(request_log.log_request))
    app.after_request(_outside_the_store(security.add_security_headers))


def _outside_the_store(hook):
    """``hook``, for requests outside the store's blueprint, which runs its own."""

    @wraps(hook)
    def run(*response):
        if request.blueprint != "imagestore":
            return hook(*response)
        return response[0] if response else None

    return run
