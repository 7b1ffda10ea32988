"""The app's settings: the CShelve `.ini` it is started with and a few limits
taken from the environment."""

import configparser
import math
import os
import secrets
import time
from pathlib import Path

SUPPORTED_PROVIDERS = ("in-memory", "filesystem", "aws-s3", "azure-blob")
ENCRYPTION_KEY_BYTES = 32
DEFAULT_MAX_UPLOAD_MB = 64
DEFAULT_MAX_PIXELS = 50_000_000
DEFAULT_STORAGE_TIMEOUT = 10
DEFAULT_OPERATION_SECONDS = 20
DEFAULT_CACHE_MB = 128
DEFAULT_CACHE_SECONDS = 30
DEFAULT_LISTING_SECONDS = 24 * 3600
DEFAULT_DISCOVERY_SECONDS = 30
DEFAULT_DISCOVERY_LISTS_PER_HOUR = 1200
DEFAULT_READY_PER_SECOND = 4
DEFAULT_DECODE_MEGAPIXELS = 64
DEFAULT_DECODE_WAIT_SECONDS = 30
DEFAULT_DIRECT_UPLOADS_PER_MINUTE = 120
DEFAULT_STAGED_MB = 4096
MAX_FILES_PER_REQUEST = 100
DEFAULT_WIDTHS = (320, 640, 1024, 1600, 2048)
MOST_WIDTH = 8192
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
SERVE_MODES = ("app", "redirect")


class StartupError(Exception):
    """The app cannot start; the message names the problem in one line."""


def read_provider(config_path):
    """Return the provider an `.ini` names, after checking what CShelve does not.

    CShelve reports a missing file as a bare ``KeyError: 'default'`` and
    would unpickle what storage holds; this app refuses both.

    :raise StartupError: the file is missing, malformed or unsuitable.
    """
    path = Path(config_path)
    if not path.is_file():
        raise StartupError(f"config file {path} does not exist")
    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as error:
        first_line = str(error).splitlines()[0]
        raise StartupError(f"config file {path} is malformed: {first_line}") from None
    if not parser.has_option("default", "provider"):
        raise StartupError(f"config file {path} has no [default] section with a provider")
    provider = parser.get("default", "provider")
    if provider not in SUPPORTED_PROVIDERS:
        raise StartupError(
            f"config file {path} names provider {provider!r}; use one of {', '.join(SUPPORTED_PROVIDERS)}"
        )
    for option in ("use_pickle", "use_versionning"):
        if parser.get("default", option, fallback="true").lower() != "false":
            raise StartupError(
                f"config file {path} must set {option} = false: the store keeps raw image bytes"
            )
    if parser.has_section("encryption"):
        _check_encryption_key(path, parser["encryption"])
    return provider


def _check_encryption_key(path, section):
    """CShelve reads the key only when opening, and names the wrong variable when it is missing."""
    if "key" in section:
        raise StartupError(
            f"config file {path} holds an encryption key: put it in an environment variable "
            "and name that with environment_key"
        )
    name = section.get("environment_key")
    if not name:
        raise StartupError(f"config file {path} has an [encryption] section without environment_key")
    key = os.environ.get(name)
    if key is None:
        raise StartupError(
            f"the environment variable {name} is not set, and {path} needs it as its encryption key"
        )
    if len(key.encode()) != ENCRYPTION_KEY_BYTES:
        raise StartupError(
            f"the encryption key in {name} is {len(key.encode())} bytes long; AES-256 needs exactly "
            f"{ENCRYPTION_KEY_BYTES}"
        )


