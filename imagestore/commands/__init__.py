"""The operator's command line: ``imagestore`` (also ``python -m imagestore``).

- ``imagestore serve CONFIG.ini [--access single|shared]`` and ``imagestore init
  [FOLDER]`` start the app and copy out the example `.ini` files (``serve``).
- ``imagestore import CONFIG.ini PATH...`` stores every image file under the paths
  (folders recursively) exactly as uploads do: judged by its bytes, a key of its
  own, previews, its location removed. Each refused file is named, with why.
- ``imagestore export CONFIG.ini DIR`` writes every original to ``DIR`` under its
  key, byte for byte: a backup any tool can read. A file already there with the
  same bytes is left as it is, so a second run writes nothing.
- ``imagestore copy SRC.ini DST.ini`` copies every image, with what the app keeps
  for it, to another store (``store_copy``); a second run copies nothing.
- ``imagestore scan CONFIG.ini`` lists the store's originals at once, makes the images
  other tools put in ready (record, thumbnail), and tells every
  app serving it, through the journal, what other tools added or removed; apps
  find it out by themselves within a turn of their discovery (``index/discovery.py``).
- ``imagestore verify CONFIG.ini [--repair]`` checks every image against what the
  app keeps for it, and finds orphans (``store_check``); ``--repair`` makes again
  what can be made again, removes orphans, and checks again. It exits 0 only when
  the store is whole.

All work in parallel, show a progress bar on a terminal (plain lines otherwise)
and end with a summary; the exit code is 1 when anything was refused, in
conflict or could not be written, and 2 when a store cannot be opened. The
in-memory backend lives in one process's memory, so another process, such as
this command, cannot reach it.
"""

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

from tqdm import tqdm

from .. import StartupError, create_app, gallery
from ..database import get_db
from ..index import order
from ..keys import is_servable_key
from ..parallel import map_in_threads
from ..python_api import images as stored_images
from ..state import current
from . import serve as cli
from .store_check import StoreCheck
from .store_copy import StoreCopy

THREADS = 8
NEW_FILE_MODE = 0o666
IMPORT_BATCH = 16
IN_MEMORY = "the in-memory backend lives in one process's memory: no other process can reach it"


class Unreachable(Exception):
    """A store this command cannot open."""


def main(argv=None):
    args = _parse(argv)
    if not args.opens_store:
        return args.command(args)
    try:
        app = _open_store(args.config)
        with app.app_context():
            return args.command(args)
    except Unreachable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _open_store(config):
    try:
        app = create_app(config, access="shared", overrides={"DISCOVERY_SECONDS": 0})
    except StartupError as error:
        raise Unreachable(error) from None
    if current(app).provider == "in-memory":
        raise Unreachable(f"{config}: {IN_MEMORY}")
    return app


def copy_store(args):
    destination = _open_store(args.destination)
    source = get_db()
    with destination.app_context():
        copier = StoreCopy(source, get_db())
    entries = copier.images()
    with _progress(len(entries), "copying") as progress:

        def copy(entry):
            try:
                verdict = copier.copy(entry).verdict
            except Exception as error:
                verdict = f"failed: {error}"
            progress.update(1)
            if verdict == "conflict":
                _say(f"conflict {entry[1]}: {args.destination} holds other bytes under this key; left alone")
            elif verdict.startswith("failed"):
                _say(f"{entry[1]}: {verdict}")
            return verdict

        verdicts = map_in_threads(copy, entries, THREADS)
    copied, there, conflicts = (verdicts.count(kind) for kind in ("copied", "already there", "conflict"))
    failed = len(verdicts) - copied - there - conflicts
    summary = f"{copied} copied, {there} already there, {conflicts} in conflict, {failed} failed"
    print(summary, file=sys.stderr)
    return 1 if conflicts or failed else 0


def import_paths(args):
    missing = [path for path in args.paths if not Path(path).exists()]
    for path in missing:
        _say(f"refused {path}: no such file or folder")
    files = sorted(_image_files(args.paths))
    stored, refused = 0, len(missing)
    with _progress(len(files), "importing") as progress:
        for start in range(0, len(files), IMPORT_BATCH):
            read, unreadable = _readable(files[start : start + IMPORT_BATCH])
            outcome = stored_images.save_all([(path.name, data) for path, data in read])
            batch = [path for path, _ in read]
            saved, refusals = iter(outcome.stored), iter(outcome.rejected)
            for path, verdict in zip(batch, outcome.verdicts, strict=True):
                if verdict == "stored":
                    _say(f"stored {path} as {next(saved).key}")
                else:
                    _say(f"refused {path}: {next(refusals)['error']}")
            stored, refused = stored + len(outcome.stored), refused + len(outcome.rejected) + len(unreadable)
            progress.update(len(batch) + len(unreadable))
    print(f"{stored} stored, {refused} refused", file=sys.stderr)
    return 1 if refused else 0


def verify_store(args):
    db = get_db()
    findings = _findings(db, "verifying")
    if args.repair and findings:
        for finding in findings:
            _repair(finding)
        findings = _findings(db, "verifying again", quiet=True)
        for finding in findings:
            _say(f"still {finding.name}: {finding.problem}")
    print(f"{len(findings)} problems" + (" left" if args.repair else ""), file=sys.stderr)
    return 1 if findings else 0


