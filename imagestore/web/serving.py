"""Sending stored images and thumbnails: from the cache when it holds them,
with ETags and 304s, and headers that keep the bytes inert in a browser.

A repeat view (``If-None-Match``) of an image the cache does not hold is
answered from the image's metadata record, which keeps the SHA-256 its ETag
is made of: a few hundred bytes read instead of the whole image.
"""

import hashlib

from flask import current_app, request

from ..cache import Served, ServedCache
from ..keys import key_from_filename
from ..photos.images import GENERIC_TYPE, content_type_of
from ..photos.previews import THUMBNAIL_TYPE
from ..python_api import images as stored_images
from ..state import current
from ..versions import cache_control
from .redirects import redirect_to_storage
from .responses import described, filename_options, found

IMAGE_POLICY = "default-src 'none'; sandbox"


def served_cache(settings, counted):
    """This app's cache of served bytes, from its settings, counted in its metrics."""
    cache = ServedCache(settings["CACHE_BYTES"], settings["CACHE_SECONDS"], counted.cache_lookup)
    counted.cache_bytes.set_function(lambda: cache.size)
    return cache


def send_image(key, as_attachment=False):
    """The original bytes; as an attachment under the name it was uploaded with, if asked."""
    redirect = redirect_to_storage("image", key, as_attachment)
    if redirect is not None:
        return redirect
    answers_304 = request.if_none_match and not _cache().holds(("image", key))
    image = described(key) if answers_304 or as_attachment else None
    if answers_304 and image.sha256 and request.if_none_match.contains(image.sha256):
        return _not_modified(image.sha256)
    served = _cached("image", key, lambda: _opened(key, "image"))
    if as_attachment:
        return _send(served, key_from_filename(image.filename), as_attachment=True)
    return _send(served, key)


def send_thumbnail(key):
    redirect = redirect_to_storage("thumbnail", key)
    if redirect is not None:
        return redirect
    return _send(_cached("thumbnail", key, lambda: _opened(key, "thumbnail", THUMBNAIL_TYPE)), key)


def send_rendition(key):
    redirect = redirect_to_storage("rendition", key)
    if redirect is not None:
        return redirect
    return _send(_cached("screen", key, lambda: _opened(key, "screen")), key)


def send_sized(key, spec, read, version):
    """Bytes made on first request at a size (``web/sized.py``): ``read()`` gives them, and
    their address is versioned by ``version`` (``photos/sizes.version``), not by their digest."""
    served = _cached(sized_kind(spec), key, lambda: _served(read()))
    response = _send(served, key)
    response.headers["Cache-Control"] = _cache_control(version)
    return response


def sized_kind(spec):
    return f"sized:{spec}"


def _cache():
    return current().cache


def _cached(kind, key, load):
    """``load()`` of ``kind`` of the image, a ``Served``, through the cache; storage is asked
    only on a miss."""
    return found(key, lambda: _cache().get((kind, key), load, lambda: key in stored_images))


def _opened(key, kind, content_type=None):
    with stored_images.open(key, kind) as stream:
        return _served(stream.read(), content_type)


def _served(data, content_type=None):
    return Served(data, hashlib.sha256(data).hexdigest(), content_type or content_type_of(data))


def _send(served, download_name, as_attachment=False):
    """Answer with the bytes in one piece.

    ``send_file`` on a ``BytesIO`` would copy them for each request (it asks
    for the buffer's size with ``getbuffer()``) and hand them to the server
    8 KB at a time; a 20 MB image sent to 8 clients would take 160 MB more.
    """
    response = current_app.response_class(served.data, mimetype=served.content_type)
    disposition = "attachment" if as_attachment or served.content_type == GENERIC_TYPE else "inline"
    response.headers.set(
        "Content-Disposition", disposition, **filename_options(download_name.rsplit("/", 1)[-1])
    )
    response.set_etag(served.etag)
    response.headers["Content-Security-Policy"] = IMAGE_POLICY
    response.headers["Cache-Control"] = _cache_control(served.etag)
    return response.make_conditional(request, accept_ranges=True, complete_length=len(served.data))


def _cache_control(sha256):
    return cache_control(request.args.get("v"), sha256, current().settings["PRIVATE"])


def _not_modified(etag):
    response = current_app.response_class(status=304)
    response.set_etag(etag)
    response.headers["Content-Security-Policy"] = IMAGE_POLICY
    response.headers["Cache-Control"] = _cache_control(etag)
    return response
