"""Images other tools put in, made ready: what it costs on S3 (issue #30, item 6).

    python bench/found_images.py [--images 1000] [--json bench/found-images.json]

It starts moto's S3 server behind the request-counting proxy of
``requests_per_action.py`` and fills buckets as another tool would (``aws s3 sync``):
plain PNGs of 640×480 put straight in with the SDK, no record, no marker. The issue's
figure is 10,000 images; the default is 1,000, to stay within time on a shared 2-core
machine. Each store is first indexed by an app with ``IMAGESTORE_READY_PER_SECOND=0``
(the API called until it counts every image), so that every measurement starts where
a store is once its images were found. Then, each app started as users start it
(``python app-shared-access.py <ini>``, ``IMAGESTORE_DISCOVERY_SECONDS=5``):

- **right after a restart, before the work** (``IMAGESTORE_READY_PER_SECOND=0``): the first
  view of page 1, and in another fresh process the first view of a deep page (N / 25),
  each counted until storage is quiet for ``QUIET_SECONDS``, then the same page again
  (``steady``): within the ``PLACEHOLDER_SECONDS`` (5) a page keeps the placeholder of an
  image not made ready yet, and once more after them;
- **made ready in the background** (``IMAGESTORE_READY_PER_SECOND=50``): the API's first
  page called every second until ``/metrics`` says no image waits and every image is
  ``"ready": true``; meanwhile, every ``DURING_EVERY_SECONDS``, page 1 and the deep page
  are viewed, each a first time in over ``PLACEHOLDER_SECONDS`` and at once again (within
  them), and the storage requests within each view are counted (the background's own are
  among them: the requests that name one of the page's images are counted apart);
- **made ready by ``imagestore scan CONFIG``**, on a second store of N in the same state;
- **page 1 at 100 images and at N**, the median of ``VIEWS`` views once the store is indexed,
  its images waiting, and once they are made ready (at 100 by ``scan``).

The bytes read from storage are the bodies of the GETs of originals (keys without
``/``), against the total bytes of the originals: one read an image is 1.0.
"""

import argparse
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import requests
from botocore.config import Config
from requests_per_action import FILL_THREADS, KINDS, CountingProxy, cell

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import samples  # noqa: E402
from emulators import moto_s3, s3_variables, write_ini  # noqa: E402
from processes import RunningApp, run_imagestore  # noqa: E402

from imagestore.cache import PLACEHOLDER_SECONDS  # noqa: E402

ISSUE_IMAGES = 10_000
SMALL_STORE = 100
PNG_SIZE = (640, 480)
READY_PER_SECOND = 50
DISCOVERY_SECONDS = 5
BROWSE_SECONDS = 1
DURING_EVERY_SECONDS = PLACEHOLDER_SECONDS + 2
MARGIN_SECONDS = 0.5
VIEWS = 5
PER_PAGE = 24
TIMEOUT = 3600
DEFAULT_JSON = ROOT / "bench" / "found-images.json"
WAITING = re.compile(r"^imagestore_images_waiting_to_be_ready (\S+)$", re.MULTILINE)


def is_original(answer):
    """Whether the proxy's ``answer`` is a GET of an original: its key holds no ``/``."""
    return answer.kind == "GET" and answer.key and "/" not in answer.key


def by_kind(answers):
    counts = Counter(answer.kind for answer in answers)
    return {kind: counts[kind] for kind in KINDS if counts[kind]} | {"total": counts.total()}


