"""The command line that serves the app: ``imagestore serve``, and app.py,
app-single-access.py and app-shared-access.py, each with its access mode; and
``imagestore init``, which copies the example `.ini` files out of the package."""

import argparse
import ipaddress
import shutil
import sys
from pathlib import Path

from .. import EXAMPLES, StartupError, create_app
from ..observability import request_log
from ..settings import configured_write_token
from ..state import current

IN_MEMORY_WARNING = (
    "warning: the in-memory backend keeps images in this process's memory only; they are lost when it stops"
)

NO_TOKEN = (
    "listening on {host} lets other machines upload and delete: set IMAGESTORE_WRITE_TOKEN "
    "to a secret first, e.g. export IMAGESTORE_WRITE_TOKEN=$(python3 -c "
    "'import secrets; print(secrets.token_urlsafe(32))')"
)


ACCESS_MODES = ("single", "shared")


def main(access, argv=None):
    """Start the app in the given access mode; return the exit code."""
    parser = argparse.ArgumentParser(
        description=f"Serve the image store, opening the database with {access} access."
    )
    add_serve_arguments(parser)
    return serve(parser.parse_args(argv), access)


def serve(args, access=None):
    """Serve ``args.config`` until stopped; return the exit code.

    A start-up problem is one line on stderr and exit code 2, not a traceback.
    """
    access = access or args.access
    request_log.quiet_werkzeug()
    try:
        if not is_loopback(args.host) and configured_write_token() is None:
            raise StartupError(NO_TOKEN.format(host=args.host))
        app = create_app(args.config, access=access)
    except StartupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if current(app).provider == "in-memory":
        print(IN_MEMORY_WARNING, file=sys.stderr)
    print(f"Serving {args.config} with {access} access on http://{args.host}:{args.port}/", flush=True)
    app.run(
        host=args.host,
        port=args.port,
        debug=False,
        use_debugger=False,
        use_reloader=False,
        threaded=True,
        load_dotenv=False,
    )
    return 0


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def add_serve_arguments(parser, access=False):
    """The arguments of serving; ``access`` adds ``--access``, which the scripts fix."""
    parser.add_argument(
        "config",
        nargs="?",
        default=str(EXAMPLES / "in-memory.ini"),
        help="CShelve .ini naming the storage backend (default: the in-memory example)",
    )
    if access:
        parser.add_argument(
            "--access", choices=ACCESS_MODES, default="single",
            help="open the database around every request, or once for all (default: single)",
        )  # fmt: skip
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on (default: 5000)")


def copy_examples(args):
    """Copy the example `.ini` files into ``args.folder``, leaving any already there as they are."""
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    for example in sorted(EXAMPLES.glob("*.ini")):
        target = folder / example.name
        if target.exists():
            print(f"{target}: already there, left as it is", file=sys.stderr)
            continue
        shutil.copyfile(example, target)
        print(f"wrote {target}")
    print(f"Start with: imagestore serve {folder / 'filesystem.ini'}", file=sys.stderr)
    return 0