def _findings(db, action, quiet=False):
    check = StoreCheck(db)
    images = sorted(check.images)
    with _progress(len(images), action) as progress:

        def check_image(key):
            found = check.check_image(key)
            progress.update(1)
            return found

        findings = [finding for found in map_in_threads(check_image, images, THREADS) for finding in found]
    findings += check.orphans()
    if not quiet:
        for finding in findings:
            _say(f"{finding.name}: {finding.problem}")
        _say(f"{len(images)} images checked")
        if check.waiting:
            _say(f"{len(check.waiting)} images other tools put in wait to be made ready (no problem)")
    return findings


def _repair(finding):
    if finding.repair is None:
        _say(f"cannot repair {finding.name}: {finding.problem}")
        return
    try:
        finding.repair()
        _say(f"repaired {finding.name}")
    except Exception as error:
        _say(f"could not repair {finding.name}: {error}")


def export_originals(args):
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    db = get_db()
    keys = [key for key in order.newest_first(list(iter(db))) if is_servable_key(key)]
    with _progress(len(keys), "exporting") as progress:

        def export(key):
            try:
                verdict = _export_one(db, key, folder)
            except Exception as error:
                verdict = f"failed: {error}"
            progress.update(1)
            if verdict.startswith("failed"):
                _say(f"{key}: {verdict}")
            return verdict

        verdicts = map_in_threads(export, keys, THREADS)
    written, kept = verdicts.count("written"), verdicts.count("kept")
    failed = len(verdicts) - written - kept
    print(f"{written} written, {kept} already there, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def _export_one(db, key, folder):
    """Write one original through a temporary file, readable as any new file is; never
    through a link that points elsewhere."""
    target = folder / key
    if any(path.is_symlink() for path in (target, *target.parents) if folder in (path, *path.parents)):
        return "failed: a symbolic link is in the way"
    data = db[key]
    if target.is_file() and hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest():
        return "kept"
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".export-")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        os.chmod(temporary, NEW_FILE_MODE & ~_umask())
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return "written"


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _readable(paths):
    """``(path, bytes)`` of the files that can be read; the others are named as refused."""
    readable, unreadable = [], []
    for path in paths:
        try:
            readable.append((path, path.read_bytes()))
        except OSError as error:
            _say(f"refused {path}: cannot be read ({error.strerror})")
            unreadable.append(path)
    return readable, unreadable


def _image_files(paths):
    for path in map(Path, paths):
        if path.is_dir():
            yield from (found for found in path.rglob("*") if found.is_file() and not _hidden(found, path))
        elif path.is_file():
            yield path


def _say(line):
    """A line on stderr, above the progress bar if there is one."""
    tqdm.write(line, file=sys.stderr)


def _hidden(found, folder):
    """Files such as ``.DS_Store``, and whatever lies in a hidden folder, are not photos."""
    return any(part.startswith(".") for part in found.relative_to(folder).parts)


def _progress(total, action):
    """A bar on a terminal; plain lines (what was done to each file, and the summary) otherwise."""
    return tqdm(total=total, desc=action, unit="file", disable=not sys.stderr.isatty(), file=sys.stderr)


def scan_store(args):
    """List the store's originals now, and tell serving apps what other tools changed."""
    before = gallery.page(1, counted=True).total
    with _progress(before, "listing") as progress:

        def listed(keys):
            for key in keys:
                progress.update()
                yield key

        added, removed = gallery.discover(listed)
    waiting = gallery.waiting_to_be_ready()
    with _progress(len(waiting), "making ready") as progress:
        gallery.make_ready(waiting, made=lambda key: progress.update())
    print(f"{len(waiting)} images other tools put in made ready", file=sys.stderr)
    total = before + len(added) - len(removed)
    print(f"{len(added)} added by other tools, {len(removed)} removed; {total} images", file=sys.stderr)
    return 0


def _parse(argv):
    parser = argparse.ArgumentParser(prog="imagestore", description="Operate an image store.")
    parser.set_defaults(opens_store=True)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    serving = commands.add_parser("serve", help="serve the gallery and the API")
    cli.add_serve_arguments(serving, access=True)
    serving.set_defaults(command=cli.serve, opens_store=False)
    starting = commands.add_parser("init", help="copy the example .ini files into FOLDER")
    starting.add_argument("folder", nargs="?", default=".", metavar="FOLDER", help="(default: here)")
    starting.set_defaults(command=cli.copy_examples, opens_store=False)
    importing = commands.add_parser("import", help="store the image files under PATHs, as uploads")
    importing.add_argument("config", help="CShelve .ini of the store")
    importing.add_argument("paths", nargs="+", metavar="PATH", help="image files, or folders to walk")
    importing.set_defaults(command=import_paths)
    exporting = commands.add_parser("export", help="write every original to DIR under its key")
    exporting.add_argument("config", help="CShelve .ini of the store")
    exporting.add_argument("folder", metavar="DIR", help="folder to write the originals to")
    exporting.set_defaults(command=export_originals)
    copying = commands.add_parser("copy", help="copy every image, with what is kept for it, to another store")
    copying.add_argument("config", metavar="SRC", help="CShelve .ini of the store to copy")
    copying.add_argument("destination", metavar="DST", help="CShelve .ini of the store to copy to")
    copying.set_defaults(command=copy_store)
    verifying = commands.add_parser("verify", help="check every image against what is kept for it")
    verifying.add_argument("config", help="CShelve .ini of the store")
    verifying.add_argument("--repair", action="store_true", help="make again what can be, remove orphans")
    verifying.set_defaults(command=verify_store)
    scanning = commands.add_parser("scan", help="pick up at once what other tools added or removed")
    scanning.add_argument("config", help="CShelve .ini of the store")
    scanning.set_defaults(command=scan_store)
    return parser.parse_args(argv)