def from_environment():
    """Return the store's settings that come from environment variables, and ``CLOCK``, the
    wall clock this process reads (``clock.py``), which tests set off. They are the
    store's own, never the app's config: a host app's ``MAX_CONTENT_LENGTH`` stays its own.

    :raise StartupError: a variable is set but is not a positive number.
    """
    max_upload_mb = _positive_number("IMAGESTORE_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)
    return {
        "MAX_CONTENT_LENGTH": int(max_upload_mb * 1024 * 1024),
        "MAX_FORM_PARTS": MAX_FILES_PER_REQUEST,
        "MAX_PIXELS": int(_positive_number("IMAGESTORE_MAX_PIXELS", DEFAULT_MAX_PIXELS)),
        "STORAGE_TIMEOUT": _positive_number("IMAGESTORE_STORAGE_TIMEOUT", DEFAULT_STORAGE_TIMEOUT),
        "OPERATION_SECONDS": _positive_number("IMAGESTORE_OPERATION_SECONDS", DEFAULT_OPERATION_SECONDS),
        "CACHE_BYTES": int(_positive_number("IMAGESTORE_CACHE_MB", DEFAULT_CACHE_MB, zero=True) * 2**20),
        "CACHE_SECONDS": _positive_number("IMAGESTORE_CACHE_SECONDS", DEFAULT_CACHE_SECONDS, zero=True),
        "LISTING_SECONDS": _positive_number("IMAGESTORE_LISTING_SECONDS", DEFAULT_LISTING_SECONDS, zero=True),
        "DISCOVERY_SECONDS": _positive_number(
            "IMAGESTORE_DISCOVERY_SECONDS", DEFAULT_DISCOVERY_SECONDS, zero=True
        ),
        "DISCOVERY_LISTS_PER_HOUR": _positive_number(
            "IMAGESTORE_DISCOVERY_LISTS_PER_HOUR", DEFAULT_DISCOVERY_LISTS_PER_HOUR
        ),
        "READY_PER_SECOND": _positive_number(
            "IMAGESTORE_READY_PER_SECOND", DEFAULT_READY_PER_SECOND, zero=True
        ),
        "DECODE_PIXELS": int(
            _positive_number("IMAGESTORE_DECODE_MEGAPIXELS", DEFAULT_DECODE_MEGAPIXELS) * 10**6
        ),
        "DECODE_WAIT": _positive_number("IMAGESTORE_DECODE_WAIT_SECONDS", DEFAULT_DECODE_WAIT_SECONDS),
        "KEEP_LOCATION": _flag("IMAGESTORE_KEEP_LOCATION"),
        "PRIVATE": _flag("IMAGESTORE_PRIVATE"),
        "DIRECT_UPLOADS": _flag("IMAGESTORE_DIRECT_UPLOADS"),
        "DIRECT_UPLOADS_PER_MINUTE": math.ceil(
            _positive_number("IMAGESTORE_DIRECT_UPLOADS_PER_MINUTE", DEFAULT_DIRECT_UPLOADS_PER_MINUTE)
        ),
        "STAGED_BYTES": int(_positive_number("IMAGESTORE_STAGED_MB", DEFAULT_STAGED_MB) * 2**20),
        "SERVE": _choice("IMAGESTORE_SERVE", SERVE_MODES),
        "WIDTHS": _widths("IMAGESTORE_WIDTHS"),
        "VARIANTS": {},
        "PUBLIC_ENDPOINT": os.environ.get("IMAGESTORE_PUBLIC_ENDPOINT") or None,
        "LOG_LEVEL": log_level(),
        "WRITE_TOKEN": configured_write_token(),
        "CLOCK": time.time_ns,
    }


def secret_key():
    """The standalone app's key for signing its session cookie; a random one, valid until the
    process stops, unless ``IMAGESTORE_SECRET_KEY`` gives one that all processes share."""
    return os.environ.get("IMAGESTORE_SECRET_KEY") or secrets.token_hex(32)


def configured_write_token():
    """The token uploads and deletes need, or None when they need none."""
    return os.environ.get("IMAGESTORE_WRITE_TOKEN") or None


def log_level():
    raw = os.environ.get("IMAGESTORE_LOG_LEVEL", "INFO").strip().upper()
    if raw not in LOG_LEVELS:
        raise StartupError(
            f"environment variable IMAGESTORE_LOG_LEVEL={raw!r} is not one of {', '.join(LOG_LEVELS)}"
        )
    return raw


def _choice(name, choices):
    """One of ``choices``, the first by default."""
    raw = os.environ.get(name, choices[0]).strip().lower()
    if raw not in choices:
        raise StartupError(f"environment variable {name}={raw!r} is not one of {', '.join(choices)}")
    return raw


def is_encrypted(config_path):
    """Whether the `.ini` encrypts what it stores (checked by ``read_provider``)."""
    parser = configparser.ConfigParser()
    parser.read(config_path, encoding="utf-8")
    return parser.has_section("encryption")


def _widths(name):
    """The ladder of widths each image is served at (``photos/sizes.py``): whole numbers of
    pixels, separated by commas, such as ``320,640,1024``."""
    raw = os.environ.get(name)
    if raw is None:
        return DEFAULT_WIDTHS
    parts = [part.strip() for part in raw.split(",")]
    if not all(part.isdigit() and 0 < int(part) <= MOST_WIDTH for part in parts):
        raise StartupError(
            f"environment variable {name}={raw!r} is not a list of widths in pixels, such as "
            f"320,640,1024 (each at most {MOST_WIDTH})"
        )
    return tuple(sorted({int(part) for part in parts}))


def _flag(name):
    """A yes/no setting: on when set to 1, true, yes or on."""
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise StartupError(f"environment variable {name}={raw!r} is not 1 or 0 (true or false)")


def _positive_number(name, default, zero=False):
    """The number in variable ``name``; 0 is allowed when ``zero`` says so (it turns something off)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        wanted = "0 or a positive number" if zero else "a positive number"
        raise StartupError(f"environment variable {name}={raw!r} is not {wanted}")
    return value
