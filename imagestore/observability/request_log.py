"""One line per request: method, route, status, time and storage calls, at INFO, in place
of Werkzeug's own line (which shows the URL, and so image names, but not the cost).

The level of the app's messages comes from ``IMAGESTORE_LOG_LEVEL`` (INFO by default);
``WARNING`` keeps only what went wrong.
"""

import logging
import sys

from flask import request

from . import metrics

log = logging.getLogger("imagestore.requests")
APP_LOGGER = "imagestore"


def quiet_werkzeug():
    """The development server's own line per request, which this one replaces."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def log_request(response):
    route, seconds, storage_calls = metrics.finish_request(response)
    log.info(
        "%s %s %d %.1f ms, %d storage calls",
        request.method,
        route,
        response.status_code,
        seconds * 1000,
        storage_calls,
    )
    return response


def show_app_messages(level):
    """The app's own lines, plainly on stderr, once per process; the SDKs' stay quiet."""
    logger = logging.getLogger(APP_LOGGER)
    logger.setLevel(level)
    if not any(getattr(handler, "imagestore", False) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.imagestore = True
        logger.addHandler(handler)
