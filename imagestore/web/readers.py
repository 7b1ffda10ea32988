"""Who may see the store: a host app that mounts it decides (``ImageStore(can_read=...)``),
with a callable asked within each request, as ``can_write`` is for uploads and deletes.

A refused request gets 404 for an image, a thumbnail or a rendition, in the words of an
image that does not exist, so that no one learns which names are taken, and 403 for the
pages and the API; under ``IMAGESTORE_SERVE=redirect`` it gets no signed URL. A store
whose host decides who may see keeps its answers private (``IMAGESTORE_PRIVATE``): no CDN
or shared cache keeps what one user may see for another. The static files, the health
probes and ``/metrics`` stay open, as they show no image.
"""

from flask import abort, request

from ..state import current

IMAGE_ENDPOINTS = {"imagestore.image", "imagestore.thumbnail", "imagestore.rendition"}
OPEN_ENDPOINTS = {"imagestore.static", "imagestore.healthz", "imagestore.readyz", "imagestore.serve_metrics"}
NOT_SEEN = "You may not see this gallery: sign in with an account that may, and try again."


def require_reader():
    """:raise 404: an image the host's ``can_read`` refuses. :raise 403: a page or API call it refuses."""
    can_read = current().can_read
    if can_read is None or request.endpoint in OPEN_ENDPOINTS or can_read():
        return
    if request.endpoint in IMAGE_ENDPOINTS:
        abort(404, f"There is no image named {request.view_args.get('key')!r}.")
    abort(403, NOT_SEEN)
