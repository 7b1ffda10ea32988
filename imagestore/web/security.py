"""Headers that keep uploaded bytes inert, and refusal of cross-site writes."""

from urllib.parse import urlsplit

from flask import abort, request

from ..state import current

PAGE_POLICY = (
    "default-src 'self'; img-src 'self'{images}; connect-src 'self'{uploads}; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def refuse_cross_site_writes():
    """Refuse a state-changing request that a browser sent from another site.

    As Go's ``net/http`` CrossOriginProtection does: trust ``Sec-Fetch-Site``
    where the browser sends it, else compare ``Origin`` with the host. A
    request with neither (curl, scripts) is not from a browser and passes.

    :raise 403: the request came from another site.
    """
    if request.method in SAFE_METHODS:
        return
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site is not None:
        cross_site = site not in ("same-origin", "none")
    else:
        cross_site = origin is not None and urlsplit(origin).netloc != request.host
    if cross_site:
        abort(
            403,
            "This request came from another site, so it was refused. "
            "Use this store's own page, or a script such as curl.",
        )


def page_policy(image_origin=None, upload_origin=None):
    """The pages' policy, worked out at start: images may also come from storage where it
    serves them (``redirects``), and the page may send uploads to it (``direct_uploads``)."""
    images = f" {image_origin}" if image_origin else ""
    uploads = f" {upload_origin}" if upload_origin else ""
    return PAGE_POLICY.format(images=images, uploads=uploads)


def add_security_headers(response):
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("Content-Security-Policy", current().page_policy)
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
