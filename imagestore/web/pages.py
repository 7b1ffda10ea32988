"""The browser pages: upload form and gallery, serving images, deleting."""

from flask import flash, redirect, render_template, url_for

from ..python_api import images as stored_images
from ..state import current
from . import serving, uploads
from .blueprint import bp
from .responses import deleted, flag_arg, positive_int_arg, public

# The tiles a desktop's first screen shows, never lazy and fetched at high priority: 7
# columns (main is 1200 px wide) by 4 rows at 1080 px high, more than a page's 24. The
# tiles are all one size, so the page's LCP is whichever of them paints first, or is larger
# by a rounded pixel: any tile on the first screen. With 6, Lighthouse at desktop size
# found a lazy 11th tile as the LCP (tests/test_lighthouse.py). Phones pay for it: they
# fetch the page's tiles at once, where they showed 4 and fetched the rest on scrolling.
EAGER_TILES = 7 * 4


@bp.get("/")
def index():
    page = stored_images.page(positive_int_arg("page", 1), wait_for_count=False)
    images = [public(image) for image in page]
    direct_uploads = url_for("imagestore.start_upload") if current().direct_uploads else None
    return render_template(
        "imagestore/pages/index.html",
        page=page,
        images=images,
        direct_uploads=direct_uploads,
        eager_tiles=EAGER_TILES,
    )


@bp.post("/")
def upload():
    outcome = uploads.receive()
    for image in outcome.stored:
        flash(f"Stored {image.filename} as {image.key}", "stored")
    for refusal in outcome.rejected:
        flash(f"Rejected {refusal['filename'] or 'upload'}: {refusal['error']}", "rejected")
    return redirect(url_for("imagestore.index"), 303)


@bp.get("/image/<key:key>")
def image(key):
    """The original bytes; with ``?download=1``, as a file named as uploaded."""
    return serving.send_image(key, as_attachment=flag_arg("download"))


@bp.get("/thumb/<key:key>")
def thumbnail(key):
    return serving.send_thumbnail(key)


@bp.get("/screen/<key:key>")
def rendition(key):
    """The image at screen size, in a format every browser shows, for the viewer."""
    return serving.send_rendition(key)


@bp.post("/image/<key:key>/delete")
def delete(key):
    deleted(key)
    flash(f"Deleted {key}", "stored")
    return redirect(url_for("imagestore.index"), 303)
