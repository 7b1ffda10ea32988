"""Measure the image store in both access modes on every backend, with baselines, in one run.

    python bench/run.py [--photos 40] [--clients 8] [--seconds 5] [--chart docs/benchmark.png]
                        [--store-sizes 100 10000] [--request-sizes 100 10000]
                        [--copy-images 200] [--found-images 1000]
                        [--backends in-memory filesystem aws azure]

``--store-sizes`` with no sizes skips the store-size test, ``--request-sizes`` with
none the count of storage requests per action (``requests_per_action.py``),
``--copy-images 0`` the rate of ``imagestore copy`` beside the SDK script
(``copy_rate.py``, on emulators of its own; run when aws and azure are measured),
``--found-images 0`` what images other tools put in cost to make ready
(``found_images.py``, on S3, Azure and folder).

It starts moto's S3 server, Azurite, a temporary folder and the in-memory store,
starts the app as users do (``python app-<mode>-access.py <ini>``; also without
the cache, and under gunicorn), seeds generated photos of 300 KB to 3 MB through
the API, and measures at fixed concurrency: serving, a gallery page, uploads,
peak memory while a 20 MB image goes to every client at once, and the first
page's time by the number of images in the bucket. Absolute numbers drift on a
shared machine, so the serving rate is also printed as a ratio to baselines
measured just before it: the smallest WSGI app serving the same bytes from a
dict on the same server, and for S3 and Azure the SDK reading the same objects
directly.
"""

import argparse
import itertools
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import boto3
import matplotlib
import requests
import urllib3
from azure.storage.blob import BlobServiceClient
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

matplotlib.use("Agg")
import copy_rate  # noqa: E402
import found_images  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import phone_photo  # noqa: E402
import requests_per_action  # noqa: E402
import samples  # noqa: E402
from emulators import azure_variables, azurite, moto_s3, s3_variables, write_ini  # noqa: E402
from processes import RunningApp  # noqa: E402

BACKENDS = ("in-memory", "filesystem", "aws", "azure")
FOUND_BACKENDS = {"aws": "aws", "azure": "azure", "filesystem": "folder"}  # found_images.py names them so
MODES = ("single", "shared")
PHOTO_SIZES = [(1200, 900), (1600, 1200), (2000, 1500), (2400, 1800), (3200, 2400), (3800, 2850)]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
TEN_IN_ONE_TRIALS = 3
BIG_IMAGE_MB = 20


@dataclass
class Load:
    """What a fixed number of clients achieved in a fixed time."""

    rate: float
    p50_ms: float
    p99_ms: float
    requests: int


