"""Versioned addresses: every URL the pages and the API hand out for an image, a thumbnail
or a rendition carries the SHA-256 of what it serves, shortened (``?v=3f9a2b1c5d7e``).

Keys are taken again after a delete, so what ``/thumb/KEY`` serves may change; what a
versioned URL serves never does, so an answer whose bytes match its version may be kept
by browsers and CDNs for a year, and a revisited page asks for none of its images.
The version is checked against the bytes being sent, never against what a record says,
so that no process, however stale what it keeps, labels other bytes with it. Any other
answer (no version, or one that no longer matches) is revalidated with its ETag.
"""

VERSION_LENGTH = 12
IMMUTABLE_SECONDS = 365 * 24 * 3600


def version_args(sha256):
    """The query arguments that version an address of bytes with this SHA-256; none when
    it is not known (a preview of an image another tool put in, made on first view)."""
    return {"v": sha256[:VERSION_LENGTH]} if sha256 else {}


def cache_control(requested_version, sha256, private=False):
    """The ``Cache-Control`` of an answer whose bytes have this SHA-256 (their ETag)."""
    matches = requested_version and len(requested_version) == VERSION_LENGTH
    if matches and sha256.startswith(requested_version):
        return f"{'private' if private else 'public'}, max-age={IMMUTABLE_SECONDS}, immutable"
    return "no-cache"
