"""How fast ``imagestore copy`` moves a store, beside the plain SDK script (``sdk_copy.py``)
copying the same objects, in one run.

    python bench/copy_rate.py [--images 200] [--trials 4] [--json bench/copy-rate.json]

It fills a folder store as users do (``imagestore import`` of generated phone-sized
photos: each image with its record, thumbnail, rendition where one is needed, and
upload marker), then copies it from the folder to S3 (moto) and from S3 to Azure
(Azurite), each way into a fresh bucket or container, with ``imagestore copy``
and with the SDK script, both run as a user runs them (a new process), in the order
command-script, script-command, script-command, command-script over each four
trials, since an emulator slows as it fills. The ratio is the script's time over
the command's: 1.0 is as fast as the script, the goal is at least 0.8. A second
``imagestore copy`` onto the full destination is timed too: it should copy nothing.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import samples  # noqa: E402
import sdk_copy  # noqa: E402
from emulators import azure_variables, azurite, moto_s3, s3_variables, write_ini  # noqa: E402
from processes import run_imagestore  # noqa: E402

PHOTO_SIZES = [(1600, 1200), (2400, 1800), (3200, 2400)]
DEFAULT_JSON = ROOT / "bench" / "copy-rate.json"
TRIALS = 4
TIMEOUT = 3600
SDK_COPY = (sys.executable, str(ROOT / "bench" / "sdk_copy.py"))
SDK_KINDS = {"aws": "s3", "azure": "azure"}


@dataclass
class Store:
    """A store both ways of copying can reach: its .ini for the command, and where the
    SDK script finds its objects."""

    ini: str
    objects: str

    def count(self):
        return len(sdk_copy.objects(self.objects).names())


class Stores:
    """The folder store, and fresh buckets and containers on the emulators, each with its .ini."""

    def __init__(self, folder, s3_url, azure_url):
        self.folder, self.made = Path(folder), 0
        self.variables = {**s3_variables(s3_url), **azure_variables(azure_url)}
        os.environ.update(self.variables)

    def ini(self, backend, name):
        folder = self.folder / name
        folder.mkdir(exist_ok=True)
        return str(write_ini(backend, name, folder))

    def fresh(self, backend):
        """A new, empty bucket or container, as a ``Store``."""
        self.made += 1
        name = f"copy-{self.made:03}"
        store = Store(self.ini(backend, name), f"{SDK_KINDS[backend]}:{name}")
        storage = sdk_copy.objects(store.objects)
        if backend == "aws":
            storage.s3.create_bucket(Bucket=name)
        else:
            storage.container.create_container()
        return store

    def run(self, *args, command=None):
        """Run ``imagestore`` (or ``command``) as users do; return its wall time in seconds and
        its last line."""
        started = time.perf_counter()
        code, said = run_imagestore(*args, variables=self.variables, timeout=TIMEOUT,
                                    **({"command": command} if command else {}))  # fmt: skip
        elapsed = time.perf_counter() - started
        if code != 0:
            raise SystemExit(f"{' '.join(map(str, args))} failed:\n{said}")
        return elapsed, said.strip().splitlines()[-1]


def fill_folder_store(stores, images):
    """A folder store filled as users fill one, through ``imagestore import``."""
    photos = stores.folder / "photos"
    photos.mkdir()
    for n in range(images):
        photo = samples.photo(size=PHOTO_SIZES[n % len(PHOTO_SIZES)], seed=n)
        (photos / f"IMG_{n:04}.jpg").write_bytes(photo)
    ini = stores.ini("filesystem", "source")
    seconds, summary = stores.run("import", ini, photos)
    print(f"filled the folder store: {summary} in {seconds:.1f} s", file=sys.stderr)
    return Store(ini, f"folder:{Path(ini).parent / 'images'}")


def measure_direction(stores, source, destination, trials):
    """Times of the command and of the script into fresh destinations, trial by trial; the
    last store the command filled, for the next direction to copy from."""
    rows = []
    for trial in range(trials):
        by_command, by_script = stores.fresh(destination), stores.fresh(destination)
        script_first = trial % 4 in (1, 2)
        if script_first:
            script_seconds, _ = stores.run(source.objects, by_script.objects, command=SDK_COPY)
        command_seconds, summary = stores.run("copy", source.ini, by_command.ini)
        if not script_first:
            script_seconds, _ = stores.run(source.objects, by_script.objects, command=SDK_COPY)
        again_seconds, again = stores.run("copy", source.ini, by_command.ini)
        rows.append({
            "command_seconds": command_seconds, "script_seconds": script_seconds,
            "ratio": script_seconds / command_seconds, "summary": summary,
            "second_run_seconds": again_seconds, "second_run": again,
            "objects_by_command": by_command.count(), "objects_by_script": by_script.count(),
        })  # fmt: skip
        print(f"  -> {destination}: {rows[-1]}", file=sys.stderr)
    return by_command, rows


def measure(images, trials=TRIALS):
    with tempfile.TemporaryDirectory() as folder, moto_s3(folder) as s3_url, azurite(folder) as azure_url:
        stores = Stores(folder, s3_url, azure_url)
        in_a_folder = fill_folder_store(stores, images)
        on_s3, to_s3 = measure_direction(stores, in_a_folder, "aws", trials)
        _, to_azure = measure_direction(stores, on_s3, "azure", trials)
        directions = [
            {"from": "filesystem", "to": "aws", "trials": to_s3},
            {"from": "aws", "to": "azure", "trials": to_azure},
        ]
        return {"images": images, "trials": trials, "directions": directions}


def save(results, path=DEFAULT_JSON):
    Path(path).write_text(json.dumps(results, indent=2) + "\n")


def table(results):
    lines = [
        f"imagestore copy vs the plain SDK script, {results['images']} images, median of {results['trials']}",
        f"{'direction':<22}{'objects':>9}{'script s':>10}{'copy s':>9}{'ratio':>7}{'second run s':>14}",
    ]
    for direction in results["directions"]:
        rows = direction["trials"]
        fields = ("script_seconds", "command_seconds", "ratio", "second_run_seconds")
        median = {field: statistics.median(row[field] for row in rows) for field in fields}
        lines.append(
            f"{direction['from'] + ' -> ' + direction['to']:<22}{rows[0]['objects_by_script']:>9}"
            f"{median['script_seconds']:>10.2f}{median['command_seconds']:>9.2f}{median['ratio']:>7.2f}"
            f"{median['second_run_seconds']:>14.2f}"
        )
        lines.append(f"{'':<22}copy: {rows[0]['summary']}; second run: {rows[0]['second_run']}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--trials", type=int, default=TRIALS, help="a multiple of 4 balances the order")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    results = measure(args.images, args.trials)
    save(results, args.json)
    print(table(results))


if __name__ == "__main__":
    main()