def hammer(fetch, keys, clients, seconds):
    """Run ``clients`` threads calling ``fetch(http, key)`` over ``keys`` for ``seconds``;
    each thread has its own keep-alive connection ``http``."""
    latencies = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number):
        own = []
        with http_client() as http:
            index = number
            while time.monotonic() < deadline:
                started = time.perf_counter()
                fetch(http, keys[index % len(keys)])
                own.append(time.perf_counter() - started)
                index += clients
        with lock:
            latencies.extend(own)

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    elapsed = time.monotonic() - started
    latencies.sort()
    return Load(
        rate=len(latencies) / elapsed,
        p50_ms=1000 * latencies[len(latencies) // 2],
        p99_ms=1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        requests=len(latencies),
    )


def cpu_seconds(pid):
    """CPU time of a process and its children (gunicorn's workers) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS + sum(
        cpu_seconds(int(child)) for child in children
    )


def make_photos(count, folder):
    folder.mkdir()
    for n in range(count):
        (folder / f"photo-{n:03}.jpg").write_bytes(
            samples.photo(size=PHOTO_SIZES[n % len(PHOTO_SIZES)], seed=n)
        )
    return sorted(folder.iterdir())


def http_client():
    """An HTTP client as light as the SDKs' own (urllib3, reading a body in one go), so that
    the app and the SDK baseline are measured through clients of the same cost."""
    return urllib3.PoolManager(maxsize=1, timeout=urllib3.Timeout(connect=10, read=120), retries=False)


def get(url):
    def fetch(http, key):
        answer = http.request("GET", f"{url}/image/{quote(key)}")
        if answer.status != 200:
            raise RuntimeError(f"GET /image/{key}: {answer.status}")
        return answer.data

    return fetch


def upload(http, url, files):
    """POST ``(name, bytes)`` pairs in one request; return the keys they were stored under."""
    fields = [("file", file) for file in files]
    answer = http.request("POST", f"{url}/api/images", fields=fields)
    if answer.status != 201:
        raise RuntimeError(f"POST /api/images: {answer.status} {answer.data[:200]!r}")
    return [image["key"] for image in json.loads(answer.data)["stored"]]


def gallery_page(url):
    """Latency of the page itself, and the bytes a browser downloads to show it."""
    with requests.Session() as session:
        timings, page = timed_views(session, url, 5)
        assets = set(re.findall(r'(?:src|href)="(/(?:thumb|static)/[^"]+)"', page.text))
        downloaded = len(page.content) + sum(
            len(session.get(url + asset, timeout=60).content) for asset in assets
        )
        shown = session.get(f"{url}/api/images?per_page=24", timeout=60).json()["images"]
    return statistics.median(timings), downloaded, sum(image["size"] for image in shown)


def measure_uploads(url, files, clients, seconds):
    """One upload's latency; uploads/s with several clients; ten photos in one request against
    one by one (the median of a few trials, alternating which goes first). Every upload has a
    name of its own, so none pays for finding a free key."""
    fresh = itertools.count()

    def renamed(chosen):
        return [(f"upload-{next(fresh)}-{name}", data) for name, data in chosen]

    def timed(http, requests_of_files):
        named = [renamed(chosen) for chosen in requests_of_files]
        started = time.perf_counter()
        for chosen in named:
            upload(http, url, chosen)
        return time.perf_counter() - started

    one_request, one_each = [files[:10]], [[file] for file in files[:10]]
    with http_client() as http:
        single = [timed(http, [[file]]) for file in files[:5]]
        ten_ratios = []
        for trial in range(TEN_IN_ONE_TRIALS):
            if trial % 2:
                one_each_seconds = timed(http, one_each)
                one_request_seconds = timed(http, one_request)
            else:
                one_request_seconds = timed(http, one_request)
                one_each_seconds = timed(http, one_each)
            ten_ratios.append(one_request_seconds / one_each_seconds)
    rate = hammer(lambda http, file: upload(http, url, renamed([file])), files, clients, seconds).rate
    return 1000 * statistics.median(single), rate, statistics.median(ten_ratios)


@dataclass
class Baselines:
    """What the app is compared with, measured again just before each row, so that the
    machine's drift during a long run cancels out of the ratios: the smallest WSGI app serving
    the same bytes from a dict on the same server, and the SDKs reading the same objects
    directly at the same concurrency. Each row takes 2 × ``seconds`` more for them."""

    bare_fetch: object
    sdk_reads: dict
    keys: list
    clients: int
    seconds: float

    def measure(self, backend):
        """The bare WSGI app's load and, for S3 and Azure, the SDK's: ``{"bare": Load, "sdk": Load}``."""
        loads = {"bare": self._hammer(self.bare_fetch)}
        if backend in self.sdk_reads:
            loads["sdk"] = self._hammer(self.sdk_reads[backend])
        return loads

    def _hammer(self, fetch):
        return hammer(fetch, self.keys, self.clients, self.seconds)


@contextmanager
def running_baselines(photos, endpoints, clients, seconds):
    """``Baselines`` for the backends in ``endpoints``, with the bare WSGI app running."""
    sdk_reads = {backend: sdk_read(backend, endpoint, photos) for backend, endpoint in endpoints.items()}
    bare_app = RunningApp(str(photos[0].parent), script="bench/bare_wsgi.py")
    try:
        yield Baselines(get(bare_app.url), sdk_reads, [path.name for path in photos], clients, seconds)
    finally:
        bare_app.stop()


def sdk_read(backend, endpoint, photos):
    """Put ``photos`` straight into a bucket or container; return ``read(http, key)`` by the SDK."""
    if backend == "aws":
        s3 = boto3.client("s3", endpoint_url=endpoint)
        s3.create_bucket(Bucket="bench-direct")
        for path in photos:
            s3.put_object(Bucket="bench-direct", Key=path.name, Body=path.read_bytes())
        return lambda _, key: s3.get_object(Bucket="bench-direct", Key=key)["Body"].read()
    container = BlobServiceClient.from_connection_string(endpoint).create_container("bench-direct")
    for path in photos:
        container.upload_blob(path.name, path.read_bytes())
    return lambda _, key: container.download_blob(key).readall()


@dataclass(frozen=True)
class Setup:
    """One way of running the app: a backend, an access mode, a server, a cache or none."""

    backend: str
    mode: str
    server: str = "dev"
    cache: bool = True

    @property
    def label(self):
        server = "" if self.server == "dev" else f", {GUNICORN_LABEL}"
        cache = "" if self.cache else ", no cache"
        return f"{self.mode}{server}{cache}"

    @property
    def shows_phone_photo(self):
        return self.mode == "shared" and self.server == "dev" and self.cache

    def start(self, ini, variables):
        if not self.cache:
            variables = variables | {"IMAGESTORE_CACHE_MB": "0"}
        if self.server == "gunicorn":
            factory = f"imagestore:create_app({str(ini)!r}, access={self.mode!r})"
            return RunningApp(*GUNICORN_OPTIONS, factory, script="gunicorn", **variables)
        return RunningApp(str(ini), script=f"app-{self.mode}-access.py", **variables)


GUNICORN_OPTIONS = ("--workers", "2", "--threads", "8")
GUNICORN_LABEL = "gunicorn {}×{}".format(*GUNICORN_OPTIONS[1::2])
SETUPS = [
    *(Setup(backend, mode) for backend in BACKENDS for mode in MODES),
    *(Setup(backend, mode, cache=False) for backend in ("aws", "azure") for mode in MODES),
    *(Setup(backend, "shared", server="gunicorn") for backend in ("filesystem", "aws", "azure")),
]


def measure_app(setup, files, big_image, folder, variables, baselines, args):
    app = setup.start(fresh_ini(setup, folder, "load"), variables)
    try:
        with http_client() as http:
            keys = [key for file in files for key in upload(http, app.url, [file])]
        baseline = baselines.measure(setup.backend)
        cpu_before = cpu_seconds(app.process.pid)
        serving = hammer(get(app.url), keys, args.clients, args.seconds)
        cpu_ms = 1000 * (cpu_seconds(app.process.pid) - cpu_before) / serving.requests
        page_ms, page_bytes, shown_bytes = gallery_page(app.url)
        upload_ms, uploads_per_s, ten_ratio = measure_uploads(app.url, files, args.clients, args.seconds)
        photo_row = None
        if setup.shows_phone_photo:
            photo_row = phone_photo.upload_and_view(app.url, args.phone_photo)
    finally:
        app.stop()
    peak_mb = None
    if setup.server == "dev":
        app = setup.start(fresh_ini(setup, folder, "memory"), variables)
        try:
            peak_mb = peak_memory(app, big_image, args.clients)
        finally:
            app.stop()
    return {
        "serving": serving,
        "baseline": baseline,
        "cpu_ms": cpu_ms,
        "page_ms": page_ms,
        "page_share": page_bytes / shown_bytes,
        "upload_ms": upload_ms,
        "uploads_per_s": uploads_per_s,
        "ten_ratio": ten_ratio,
        "peak_mb": peak_mb,
        "phone_photo": photo_row,
    }


def fresh_ini(setup, folder, purpose):
    """An .ini for ``setup`` on a store of its own."""
    cache = "cache" if setup.cache else "nocache"
    name = f"bench-{setup.backend}-{setup.mode}-{setup.server}-{cache}-{purpose}"
    (folder / name).mkdir()
    return write_ini(setup.backend, name, folder / name)


def peak_memory(app, big_image, clients):
    """Peak resident memory in MB of a fresh app process while ``clients`` fetch one big image at
    once, three times over. The peak is reset after the upload, which is measured apart."""
    with http_client() as http:
        [key] = upload(http, app.url, [(big_image.name, big_image.read_bytes())])
    Path(f"/proc/{app.process.pid}/clear_refs").write_text("5")
    fetch = get(app.url)

    def fetch_three_times(_):
        with http_client() as http:
            for _ in range(3):
                fetch(http, key)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(fetch_three_times, range(clients)))
    status = Path(f"/proc/{app.process.pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def make_big_image(path):
    """A PNG of noise of about ``BIG_IMAGE_MB``: noise does not compress."""
    side = int((BIG_IMAGE_MB * 1024 * 1024 / 3) ** 0.5)
    Image.frombytes("RGB", (side, side), random.Random(0).randbytes(side * side * 3)).save(path)
    return path


def put_as_another_tool(s3, bucket, count):
    """Put ``count`` small PNGs straight into the bucket, with no metadata or previews."""
    tiny = [samples.image(size=(64, 48), seed=n) for n in range(10)]
    s3.create_bucket(Bucket=bucket)

    def put(n):
        s3.put_object(Bucket=bucket, Key=f"img-{n:06}.png", Body=tiny[n % 10])

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, range(count)))


def page_time_by_store_size(s3_url, variables, sizes, folder, views=5):
    """The gallery's first page on S3 in shared access, with ``size`` images put into the
    bucket by another tool (the SDK): the first view after start (it lists the first keys of
    the store and downloads the 24 images shown, to record their size and type), then, once
    the store is listed, the median of later views, with the listing kept (the default) and
    with the store listed again in the background after every view
    (``IMAGESTORE_LISTING_SECONDS=0``)."""
    s3, shared, timings = boto3.client("s3", endpoint_url=s3_url), Setup("aws", "shared"), {}
    for size in sizes:
        bucket = f"bench-store-{size}"
        put_as_another_tool(s3, bucket, size)
        ini = write_ini("aws", bucket, folder)
        kept = page_views(shared.start(ini, variables), views)
        relisting = shared.start(ini, variables | {"IMAGESTORE_LISTING_SECONDS": "0"})
        listed_every_time = page_views(relisting, views)
        timings[size] = (kept[0], statistics.median(kept[1:]), statistics.median(listed_every_time[1:]))
    return timings


def page_views(app, views):
    """Milliseconds of ``views`` + 1 views of the gallery's first page, the first one first;
    the later ones once the store is listed (the API waits for it). Stops ``app``."""
    try:
        with requests.Session() as session:
            first = timed_views(session, app.url, 1)[0]
            session.get(f"{app.url}/api/images?per_page=1", timeout=300).raise_for_status()
            return first + timed_views(session, app.url, views)[0]
    finally:
        app.stop()


def timed_views(session, url, count):
    """Milliseconds of each of ``count`` GETs of ``url``, and the last answer."""
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        answer = session.get(url, timeout=300)
        answer.raise_for_status()
        timings.append(1000 * (time.perf_counter() - started))
    return timings, answer


def baseline_rates(results, name, backend=None):
    """The rates of one baseline over the rows (of one backend, if given)."""
    return [
        row["baseline"][name].rate
        for setup, row in results.items()
        if name in row["baseline"] and backend in (None, setup.backend)
    ]


def rate_summary(rates):
    return f"{statistics.median(rates):.0f}/s (from {min(rates):.0f} to {max(rates):.0f})"


def table(results, store_sizes, args):
    sdk_summaries = [
        f"{name} {rate_summary(rates)}"
        for backend, name in (("aws", "S3"), ("azure", "Azure"))
        if (rates := baseline_rates(results, "sdk", backend))
    ]
    lines = [
        f"GET /image/<key>, {args.clients} clients for {args.seconds} s each. Each ratio is to a "
        "baseline measured just before its row; their medians: bare WSGI app "
        f"{rate_summary(baseline_rates(results, 'bare'))}"
        + (f"; direct SDK: {', '.join(sdk_summaries)}." if sdk_summaries else "."),
        "",
        "| backend | mode | images/s | × bare WSGI | × direct SDK | p50 ms | p99 ms | app CPU ms/req "
        "| page ms | page bytes / originals | upload ms | uploads/s | 10 in 1 request / 10 one by one "
        f"| peak RSS MB, {BIG_IMAGE_MB} MB image × {args.clients} |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for setup, row in results.items():
        serving, baseline = row["serving"], row["baseline"]
        bare = f"{serving.rate / baseline['bare'].rate:.2f}"
        direct = f"{serving.rate / baseline['sdk'].rate:.2f}" if "sdk" in baseline else "–"
        peak = "–" if row["peak_mb"] is None else f"{row['peak_mb']:.0f}"
        lines.append(
            f"| {setup.backend} | {setup.label} | {serving.rate:.0f} | {bare} "
            f"| {direct} | {serving.p50_ms:.1f} | {serving.p99_ms:.1f} | {row['cpu_ms']:.1f} "
            f"| {row['page_ms']:.1f} | 1/{1 / row['page_share']:.0f} | {row['upload_ms']:.0f} "
            f"| {row['uploads_per_s']:.1f} | {row['ten_ratio']:.2f} | {peak} |"
        )
    lines += phone_photo_table(results, args)
    if not store_sizes:
        return "\n".join(lines)
    smallest = min(store_sizes)
    lines += [
        "",
        "Gallery's first page on S3, shared access, with images put in the bucket by another tool "
        "(ms; ratios to the smallest store):",
        "",
        "| images in the store | first view after start | × | later views | × | later views, store "
        "listed again after each | × |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| {size:,} | {first:.0f} | {first / store_sizes[smallest][0]:.2f} "
            f"| {later:.0f} | {later / store_sizes[smallest][1]:.2f} "
            f"| {listed:.0f} | {listed / store_sizes[smallest][2]:.2f} |"
            for size, (first, later, listed) in sorted(store_sizes.items())
        ),
    ]
    return "\n".join(lines)


def phone_photo_table(results, args):
    previews_ms, thumbnail_ms = args.preview_costs
    megabytes = len(args.phone_photo) / 2**20
    lines = [
        "",
        f"A {phone_photo.SIZE[0]}×{phone_photo.SIZE[1]} photo of {megabytes:.1f} MB, shared access: "
        "previews take "
        f"{previews_ms:.0f} ms (thumbnail and rendition) where the thumbnail alone took "
        f"{thumbnail_ms:.0f} ms; the ratio leaves out the rendition's own write, which it cannot time apart.",
        "",
        "| backend | upload ms | × an upload making the thumbnail alone | viewer bytes / original |",
        "|---|---|---|---|",
    ]
    for setup, row in results.items():
        if row["phone_photo"] is not None:
            upload_ms, viewer_share = row["phone_photo"]
            without = upload_ms - (previews_ms - thumbnail_ms)
            ratio = upload_ms / without
            lines.append(f"| {setup.backend} | {upload_ms:.0f} | {ratio:.2f} | 1/{1 / viewer_share:.0f} |")
    return lines


def chart(results, path):
    labels = [
        f"{setup.backend}\n{setup.label.replace(GUNICORN_LABEL, 'gunicorn')}".replace(", ", "\n")
        for setup in results
    ]
    rates = [row["serving"].rate for row in results.values()]
    colours = ["#2f6fdf" if setup.mode == "shared" else "#9bb9ef" for setup in results]
    figure, axes = plt.subplots(figsize=(13, 5))
    axes.bar(labels, rates, color=colours)
    axes.tick_params(axis="x", labelsize="small")
    baselines = [
        ("bare WSGI from a dict", baseline_rates(results, "bare"), "#333", "--"),
        ("S3 SDK direct", baseline_rates(results, "sdk", "aws"), "#e07b00", ":"),
        ("Azure SDK direct", baseline_rates(results, "sdk", "azure"), "#1e7a3c", ":"),
    ]
    for name, baseline, colour, style in baselines:
        if baseline:
            median = statistics.median(baseline)
            axes.axhline(median, color=colour, linestyle=style, label=f"{name} (median {median:.0f}/s)")
    axes.set_ylabel("images/s (GET /image/<key>)")
    axes.set_title("Serving originals: dark = shared access, light = single access")
    axes.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


@contextmanager
def running_emulators(backends, folder):
    """Start moto and Azurite for those of ``backends`` that need them; yield the environment
    variables that point the app at them, and each one's endpoint for the SDKs."""
    variables, endpoints = {}, {}
    with ExitStack() as emulators:
        if "aws" in backends:
            endpoints["aws"] = emulators.enter_context(moto_s3(folder))
            variables |= s3_variables(endpoints["aws"])
        if "azure" in backends:
            (folder / "azurite").mkdir()
            variables |= azure_variables(emulators.enter_context(azurite(folder / "azurite")))
            endpoints["azure"] = variables["AZURE_STORAGE_CONNECTION_STRING"]
        yield variables, endpoints


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--chart", type=Path, default=ROOT / "docs" / "benchmark.png")
    parser.add_argument(
        "--store-sizes",
        type=int,
        nargs="*",
        default=[100, 10_000],
        help="images in the store-size test (on S3); none skips it",
    )
    parser.add_argument(
        "--request-sizes",
        type=int,
        nargs="*",
        default=[100, 10_000],
        help="images in the storage-requests-per-action test (on S3); none skips it",
    )
    parser.add_argument(
        "--copy-images", type=int, default=200, help="images in the copy-rate test; 0 skips it"
    )
    parser.add_argument(
        "--found-images",
        type=int,
        default=1000,
        help="images other tools put in, made ready (on S3, Azure and folder); 0 skips it",
    )
    parser.add_argument(
        "--backends", nargs="+", choices=BACKENDS, default=BACKENDS, help="measure these backends only"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        with running_emulators(args.backends, folder) as (variables, endpoints):
            os.environ.update(variables)
            print(f"Generating {args.photos} photos...", file=sys.stderr)
            photos = make_photos(args.photos, folder / "photos")
            files = [(path.name, path.read_bytes()) for path in photos]
            big_image = make_big_image(folder / "big.png")
            args.phone_photo = samples.photo(size=phone_photo.SIZE, seed=12)
            args.preview_costs = phone_photo.preview_costs(args.phone_photo)
            results = {}
            with running_baselines(photos, endpoints, args.clients, args.seconds) as baselines:
                for setup in (setup for setup in SETUPS if setup.backend in args.backends):
                    print(f"{setup.backend}, {setup.label}...", file=sys.stderr)
                    results[setup] = measure_app(setup, files, big_image, folder, variables, baselines, args)
            store_sizes = {}
            if "aws" in args.backends and args.store_sizes:
                print("Store sizes...", file=sys.stderr)
                store_sizes = page_time_by_store_size(endpoints["aws"], variables, args.store_sizes, folder)
            request_counts = {}
            if "aws" in args.backends and args.request_sizes:
                request_counts = requests_per_action.measure(endpoints["aws"], args.request_sizes, folder)
            found = []
            for backend, found_backend in FOUND_BACKENDS.items():
                if backend in args.backends and args.found_images:
                    (folder / f"found-{found_backend}").mkdir()
                    found.append(
                        found_images.measure(
                            found_backend, args.found_images, folder / f"found-{found_backend}"
                        )
                    )
    copy_rates = None
    if args.copy_images and {"aws", "azure"} <= set(args.backends):
        copy_rates = copy_rate.measure(args.copy_images)
    print(table(results, store_sizes, args))
    if request_counts:
        print("\n" + requests_per_action.tables(request_counts))
    if copy_rates:
        copy_rate.save(copy_rates)
        print("\n" + copy_rate.table(copy_rates))
    for results_of_one in found:
        print("\n" + found_images.table(results_of_one))
    chart(results, args.chart)
    print(f"\nChart: {args.chart.relative_to(ROOT) if args.chart.is_relative_to(ROOT) else args.chart}")


if __name__ == "__main__":
    main()
