"""The filesystem backend: every file is written beside the store, then linked or
renamed into place, so a reader never sees half of one."""

import os
import tempfile
from pathlib import Path

from ..keys import RESERVED_PREFIX
from .base import Backend, KeyTaken

SCRATCH_FOLDER = RESERVED_PREFIX + "incoming"


class Folder(Backend):
    def create(self, key, raw):
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

    def keys_in_order(self, prefix, start_after):
        """Only the folder the prefix names is walked, not the whole store."""
        root = Path(self.provider.folder_path)
        folder = root / prefix.rpartition("/")[0]
        if not folder.is_dir():
            return iter(())
        names = (path.relative_to(root).as_posix() for path in folder.rglob("*") if path.is_file())
        return iter(sorted(name for name in names if name.startswith(prefix) and name > start_after))

    def _write(self, key, raw, exclusive):
        root = Path(self.provider.folder_path)
        target = root / key
        scratch = root / SCRATCH_FOLDER
        scratch.mkdir(parents=True, exist_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=scratch)
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(raw)
                out.flush()
                os.fsync(out.fileno())
            if exclusive:
                try:
                    os.link(temporary, target)
                except FileExistsError:
                    raise KeyTaken(key) from None
            else:
                os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
