"""An image store on CShelve: upload, gallery, serving, delete and a JSON API.

``create_app`` is the one place that wires things together; the storage
backend is whatever the `.ini` names, and the access mode is decided in
``database.py`` alone.
"""

import logging
from pathlib import Path

from flask import Flask

from . import (
    api,
    database,
    errors,
    gallery,
    health,
    pages,
    security,
    serving,
    settings,
    write_token,
)
from .observability import metrics, request_log
from .photos import decoding
from .settings import StartupError

EXAMPLES = Path(__file__).resolve().parent / "examples"
log = logging.getLogger(__name__)

__all__ = ["StartupError", "create_app"]


def create_app(config_path=EXAMPLES / "in-memory.ini", access="single", overrides=None):
    """Build the app on the database that ``config_path`` describes; a relative path in it
    (the folder backend's ``folder_path``) is taken relative to the `.ini`'s folder.

    ``access`` is ``"single"`` (open the database around every request) or
    ``"shared"`` (open it once and share it). ``overrides`` replaces settings,
    as tests do.

    :raise StartupError: the configuration is unusable or storage does not answer.
    """
    app = Flask(__name__)
    app.config.update(settings.from_environment())
    app.config.update(overrides or {})
    counted = metrics.init_app(app)
    request_log.init_app(app)
    mode = database.init_app(app, config_path, access, counted.storage_call)
    app.config.update(STORAGE_PROVIDER=mode.database.provider)
    counted.clock_offset.set_function(lambda: mode.database.clock.offset_ns / 1e9)
    _say_how_storage_writes(mode.database.backend)

    serving.init_app(app)
    decoding.init_app(app)
    gallery.init_app(app)
    security.init_app(app)
    write_token.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    return app


def _say_how_storage_writes(backend):
    """One line at start; a warning where processes sharing the store could overwrite each other."""
    note = backend.startup_note()
    if note is not None:
        log.log(logging.INFO if backend.refuses_second_create else logging.WARNING, note)
