"""Storage keys: safe names derived from uploaded filenames.

A key is the name an image has in the bucket, the container or the folder, so
it must be safe for all of them: no path separators, no `..`, no control
characters, at most 255 bytes of UTF-8 (the longest file name Linux allows).
A filename that is already safe is used unchanged, so a bucket reads like the
user's own folder.

Everything else the app keeps lives under ``RESERVED_PREFIX``. A key never
starts with a dot, so no upload can take that prefix.
"""

import itertools
import re
import unicodedata

MAX_KEY_BYTES = 255
RESERVED_PREFIX = ".imagestore/"
FALLBACK_STEM = "image"

_SEPARATORS = re.compile(r"[/\\]")
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def key_from_filename(filename, extension=""):
    """Return a safe key for an uploaded file's name.

    ``extension`` (such as ``".png"``) names the fallback key when nothing
    usable is left of ``filename``.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = _SEPARATORS.split(name)[-1]
    name = "".join(ch for ch in name if not _is_control(ch))
    name = name.strip(" .")
    if not name:
        name = FALLBACK_STEM + extension
    return _fit(*split_extension(name))


def unique_key(key, is_taken):
    """Return ``key``, or the first of ``key-2``, ``key-3``... not taken yet."""
    if not is_taken(key):
        return key
    stem, extension = split_extension(key)
    for number in itertools.count(2):
        candidate = _fit(stem, f"-{number}{extension}")
        if not is_taken(candidate):
            return candidate


def tagged_key(key, tag):
    """Return ``key`` with ``-TAG`` before its extension: ``photo.jpg`` becomes ``photo-TAG.jpg``."""
    stem, extension = split_extension(key)
    return _fit(stem, f"-{tag}{extension}")


def is_image_key(key):
    """Tell whether ``key`` names an image, not something the app keeps for one."""
    return not key.startswith(RESERVED_PREFIX) and key != RESERVED_PREFIX.rstrip("/")


def is_servable_key(key):
    """Tell whether a key taken from a URL may be looked up in the store.

    Images put into the store by other tools may have ``/`` in their names,
    but never an empty, ``.`` or ``..`` segment, which the filesystem backend
    would resolve outside its folder.
    """
    segments = key.split("/")
    return (
        is_image_key(key)
        and "\\" not in key
        and not any(_is_control(ch) for ch in key)
        and all(segment not in ("", ".", "..") for segment in segments)
    )


def split_extension(name):
    """Split ``"cat.photo.jpg"`` into ``("cat.photo", ".jpg")``."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension.encode()) > 16:
        return name, ""
    return stem, dot + extension


def _fit(stem, suffix):
    """Join ``stem`` and ``suffix``, shortening the stem to fit MAX_KEY_BYTES."""
    room = MAX_KEY_BYTES - len(suffix.encode())
    encoded = stem.encode()
    if len(encoded) > room:
        stem = encoded[:room].decode(errors="ignore").rstrip(" .")
    return (stem or FALLBACK_STEM) + suffix


def _is_control(ch):
    return unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS
