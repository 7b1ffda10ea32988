"""Uploads straight into the bucket (``IMAGESTORE_DIRECT_UPLOADS=true``, on S3 and Azure):
the browser asks for a place (``start``), sends the bytes there itself, then asks the
app to take them (``claim``), so that a 40 MB photo never passes through a web worker
while a slow client sends it.

The place is a staged object (``staging``) and a URL storage signs for it, valid for
``TICKET_SECONDS``. What the app must remember between the two calls (the staged name,
the file's name, the size announced) travels in a ticket it signs with its secret key,
so that any process may take the claim, and nothing is kept meanwhile. The claim
first marks the ticket used, in storage, where a mark is created only once (``staging``):
a second claim of one ticket, at once or later, stores nothing. It then reads the staged
object in one ranged GET of at most one byte more than announced, and checks what it read:
bytes that change in storage meanwhile are never those stored, and no more than the limit
is ever read. It then does what an upload through the app does, and deletes the staged
object either way.

How many uploads each writer announces, and how many bytes wait unclaimed, are bounded
(``upload_limits``); an announcement stages an empty object named with its size, so that
an upload is counted from its announcement until its claim.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import abort, current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .. import atomic, staging
from ..backends import Changed, KeyTaken
from ..database import backend_of, clock_of, get_db
from ..python_api import images as stored_images
from ..state import current
from . import upload_limits

TICKET_SECONDS = 15 * 60
TICKET_SALT = "imagestore.direct-upload"
CLAIMED_BEFORE = (
    "This upload was claimed already: a ticket stores one file. Start a new upload to send another."
)


def upload_origin(database, settings):
    """Where browsers send uploads when they go straight into storage, else None; and a line
    to say at start."""
    if not settings["DIRECT_UPLOADS"]:
        return None, None
    through_app = "uploads go through the app, not straight into storage: "
    if database.encrypted:
        return None, through_app + "an encrypted store's bytes are encrypted by the app"
    probe = database.backend.signed_upload(
        staging.STAGING_PREFIX + "probe", "image/jpeg", 1, _expiry(), settings["PUBLIC_ENDPOINT"]
    )
    if probe is None:
        return None, through_app + f"the {database.provider} backend cannot sign uploads for browsers"
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(probe["url"]))
    return origin, f"uploads go straight into storage at {origin}, then are claimed by the app"


def require_on():
    """:raise 404: this store takes uploads through the app."""
    if not current().direct_uploads:
        abort(404, "This store takes uploads through the app: POST the files to its /api/images.")


def start(filename, size, content_type):
    """Where to send a file of ``size`` bytes, and where to claim it afterwards.
    :raise 413: the file is over the store's limit.
    :raise 429: past the limits on announcements or on staged bytes (``upload_limits``)."""
    settings = current().settings
    limit = settings["MAX_CONTENT_LENGTH"]
    if size > limit:
        megabytes = f"{limit / (1024 * 1024):g}"
        abort(413, f"The file is too large: this store accepts at most {megabytes} MB per upload.")
    db = get_db()
    current().staging_sweeper(db)
    upload_limits.check(current().announcements, db, size, settings["STAGED_BYTES"])
    staged = staging.staged_name(clock_of(db), size)
    atomic.put(db, staged, b"")
    upload = backend_of(db).signed_upload(staged, content_type, size, _expiry(), settings["PUBLIC_ENDPOINT"])
    ticket = _serializer().dumps({"staged": staged, "filename": filename, "size": size})
    return {"upload": upload, "claim_url": url_for("imagestore.claim_upload", ticket=ticket)}


def claim(ticket):
    """Store what was sent for ``ticket`` as an upload through the app would be
    (``images.save_all``), and delete the staged object either way.
    :raise 400: the ticket is not this store's, or nothing was sent.
    :raise 409: the ticket was claimed before, or what was sent changed while it was read.
    :raise 410: the ticket has expired.
    :raise 413: more was sent than announced."""
    claimed = _opened(ticket)
    db, staged, announced = get_db(), claimed["staged"], claimed["size"]
    try:
        atomic.create(db, staging.claim_mark(staged), b"")
    except KeyTaken:
        abort(409, CLAIMED_BEFORE)
    backend = backend_of(db)
    try:
        data, sent = backend.read_at_most(staged, announced + 1)
    except KeyError:
        data, sent = b"", 0
    except Changed:
        abort(409, "The file changed in storage while it was being checked: start the upload again.")
    finally:
        backend.discard(staged)
    if sent == 0:
        abort(400, "Nothing was sent for this upload: start it again, and send the file before claiming it.")
    if sent > announced:
        abort(413, f"More was sent than announced ({sent} bytes, not {announced}): upload it again.")
    return stored_images.save_all([(claimed["filename"], data)])


def _opened(ticket):
    """What ``ticket`` says. :raise 400: not this store's. :raise 410: expired."""
    try:
        return _serializer().loads(ticket, max_age=TICKET_SECONDS)
    except SignatureExpired:
        abort(410, "This upload's ticket has expired: start the upload again.")
    except BadSignature:
        abort(400, "This upload's ticket is not valid: start the upload again.")


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=TICKET_SALT)


def _expiry():
    return datetime.now(UTC) + timedelta(seconds=TICKET_SECONDS)
