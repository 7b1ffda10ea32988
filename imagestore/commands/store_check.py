"""Check a store against what the app keeps for each image, and repair what can be made
again (``imagestore verify CONFIG.ini [--repair]``).

Each upload must have its record, matching its bytes (SHA-256, size, type), its
thumbnail, its rendition where the viewer needs one, and its upload marker (its
entry in the gallery's order). Images other tools put in get their record and
previews on first request, so only a record they have is checked. What the app
keeps for an image that is gone is an orphan, and so is an entry of the store's
index whose image is gone. Every object is read, so that one that cannot be
decrypted is found.

An upload or delete under way (``unfinished``) is no problem, and what it touches is
not checked; one that failed and is due to be settled is reported, and settled by
repair.

Repairs make previews and records again from the image, rewrite a record to the
bytes the image now holds, put markers back, delete orphans, and write the
store's index again from a whole listing. An image that cannot be decrypted is
reported and never deleted: it may be a key mix-up, not damage.
"""

import json
from dataclasses import dataclass, field

from cshelve import EncryptedDataCorruptionError

from .. import atomic, staging, store, unfinished
from ..database import backend_of, clock_of
from ..index import order, snapshot
from ..index.journal import JOURNAL_PREFIX, Journal, index_changes, parse
from ..index.view import View
from ..keys import RESERVED_PREFIX, is_servable_key
from ..photos.images import GENERIC_TYPE
from ..photos.previews import needs_rendition

UNDECRYPTABLE = "cannot be decrypted (another key, or changed by another tool)"
KEPT = {
    store.METADATA_PREFIX: "record",
    store.THUMBNAIL_PREFIX: "thumbnail",
    store.RENDITION_PREFIX: "rendition",
}


@dataclass
class Finding:
    """A problem with one object, and what ``repair`` does about it (None: nothing can)."""

    name: str
    problem: str
    repair: object = field(default=None, repr=False)


