"""The write token: when set, uploads and deletes need it; reading stays open.

API clients send ``Authorization: Bearer TOKEN``. A browser user enters the
token once on the page; the signed session cookie then carries a digest of
it, never the token itself.
"""

import hashlib
import hmac

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for

from .security import SAFE_METHODS

bp = Blueprint("write_token", __name__)
SESSION_KEY = "write_token_digest"
EXTENSION_KEY = "imagestore.write_token_digest"


def init_app(app):
    token = app.config.get("WRITE_TOKEN")
    app.extensions[EXTENSION_KEY] = _digest(token) if token is not None else None
    app.before_request(require_write_token)
    app.context_processor(lambda: {"may_write": may_write()})
    app.register_blueprint(bp)


def expected_digest():
    """The digest of the write token, worked out at start; None when the store has no token."""
    return current_app.extensions[EXTENSION_KEY]


def may_write():
    """Tell whether this request carries the write token, or none is needed."""
    expected = expected_digest()
    if expected is None:
        return True
    bearer = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    offered = _digest(bearer) if bearer else session.get(SESSION_KEY, "")
    return hmac.compare_digest(offered, expected)


def require_write_token():
    """:raise 401: a write without the token, when the store has one."""
    if request.method in SAFE_METHODS or request.endpoint == "write_token.enter" or may_write():
        return
    abort(
        401,
        "This store needs its write token to upload or delete: "
        "send it as 'Authorization: Bearer TOKEN', or enter it on the page.",
    )


@bp.post("/token")
def enter():
    """Remember the token entered on the page for this browser session."""
    expected = expected_digest()
    if expected is None:
        abort(404, "This store has no write token: uploads and deletes need none.")
    offered = _digest(request.form.get("token", ""))
    if hmac.compare_digest(offered, expected):
        session[SESSION_KEY] = offered
        flash("Write token accepted: you can upload and delete.", "stored")
    else:
        flash("That write token is not right.", "rejected")
    return redirect(url_for("pages.index"), 303)


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()