class Store:
    """A bucket filled by another tool, and the app's processes on it."""

    def __init__(self, proxy, s3, folder, count):
        self.proxy, self.count = proxy, count
        bucket = f"bench-found-{count}-{len(list(folder.iterdir()))}"
        (folder / bucket).mkdir()
        self.ini = write_ini("aws", bucket, folder / bucket)
        started = time.monotonic()
        s3.create_bucket(Bucket=bucket)

        def put(n):
            png = samples.image(size=PNG_SIZE, seed=n)
            s3.put_object(Bucket=bucket, Key=f"found-{n:06}.png", Body=png)
            return len(png)

        with ThreadPoolExecutor(FILL_THREADS) as pool:
            self.original_bytes = sum(pool.map(put, range(count)))
        self.fill_seconds = time.monotonic() - started
        print(
            f"  filled {count:,} images ({self.original_bytes:,} bytes) in {self.fill_seconds:.0f} s",
            file=sys.stderr,
        )

    def start(self, ready_per_second):
        return RunningApp(
            str(self.ini),
            script="app-shared-access.py",
            IMAGESTORE_READY_PER_SECOND=str(ready_per_second),
            IMAGESTORE_DISCOVERY_SECONDS=str(DISCOVERY_SECONDS),
            **s3_variables(self.proxy.url),
        )

    def index(self):
        """Have an app that makes nothing ready index the store; return page 1 once it
        counts every image (``steady``), and the keys shown on page 1 and the deep page."""
        app = self.start(0)
        try:
            with requests.Session() as http:
                deadline = time.monotonic() + TIMEOUT
                while api(http, app, per_page=1)["total"] != self.count:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the app never counted every image")
                    time.sleep(BROWSE_SECONDS)
                page = steady(self.proxy, http, app, 1)
                keys = {
                    page: [image["key"] for image in api(http, app, page=page)["images"]]
                    for page in (1, self.deep)
                }
        finally:
            app.stop()
        self.proxy.settle()
        return page, keys

    @property
    def deep(self):
        return max(1, self.count // 25)


def api(http, app, page=1, per_page=24):
    answer = http.get(f"{app.url}/api/images", params={"page": page, "per_page": per_page}, timeout=TIMEOUT)
    answer.raise_for_status()
    return answer.json()


def view(http, app, page):
    """View gallery page ``page``; its milliseconds, and when it began and ended."""
    started = time.monotonic()
    http.get(f"{app.url}/?page={page}", timeout=TIMEOUT).raise_for_status()
    ended = time.monotonic()
    return 1000 * (ended - started), started, ended


def waiting(http, app):
    """How many images wait to be made ready, as ``/metrics`` says (NaN until it is known)."""
    text = http.get(f"{app.url}/metrics", timeout=TIMEOUT).text
    found = WAITING.search(text)
    return float(found.group(1)) if found else float("nan")


def all_ready(http, app, count):
    pages = -(-count // 100)
    images = [image for page in range(1, pages + 1) for image in api(http, app, page, 100)["images"]]
    return len(images) == count and all(image["ready"] for image in images)


def answers_between(proxy, started, ended):
    return [answer for answer in list(proxy.log) if started <= answer.started <= ended]


def reads(answers, original_bytes, count):
    """What the GETs of originals among ``answers`` read."""
    originals = [answer for answer in answers if is_original(answer)]
    per_key = Counter(answer.key for answer in originals)
    read = sum(answer.size for answer in originals if answer.status == 200)
    return {
        "gets_of_originals": len(originals),
        "originals_read": len(per_key),
        "most_reads_of_one": max(per_key.values(), default=0),
        "bytes_read": read,
        "bytes_of_originals": original_bytes,
        "bytes_ratio": read / original_bytes,
        "requests_per_image": len(answers) / count,
    }


def counted_view(proxy, http, app, page):
    """One view of ``page``: its milliseconds, and the storage requests from its start
    until storage is quiet."""
    proxy.settle()
    ms, started, _ = view(http, app, page)
    proxy.settle()
    return ms, answers_between(proxy, started, time.monotonic())


def steady(proxy, http, app, page):
    """Page ``page`` viewed again and again, once the placeholders of earlier views are
    gone (``PLACEHOLDER_SECONDS``): a first view, then, within ``PLACEHOLDER_SECONDS`` of
    it, the median milliseconds of ``VIEWS`` views and the storage requests of one more
    made within it (``page_result``, with ``within_seconds``, when it ended after the first
    began); then, over ``PLACEHOLDER_SECONDS`` after the first ended, one view counted until
    storage is quiet (``after``)."""
    shown = [image["key"] for image in api(http, app, page)["images"]]
    time.sleep(PLACEHOLDER_SECONDS + MARGIN_SECONDS)
    _, first_began, first_ended = view(http, app, page)
    ms = statistics.median(view(http, app, page)[0] for _ in range(VIEWS))
    _, began, ended = view(http, app, page)
    within = page_result(ms, answers_between(proxy, began, ended), shown)
    within["within_seconds"] = ended - first_began
    if within["within_seconds"] >= PLACEHOLDER_SECONDS:
        print(f"  page {page}: the views within took {within['within_seconds']:.1f} s", file=sys.stderr)
    time.sleep(max(0.0, first_ended + PLACEHOLDER_SECONDS + MARGIN_SECONDS - time.monotonic()))
    after_ms, answers = counted_view(proxy, http, app, page)
    return within | {"after": page_result(after_ms, answers, shown)}


def first_views_after_restart(store, keys):
    """Before the work: the first view of page 1, then of the deep page, each in a fresh
    process that makes nothing ready, counted until storage is quiet; then the same page
    again and again (``steady``)."""
    results = {}
    for page in (1, store.deep):
        app = store.start(0)
        try:
            with requests.Session() as http:
                ms, answers = counted_view(store.proxy, http, app, page)
                again = steady(store.proxy, http, app, page)
        finally:
            app.stop()
        results[page] = page_result(ms, answers, keys[page]) | {"again": again}
    return results


def page_result(ms, answers, shown):
    """A page view's milliseconds and storage requests; those naming one of the ``shown``
    images apart, and the GETs of originals among them."""
    shown = set(shown)
    naming = [answer for answer in answers if answer.key.rpartition("/")[2] in shown]
    return {
        "ms": ms,
        "requests": by_kind(answers),
        "requests_naming_its_images": by_kind(naming),
        "gets_of_originals": sum(map(is_original, answers)),
        "gets_of_its_originals": sum(map(is_original, naming)),
    }


def in_background(store, keys):
    """Start an app that makes images ready at ``READY_PER_SECOND``; browse until every image
    is ready, viewing page 1 and the deep page every ``DURING_EVERY_SECONDS`` meanwhile, each
    only while the work is at least a second's worth (``READY_PER_SECOND``) away from its
    images, so that a GET of one of its originals within the view is the view's own. Each
    page is viewed a first time (``after``: over ``PLACEHOLDER_SECONDS`` after its last
    first view ended, if any) and at once again (``within``)."""
    store.proxy.settle()
    started = time.monotonic()
    app = store.start(READY_PER_SECOND)
    during, waited, next_views = {1: [], store.deep: []}, [], started + 2
    last_first = {}
    try:
        with requests.Session() as http:
            while True:
                api(http, app)
                now = time.monotonic()
                left = waiting(http, app)
                waited.append((round(now - started, 1), left))
                if left == 0 and all_ready(http, app, store.count):
                    break
                if now >= next_views and left:
                    for page in [page for page in during if far_from(page, store.count - left)]:
                        ms, begun, ended = view(http, app, page)
                        after = page_result(ms, answers_between(store.proxy, begun, ended), keys[page])
                        after["since_last_first"] = begun - last_first.get(page, -math.inf)
                        last_first[page] = ended
                        ms, begun, ended = view(http, app, page)
                        within = page_result(ms, answers_between(store.proxy, begun, ended), keys[page])
                        during[page].append({"after": after, "within": within})
                    next_views = now + DURING_EVERY_SECONDS
                if now - started > TIMEOUT:
                    raise RuntimeError("not every image was made ready within the time allowed")
                time.sleep(max(0.0, BROWSE_SECONDS - (time.monotonic() - now)))
            seconds = time.monotonic() - started
            answers = answers_between(store.proxy, started, time.monotonic())
            ready_page = steady(store.proxy, http, app, 1)
    finally:
        app.stop()
    print(f"  made ready in the background in {seconds:.0f} s", file=sys.stderr)
    return {
        "seconds": seconds,
        "requests": by_kind(answers),
        **reads(answers, store.original_bytes, store.count),
        "waiting_by_second": waited,
        "during": {page: summary(views) for page, views in during.items()},
        "page_1_once_ready": ready_page,
    }


def far_from(page, done):
    """Whether the work, ``done`` images into the gallery's order, is more than a second's
    worth away from the images of ``page``; never while ``done`` is unknown (NaN)."""
    first, last = (page - 1) * PER_PAGE, page * PER_PAGE - 1
    return not math.isnan(done) and (done + READY_PER_SECOND < first or done - READY_PER_SECOND > last)


def summary(pairs):
    """The views of one page during the work, the first of each pair (``after``, only
    those over ``PLACEHOLDER_SECONDS`` after the last) and the second (``within``): the
    median time, the requests summed and by view."""
    chosen = {
        "after": [pair["after"] for pair in pairs if pair["after"]["since_last_first"] > PLACEHOLDER_SECONDS],
        "within": [pair["within"] for pair in pairs],
    }
    return {name: summary_of(views) for name, views in chosen.items()} | {"each": pairs}


def summary_of(views):
    count = len(views) or 1
    return {
        "views": len(views),
        "median_ms": statistics.median(one["ms"] for one in views) if views else None,
        "requests_a_view": sum(one["requests"]["total"] for one in views) / count,
        "naming_its_images_a_view": sum(one["requests_naming_its_images"]["total"] for one in views) / count,
        "gets_of_originals": sum(one["gets_of_originals"] for one in views),
        "gets_of_its_originals": sum(one["gets_of_its_originals"] for one in views),
    }


def by_scan(store):
    """Make every image ready at once with ``imagestore scan CONFIG``; then, in an app,
    check that every image is ready and view page 1 (``steady``)."""
    store.proxy.settle()
    started = time.monotonic()
    code, said = run_imagestore(
        "scan", str(store.ini), variables=s3_variables(store.proxy.url), timeout=TIMEOUT
    )
    seconds = time.monotonic() - started
    if code:
        raise RuntimeError(f"imagestore scan failed: {said}")
    store.proxy.settle()
    answers = answers_between(store.proxy, started, time.monotonic())
    app = store.start(0)
    try:
        with requests.Session() as http:
            ready = all_ready(http, app, store.count)
            page = steady(store.proxy, http, app, 1)
    finally:
        app.stop()
    print(f"  made ready by scan in {seconds:.0f} s", file=sys.stderr)
    return {
        "seconds": seconds,
        "requests": by_kind(answers),
        **reads(answers, store.original_bytes, store.count),
        "all_ready": ready,
        "page_1_once_ready": page,
    }


def measure(s3_url, images, folder):
    s3 = boto3.client("s3", endpoint_url=s3_url, config=Config(max_pool_connections=FILL_THREADS))
    with CountingProxy(s3_url) as proxy:
        proxy.log = []
        print(f"{SMALL_STORE} images put in by another tool, made ready by scan...", file=sys.stderr)
        small = Store(proxy, s3, folder, SMALL_STORE)
        small_found, _ = small.index()
        small_scan = by_scan(small)
        print(f"{images:,} images put in by another tool, made ready in the background...", file=sys.stderr)
        store = Store(proxy, s3, folder, images)
        found, keys = store.index()
        before = first_views_after_restart(store, keys)
        background = in_background(store, keys)
        print(f"{images:,} images put in by another tool, made ready by scan...", file=sys.stderr)
        scanned = Store(proxy, s3, folder, images)
        scanned.index()
        scan = by_scan(scanned)
    return {
        "images": images,
        "issue_images": ISSUE_IMAGES,
        "image_size": PNG_SIZE,
        "fill_seconds": store.fill_seconds,
        "deep_page": store.deep,
        "ready_per_second": READY_PER_SECOND,
        "page_1_found": {SMALL_STORE: small_found, images: found},
        "page_1_ready": {
            SMALL_STORE: small_scan["page_1_once_ready"],
            images: background["page_1_once_ready"],
        },
        "before_the_work": before,
        "background": background,
        "scan": scan,
        "scan_small": small_scan,
    }


def table(results):
    """The Markdown tables: making ready, page views, page 1 by the store's size."""
    n, deep = results["images"], results["deep_page"]
    before, background, scan = results["before_the_work"], results["background"], results["scan"]
    first = before[1]["ms"]
    lines = [
        f"{n:,} PNGs of {PNG_SIZE[0]}×{PNG_SIZE[1]} put into S3 (moto) by another tool, no record, "
        f"no marker (the issue's figure is {results['issue_images']:,}); shared access; "
        f"deep page = page {deep}.",
        "",
        "| made ready | seconds | images/s | storage requests | requests / image "
        "| GETs of originals | most reads of one | bytes read / bytes of originals |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in (
        (f"in the background (IMAGESTORE_READY_PER_SECOND={READY_PER_SECOND})", background),
        ("by `imagestore scan`", scan),
    ):
        lines.append(
            f"| {name} | {row['seconds']:.0f} | {n / row['seconds']:.1f} | {cell(row['requests'])} "
            f"| {row['requests_per_image']:.2f} | {row['gets_of_originals']} | {row['most_reads_of_one']} "
            f"| {row['bytes_ratio']:.3f} |"
        )
    lines += ["", "| page view | ms | × page 1 first | storage requests | GETs of originals |"]
    lines.append("|---|---|---|---|---|")
    for page in (1, deep):
        row = before[page]
        lines += [
            f"| page {page}, first after a restart, before the work | {row['ms']:.0f} "
            f"| {row['ms'] / first:.2f} | {requests_cell(row)} | {row['gets_of_originals']} |",
            f"| page {page} again within {PLACEHOLDER_SECONDS} s, before the work (median of {VIEWS}) "
            f"| {row['again']['ms']:.0f} | {row['again']['ms'] / first:.2f} | {requests_cell(row['again'])} "
            f"| {row['again']['gets_of_originals']} |",
            f"| page {page} again after {PLACEHOLDER_SECONDS} s, before the work "
            f"| {row['again']['after']['ms']:.0f} | {row['again']['after']['ms'] / first:.2f} "
            f"| {requests_cell(row['again']['after'])} | {row['again']['after']['gets_of_originals']} |",
        ]
    for page, both in background["during"].items():
        for name, label in (
            ("after", f"first in over {PLACEHOLDER_SECONDS} s"),
            ("within", f"again within {PLACEHOLDER_SECONDS} s"),
        ):
            row = both[name]
            if not row["views"]:
                lines.append(f"| page {page}, during the work, {label} | not viewed | | | |")
                continue
            lines.append(
                f"| page {page}, during the work, {label} (median of {row['views']}) "
                f"| {row['median_ms']:.0f} "
                f"| {row['median_ms'] / first:.2f} | {row['requests_a_view']:.1f} a view with the "
                f"background's, {row['naming_its_images_a_view']:.1f} naming its images "
                f"| {row['gets_of_its_originals']} of its images |"
            )
    ready = background["page_1_once_ready"]
    lines += [
        f"| page 1 once all are ready (median of {VIEWS}) | {ready['ms']:.0f} | {ready['ms'] / first:.2f} "
        f"| {requests_cell(ready)} | {ready['gets_of_originals']} |",
        "",
        f"| images in the store | page 1, found, not ready, within {PLACEHOLDER_SECONDS} s "
        f"(ms, median of {VIEWS}) | × | requests | after {PLACEHOLDER_SECONDS} s (ms) | requests "
        "| page 1, all ready (ms) | × | requests |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    found, made = results["page_1_found"], results["page_1_ready"]
    for size in found:
        lines.append(
            f"| {size:,} | {found[size]['ms']:.1f} | {found[size]['ms'] / found[SMALL_STORE]['ms']:.2f} "
            f"| {requests_cell(found[size])} | {found[size]['after']['ms']:.1f} "
            f"| {requests_cell(found[size]['after'])} | {made[size]['ms']:.1f} "
            f"| {made[size]['ms'] / made[SMALL_STORE]['ms']:.2f} | {requests_cell(made[size])} |"
        )
    return "\n".join(lines)


def requests_cell(row):
    """A page view's storage requests, and how many of them name one of its images."""
    return f"{cell(row['requests'])}; {row['requests_naming_its_images']['total']} name its images"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--images", type=int, default=1000, help=f"images in the store (the issue's: {ISSUE_IMAGES:,})"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as temporary, moto_s3(temporary) as s3_url:
        os.environ.update(s3_variables(s3_url))
        results = measure(s3_url, args.images, Path(temporary))
    print(table(results))
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWhole run: {time.monotonic() - started:.0f} s; JSON: {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
