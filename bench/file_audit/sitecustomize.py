"""Count a process's file operations on a folder store, as the proxy counts requests on S3.

Put this folder on ``PYTHONPATH`` and set ``BENCH_FILE_LOG`` (a file to append to) and
``BENCH_FILE_ROOT`` (the store's folder): Python's audit hooks (``sys.addaudithook``) then
log, for each operation on a path under the root, a line ``MONOTONIC KIND STATUS BYTES KEY``:
a LIST for each folder listed (``os.scandir``, ``os.listdir``), a GET for each file opened
for reading (its size, or 404 when it does not exist), a PUT for each file linked or renamed
into place (the folder backend writes a scratch file first: that write is not counted), a
DELETE for each file removed. Existence checks (``stat``) raise no audit event: no HEADs.
``time.monotonic`` is the machine's, so the bench can compare it with its own.
"""

import os
import sys
import time

LOG, ROOT = os.environ.get("BENCH_FILE_LOG"), os.environ.get("BENCH_FILE_ROOT")
SCRATCH = os.sep + ".imagestore" + os.sep + "incoming"


def _install(log, root):
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    prefix = os.path.abspath(root) + os.sep

    def key_of(path):
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str | os.PathLike):
            return None
        path = os.path.abspath(path)
        if path + os.sep == prefix:
            return ""
        if not path.startswith(prefix) or SCRATCH in path[len(prefix) - 1 :]:
            return None
        return path[len(prefix) :]

    def write(kind, key, status=200, size=0):
        os.write(out, f"{time.monotonic():.6f} {kind} {status} {size} {key}\n".encode())

    def opened(path, mode, flags):
        reading = mode is not None and "r" in mode and "+" not in mode
        reading = reading or (mode is None and flags is not None and flags & os.O_ACCMODE == os.O_RDONLY)
        key = key_of(path) if reading else None
        if key:
            try:
                write("GET", key, 200, os.stat(path).st_size)
            except OSError:
                write("GET", key, 404)

    def hook(event, args):
        if event == "open":
            opened(*args[:3])
        elif event in ("os.scandir", "os.listdir"):
            if (key := key_of(args[0] if args[0] is not None else ".")) is not None:
                write("LIST", key)
        elif event in ("os.link", "os.rename"):
            if key := key_of(args[1]):
                write("PUT", key)
        elif event == "os.remove":
            if key := key_of(args[0]):
                write("DELETE", key)

    sys.addaudithook(hook)


if LOG and ROOT:
    _install(LOG, ROOT)
