"""Probes for process managers and load balancers."""

import logging

from .. import atomic, failures
from ..database import backend_of, get_db
from ..keys import RESERVED_PREFIX
from ..state import current
from .blueprint import bp

log = logging.getLogger(__name__)
PROBE_KEY = RESERVED_PREFIX + "readiness-probe"


@bp.get("/healthz")
def healthz():
    """The process serves requests."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """The storage backend answers; 503 and the reason when it does not. ``conditional_writes``
    says whether storage refuses a second create of one key (see ``backends.s3``)."""
    backend = current().provider
    try:
        atomic.exists(get_db(), PROBE_KEY)
    except failures.BACKEND_ERRORS as error:
        log.warning("readiness probe failed: %s", failures.describe(error))
        return {"status": "unavailable", "backend": backend, "error": failures.summarize(error)}, 503
    conditional_writes = backend_of(get_db()).refuses_second_create
    return {"status": "ready", "backend": backend, "conditional_writes": conditional_writes}
