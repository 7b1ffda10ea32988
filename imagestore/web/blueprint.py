"""The one blueprint that holds every route of the image store: the pages, the API,
the images, its static files and its health. ``extension.py`` says what runs around
each of its requests; an app mounts it at a prefix (``ImageStore``), the standalone
app at ``/``."""

from flask import Blueprint
from werkzeug.routing import PathConverter


class KeyConverter(PathConverter):
    """An image's key in a route: ``path``'s, with any character in it (a newline too), so
    that a key that names no image always reaches the store's own 404, never a host's."""

    regex = r"[^/](?s:.*?)"


bp = Blueprint(
    "imagestore",
    __name__,
    template_folder="../templates",  # the package's, shared with the standalone app
    static_folder="../static",
    static_url_path="/static",
)


@bp.record_once
def add_key_converter(state):
    state.app.url_map.converters.setdefault("key", KeyConverter)
