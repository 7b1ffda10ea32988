"""The one blueprint that holds every route of the image store: the pages, the API,
the images, its static files and its health. ``extension.py`` says what runs around
each of its requests; an app mounts it at a prefix (``ImageStore``), the standalone
app at ``/``."""

from flask import Blueprint

bp = Blueprint(
    "imagestore",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