class StoreCheck:
    """One look at the store in ``db``: ``check_image(key)`` for each of ``images``, then
    ``orphans()``, each giving ``Finding``s."""

    def __init__(self, db):
        self.db = db
        self.journal = Journal(clock_of(db), prunes=False)
        self.names = set(iter(db))
        self.images = {
            name for name in self.names if not name.startswith(RESERVED_PREFIX) and is_servable_key(name)
        }
        uploads = (order.upload_of(name) for name in self.names)
        self.uploaded = {upload[1]: upload[0] for upload in uploads if upload is not None}
        self.waiting = {
            key
            for key in self.images
            if store.METADATA_PREFIX + key not in self.names and key not in self.uploaded
        }
        self.operations = self._operations()
        self.under_way = {operation.key for operation in self.operations.values()}

    def _has_record(self, key):
        return store.METADATA_PREFIX + key in self.names

    def _operations(self):
        """The uploads and deletes under way, or left unfinished, by the name of their note."""
        operations = {}
        notes = (name for name in self.names if name.startswith(unfinished.UNFINISHED_PREFIX))
        for name in sorted(set(notes) - {unfinished.FOLDER_KEEPER}):
            try:
                operations[name] = unfinished.Operation.read(self.db, name)
            except (KeyError, ValueError):
                continue
        return operations

    def check_image(self, key):
        """What is wrong with one image and what is kept for it."""
        if key in self.under_way:
            return []
        try:
            data = self.db[key]
        except EncryptedDataCorruptionError:
            return [Finding(key, UNDECRYPTABLE)]
        findings, record = self._record_findings(key, data)
        uploaded_ns = record and record.get("uploaded_ns")
        if not uploaded_ns:
            return findings
        for prefix in (store.THUMBNAIL_PREFIX, store.RENDITION_PREFIX):
            findings += self._preview_findings(key, record, prefix)
        marker = order.upload_marker(key, uploaded_ns)
        if not {marker, order.old_marker(key, uploaded_ns)} & self.names:
            problem = "has no entry in the gallery's order"
            findings.append(Finding(key, problem, lambda: atomic.put(self.db, marker, b"")))
        return findings

    def orphans(self):
        """What is kept for images that are gone, and entries of the index whose image is gone;
        the index's repair comes last, once the rest is repaired."""
        findings = [self._orphan(name) for name in sorted(self.names - self.images)]
        findings = [finding for finding in findings if finding is not None] + self._unsettled()
        return findings + self._index_findings()

    def _unsettled(self):
        """Uploads and deletes that failed half way and are due to be settled."""
        now_ns = self.journal.clock.now_ns()
        return [
            Finding(
                name,
                f"{operation.kind} of {operation.key} failed half way and is not undone or finished yet",
                self._settler(name, operation),
            )
            for name, operation in self.operations.items()
            if unfinished.is_due(name, now_ns)
        ]

    def _settler(self, name, operation):
        def settle():
            store.settle(
                self.db,
                operation,
                lambda uploaded_ns, key: self.journal.record(self.db, "removed", key, uploaded_ns),
            )
            self._delete(name)

        return settle

    def _orphan(self, name):
        if self._of_operation_under_way(name):
            return None
        if staging.is_abandoned(name, self.journal.clock.now_ns()):
            problem = "upload staged more than a day ago and never claimed"
            return Finding(name, problem, lambda: backend_of(self.db).delete(name))
        for prefix, kind in KEPT.items():
            if name.startswith(prefix) and name.removeprefix(prefix) not in self.images:
                return Finding(
                    name, f"{kind} of an image that is gone", self._deleter(name, name.removeprefix(prefix))
                )
        sized = _sized_image(name)
        if sized is not None and sized not in self.images:
            return Finding(name, "size kept of an image that is gone", self._deleter(name, sized))
        upload = order.upload_of(name)
        if upload is not None and upload[1] not in self.images:
            return Finding(
                name, "entry in the gallery's order of an image that is gone", self._deleter(name, upload[1])
            )
        return None

    def _of_operation_under_way(self, name):
        upload = order.upload_of(name)
        if upload is not None:
            return upload[1] in self.under_way
        if _sized_image(name) in self.under_way:
            return True
        return any(name.removeprefix(prefix) in self.under_way for prefix in KEPT if name.startswith(prefix))

    def _record_findings(self, key, data):
        """Findings about the record, and the record as it stands (None if there is none to use)."""
        name = store.METADATA_PREFIX + key
        if name not in self.names and key not in self.uploaded:
            return [], None
        if name not in self.names:
            return [
                Finding(key, "has no record", lambda: self._describe_again(key, self._upload_of(key)))
            ], None
        try:
            record = json.loads(self.db[name])
        except (EncryptedDataCorruptionError, ValueError):
            return [
                Finding(
                    name, "record cannot be read", lambda: self._describe_again(key, self._upload_of(key))
                )
            ], None
        actual = store.describe(key, data)
        differs = [what for what in ("sha256", "size", "content_type") if record.get(what) != actual[what]]
        if differs:
            problem = f"bytes are not those of its record ({', '.join(differs)} differ)"
            return [Finding(key, problem, lambda: self._describe_again(key, record))], None
        return [], record

    def _preview_findings(self, key, record, prefix):
        kind, name = KEPT[prefix], prefix + key
        if record.get("content_type", GENERIC_TYPE) == GENERIC_TYPE:
            return []
        if prefix == store.RENDITION_PREFIX and not needs_rendition(
            record["content_type"], record.get("width"), record.get("height"), record.get("animated", False)
        ):
            return []
        remake = store.read_thumbnail if prefix == store.THUMBNAIL_PREFIX else store.read_rendition
        if name not in self.names:
            return [Finding(key, f"has no {kind}", lambda: remake(self.db, key))]
        try:
            self.db[name]
        except EncryptedDataCorruptionError:
            return [
                Finding(name, f"{kind} {UNDECRYPTABLE}", lambda: (self._delete(name), remake(self.db, key)))
            ]
        return []

    def _index_findings(self):
        """Entries of the store's index (its snapshot and the journal since) whose image is gone."""
        manifest = snapshot.newest(self.db)
        if manifest is None:
            return []
        view = View(manifest)
        for name in sorted(name for name in self.names if name.startswith(JOURNAL_PREFIX)):
            change = parse(name)
            if change is None or change.at_ns < manifest.position_ns:
                continue
            for made, entry in index_changes(self.db, change):
                view.apply(self.db, made, entry)
        gone = [
            entry
            for entry in view.entries(self.db, 0, view.total)
            if entry[1] not in self.images and entry[1] not in self.under_way
        ]
        if not gone:
            return []
        problem = (
            f"the store's index holds {len(gone)} images that are gone: {', '.join(key for _, key in gone)}"
        )
        return [Finding(manifest.name, problem, lambda: self._write_index(gone))]

    def _write_index(self, gone):
        """Write the index again from a whole listing, and tell running apps what went."""
        for uploaded_ns, key in gone:
            self.journal.record(self.db, "removed", key, uploaded_ns)
        manifest, _ = snapshot.write(self.db, *snapshot.of_whole_listing(self.db), "verify")
        snapshot.prune(self.db, manifest)

    def _upload_of(self, key):
        """What the image's upload marker tells of a record that is gone."""
        return store.upload_time(self.uploaded[key]) if key in self.uploaded else {}

    def _describe_again(self, key, record):
        """A record for the bytes the image holds now, keeping its name and upload time, and
        previews made again from them."""
        kept = ("filename", "uploaded_at", "uploaded_ns", "location_removed")
        described = store.describe(key, self.db[key]) | {
            what: record[what] for what in kept if what in record
        }
        for prefix in store.KEPT_PREFIXES:
            self._delete(prefix + key)
        self.db[store.METADATA_PREFIX + key] = json.dumps(described).encode()
        if described["content_type"] != GENERIC_TYPE:
            store.read_thumbnail(self.db, key)
            if needs_rendition(
                described["content_type"], described["width"], described["height"], described["animated"]
            ):
                store.read_rendition(self.db, key)

    def _deleter(self, name, image):
        """Delete an orphan, unless its image came back since the store was listed (a new
        upload under a key that was free)."""

        def delete():
            if atomic.exists(self.db, image):
                return
            self._delete(name)
            upload = order.upload_of(name)
            if upload is not None:
                self.journal.record(self.db, "removed", upload[1], upload[0])

        return delete

    def _delete(self, name):
        backend_of(self.db).delete(name)


def _sized_image(name):
    """The image a name under ``store.SIZED_PREFIX`` keeps a size of (``photos/sizes.py``),
    made on first request; None for any other name."""
    if not name.startswith(store.SIZED_PREFIX):
        return None
    return name.removeprefix(store.SIZED_PREFIX).partition("/")[2]
