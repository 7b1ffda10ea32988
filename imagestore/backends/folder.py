"""The filesystem backend: every file is written beside the store, then linked or
renamed into place, so a reader never sees half of one. The time the file system
gives each file it writes is the store's clock."""

import os
import tempfile
from pathlib import Path

from ..keys import RESERVED_PREFIX
from .base import Backend, KeyTaken

SCRATCH_FOLDER = RESERVED_PREFIX + "incoming"
FOLDER_ATTEMPTS = 5
MTIME_GRAIN_NS = 10**7  # a kernel stamps files from a clock that ticks every few milliseconds


class Folder(Backend):
    @staticmethod
    def configured(config, ini_folder):
        """A relative ``folder_path`` lies beside the `.ini`, wherever the app is started."""
        return {**config, "folder_path": str(ini_folder / config.get("folder_path", "."))}

    def create(self, key, raw, token=None):
        """A hard link fails when its target exists, even when another process made it."""
        self._write(key, raw, exclusive=True)

    def put(self, key, raw):
        self._write(key, raw, exclusive=False)

    def delete(self, key):
        """Delete the file, and the folders it leaves empty (a journal entry's), up to the store's."""
        root = Path(self.provider.folder_path)
        path = root / key
        path.unlink(missing_ok=True)
        for folder in path.parents:
            if folder == root or root not in folder.parents:
                return
            try:
                folder.rmdir()
            except OSError:
                return

    def sample_clock(self):
        """Write a scratch file and read its time."""
        os.unlink(self._written_scratch(b""))

    def top_level_keys(self):
        """The files in the store's folder itself, not in its subfolders."""
        with os.scandir(self.provider.folder_path) as entries:
            return [entry.name for entry in entries if entry.is_file()]

    def keys_in_order(self, prefix, start_after):
        """Only the folder the prefix names is walked, not the whole store, and in it only
        the folders that can hold a name after ``start_after`` (the journal's, from a moment
        on, leaves out one folder an entry before it)."""
        root = Path(self.provider.folder_path)
        folder = prefix.rpartition("/")[0]
        if not (root / folder).is_dir():
            return iter(())
        names = _files_under(root, folder, prefix, start_after)
        return iter(sorted(name for name in names if name.startswith(prefix) and name > start_after))

    def _write(self, key, raw, exclusive):
        target = Path(self.provider.folder_path) / key
        temporary = self._written_scratch(raw)
        try:
            self._move_into_place(key, temporary, target, exclusive)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def _move_into_place(self, key, temporary, target, exclusive):
        """A delete in another process may remove the folder it left empty between our
        ``mkdir`` and the link, or within ``mkdir`` itself: then the folder is made again."""
        for attempt in range(FOLDER_ATTEMPTS):
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except FileExistsError:
                if attempt == FOLDER_ATTEMPTS - 1:
                    raise
                continue
            try:
                if exclusive:
                    os.link(temporary, target)
                else:
                    os.replace(temporary, target)
                return
            except FileExistsError:
                raise KeyTaken(key) from None
            except FileNotFoundError:
                if attempt == FOLDER_ATTEMPTS - 1:
                    raise

    def _written_scratch(self, raw):
        """A file beside the store holding ``raw``, whose time tells the store's clock."""
        scratch = Path(self.provider.folder_path) / SCRATCH_FOLDER
        scratch.mkdir(parents=True, exist_ok=True)
        sent = self.clock.local_ns()
        descriptor, temporary = tempfile.mkstemp(dir=scratch)
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(raw)
                out.flush()
                os.fsync(out.fileno())
                written_ns = os.fstat(out.fileno()).st_mtime_ns
        except BaseException:
            os.unlink(temporary)
            raise
        self.clock.observe(written_ns, written_ns + MTIME_GRAIN_NS, sent, self.clock.local_ns())
        return temporary


def _files_under(root, folder, prefix, start_after):
    """The names of the files under ``root / folder``, skipping each folder whose names all
    sort at or before ``start_after``, or none of which begins with ``prefix``."""
    with os.scandir(root / folder) as entries:
        entries = list(entries)
    for entry in entries:
        name = f"{folder}/{entry.name}" if folder else entry.name
        if entry.is_dir(follow_symlinks=False):
            within = name + "/"
            after = start_after < within or start_after.startswith(within)
            if after and (within.startswith(prefix) or prefix.startswith(within)):
                yield from _files_under(root, name, prefix, start_after)
        elif entry.is_file():
            yield name
