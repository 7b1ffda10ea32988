"""The image store as a Flask extension, for an app of one's own::

    app.config["IMAGESTORE_CONFIG"] = "/etc/imagestore/aws.ini"
    images = ImageStore(app, can_write=lambda: current_user.is_authenticated)

Everything the store serves is on one blueprint, mounted at ``IMAGESTORE_URL_PREFIX``
(``/images`` by default): the pages, the API, the images, the static files and the
health probes. What runs around its requests (size limits, security headers, who
may write, error pages, metrics, the request log) is the blueprint's own, here,
so that the host's routes, error pages and headers are left as they are.
"""

import logging
from collections.abc import Callable, Mapping

from flask import Flask

from .database import open_access
from .gallery import kept_gallery
from .observability import metrics, request_log
from .photos.decoding import pixel_budget
from .python_api import StoreAPI
from .settings import StartupError, from_environment
from .staging import Sweeper
from .state import EXTENSION_KEY, ImageStoreState
from .variants import declared
from .web import (  # noqa: F401 (routes)
    api,
    compression,
    errors,
    health,
    pages,
    readers,
    security,
    serving,
    sized,
    write_token,
)
from .web.blueprint import bp
from .web.direct_uploads import upload_origin
from .web.redirects import signer_for
from .web.upload_limits import Announcements
from .web.uploads import limit_request_size

log = logging.getLogger(__name__)

bp.before_request(metrics.start_request)
bp.before_request(limit_request_size)
bp.before_request(readers.require_reader)
bp.before_request(security.refuse_cross_site_writes)
bp.before_request(write_token.require_write_token)
bp.after_request(request_log.log_request)
bp.after_request(security.add_security_headers)
bp.after_request(compression.compress_response)
bp.context_processor(write_token.page_variables)
errors.register(bp)


class ImageStore(StoreAPI):
    """Mounts the image store on an app. ``can_write``, when given, decides who may upload
    and delete (a callable asked within each request); without it the write token does
    (``IMAGESTORE_WRITE_TOKEN``). ``can_read``, when given, decides who may see the
    gallery, the API and the images (``readers``); without it everyone may. The object is
    also the store's Python API (``python_api``), for the host's own views, commands and jobs.
    ``variants`` names the sizes the host's pages show images at (``variants``):
    ``{"avatar": {"fill": (256, 256)}}``. :raise ValueError: a variant that is not one."""

    def __init__(
        self,
        app: Flask | None = None,
        can_write: Callable[[], bool] | None = None,
        can_read: Callable[[], bool] | None = None,
        variants: Mapping[str, Mapping[str, tuple[int, int]]] | None = None,
    ) -> None:
        self.can_write = can_write
        self.can_read = can_read
        declared(variants)
        self.variants = dict(variants or {})
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, overrides: dict | None = None) -> None:
        """Open the store the app's config names and mount it. Reads ``IMAGESTORE_CONFIG``
        (the CShelve `.ini`), ``IMAGESTORE_URL_PREFIX`` (``/images``) and
        ``IMAGESTORE_ACCESS`` (``single`` or ``shared``); ``overrides`` replaces settings
        that otherwise come from the environment, as tests do.

        :raise StartupError: the configuration is unusable or storage does not answer.
        """
        if EXTENSION_KEY in app.extensions:
            raise StartupError("this app has an image store already: call init_app once per app")
        if app.config.get("IMAGESTORE_CONFIG") is None:
            raise StartupError("set IMAGESTORE_CONFIG in the app's config to the path of a CShelve .ini")
        if app.secret_key is None:
            raise StartupError(
                "set the app's SECRET_KEY first: the store's pages keep messages in the session"
            )
        url_prefix = _normal_prefix(app.config.get("IMAGESTORE_URL_PREFIX", "/images"))
        store = open_store(
            app.config["IMAGESTORE_CONFIG"],
            app.config.get("IMAGESTORE_ACCESS", "single"),
            url_prefix,
            self.can_write,
            {"VARIANTS": self.variants, **(overrides or {})},
            self.can_read,
        )
        app.extensions[EXTENSION_KEY] = store
        app.add_template_global(self.img, "imagestore_img")
        app.teardown_appcontext(store.access.end_request)
        app.register_blueprint(bp, url_prefix=url_prefix)


def open_store(config_path, access, url_prefix="", can_write=None, overrides=None, can_read=None):
    """Open the store and build what the app keeps of it; a store whose host decides who may
    see it answers privately. :raise StartupError:"""
    settings = {**from_environment(), **(overrides or {})}
    settings["PRIVATE"] = settings["PRIVATE"] or can_read is not None
    settings["VARIANTS"] = declared(settings["VARIANTS"])
    counted = metrics.Metrics()
    access_mode = open_access(config_path, access, settings, counted.storage_call)
    database = access_mode.database
    counted.clock_offset.set_function(lambda: database.clock.offset_ns / 1e9)
    _say_how_storage_writes(database.backend)
    signer, serving_note = signer_for(database, settings)
    uploads_at, uploads_note = upload_origin(database, settings)
    for note in (serving_note, uploads_note):
        if note is not None:
            log.info(note)
    image_origin = signer.origin if signer else None
    budget = pixel_budget(settings)
    staging_sweeper = Sweeper(database.clock) if uploads_at else None
    return ImageStoreState(
        settings=settings,
        url_prefix=url_prefix,
        can_write=can_write,
        can_read=can_read,
        metrics=counted,
        access=access_mode,
        cache=serving.served_cache(settings, counted),
        pixel_budget=budget,
        gallery=kept_gallery(
            database.clock, settings, counted, access_mode.outside_request, budget, staging_sweeper
        ),
        write_token_digest=write_token.digest_of(settings["WRITE_TOKEN"]),
        page_policy=security.page_policy(image_origin, uploads_at),
        signer=signer,
        upload_origin=uploads_at,
        announcements=Announcements(settings["DIRECT_UPLOADS_PER_MINUTE"]) if uploads_at else None,
        staging_sweeper=staging_sweeper,
    )


def _normal_prefix(prefix):
    """``images/`` and ``/images`` alike are ``/images``; ``/`` and ``""`` mount at the root."""
    stripped = str(prefix).strip("/")
    return f"/{stripped}" if stripped else ""


def _say_how_storage_writes(backend):
    """One line at start; a warning where processes sharing the store could overwrite each other."""
    note = backend.startup_note()
    if note is not None:
        log.log(logging.INFO if backend.refuses_second_create else logging.WARNING, note)
