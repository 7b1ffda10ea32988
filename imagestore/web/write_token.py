"""Who may upload and delete. A host app that mounts the store decides
(``ImageStore(can_write=...)``); otherwise the write token does: when set,
uploads and deletes need it, and reading stays open.

API clients send ``Authorization: Bearer TOKEN``. A browser user enters the
token once on the page; the signed session cookie then carries a digest of
it, never the token itself.
"""

import hashlib
import hmac

from flask import abort, flash, redirect, request, session, url_for

from ..state import current
from .blueprint import bp
from .security import SAFE_METHODS

SESSION_KEY = "write_token_digest"


def digest_of(token):
    """The digest of the write token, worked out at start; None when the store has no token."""
    return _digest(token) if token is not None else None


def may_write():
    """Tell whether this request may upload and delete."""
    store = current()
    if store.can_write is not None:
        return bool(store.can_write())
    if store.write_token_digest is None:
        return True
    bearer = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    offered = _digest(bearer) if bearer else session.get(SESSION_KEY, "")
    return hmac.compare_digest(offered, store.write_token_digest)


def asks_for_token():
    """Whether the page offers to enter the write token: the store has one, and no host decides."""
    store = current()
    return store.can_write is None and store.write_token_digest is not None


def page_variables():
    return {"may_write": may_write(), "asks_for_token": asks_for_token()}


def require_write_token():
    """:raise 401: a write without the token, when the store has one.
    :raise 403: a write the host app's ``can_write`` refuses."""
    if request.method in SAFE_METHODS or request.endpoint == "imagestore.enter" or may_write():
        return
    if not asks_for_token():
        abort(
            403, "You may not upload or delete images here: sign in with an account that may, and try again."
        )
    abort(
        401,
        "This store needs its write token to upload or delete: "
        "send it as 'Authorization: Bearer TOKEN', or enter it on the page.",
    )


@bp.post("/token")
def enter():
    """Remember the token entered on the page for this browser session."""
    if not asks_for_token():
        abort(404, "This store has no write token: uploads and deletes need none.")
    offered = _digest(request.form.get("token", ""))
    if hmac.compare_digest(offered, current().write_token_digest):
        session[SESSION_KEY] = offered
        flash("Write token accepted: you can upload and delete.", "stored")
    else:
        flash("That write token is not right.", "rejected")
    return redirect(url_for("imagestore.index"), 303)


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()
