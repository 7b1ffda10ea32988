"""How fast ``imagestore copy`` moves a store, beside the plain SDK script (``sdk_copy.py``)
copying the same objects, in one run.

    python bench/copy_rate.py [--images 200] [--trials 4] [--json bench/copy-rate.json]

It fills a folder store as users do (``imagestore import`` of generated phone-sized
photos: each image with its record, thumbnail, rendition where one is needed, and
upload marker), then copies it from the folder to S3 (moto) and from S3 to Azure
(Azurite), each way into a fresh bucket or container, with ``imagestore copy``
and with the SDK script, both run as a user runs them (a new process), in the order
command-script, script-command, script-command, command-script over each four
trials, since an emulator slows as it fills. The ratio is the
script's time over the command's: 1.0 is as fast as the script, the goal is at
least 0.8. A second ``imagestore copy`` onto the full
destination is timed too: it should copy nothing.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from azure.storage.blob import BlobServiceClient

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import samples  # noqa: E402
from emulators import (  # noqa: E402
    azure_variables,
    azurite,
    azurite_connection_string,
    moto_s3,
    s3_variables,
    write_ini,
)
from processes import IMAGESTORE, clean_environment  # noqa: E402

PHOTO_SIZES = [(1600, 1200), (2400, 1800), (3200, 2400)]
DEFAULT_JSON = ROOT / "bench" / "copy-rate.json"
DIRECTIONS = (("filesystem", "aws"), ("aws", "azure"))
SDK_NAMES = {"aws": "s3", "azure": "azure"}


class Stores:
    """The folder store, and fresh buckets and containers on the emulators, each with its .ini."""

    def __init__(self, folder, s3_url, azure_url):
        self.folder, self.made = Path(folder), 0
        self.variables = {**s3_variables(s3_url), **azure_variables(azure_url)}
        self.s3 = boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1",
                               aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
        self.azure = BlobServiceClient.from_connection_string(azurite_connection_string(azure_url))

    def ini(self, backend, name):
        folder = self.folder / name
        folder.mkdir(exist_ok=True)
        return write_ini(backend, name, folder)

    def fresh(self, backend):
        """A new, empty bucket or container; return its name."""
        self.made += 1
        name = f"copy-{self.made:03}"
        if backend == "aws":
            self.s3.create_bucket(Bucket=name)
        else:
            self.azure.create_container(name)
        return name

    def count(self, backend, name):
        if backend == "aws":
            pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=name)
            return sum(len(page.get("Contents", [])) for page in pages)
        return sum(1 for _ in self.azure.get_container_client(name).list_blob_names())

    def run(self, *command):
        """Run a command as users do; return its wall time in seconds and what it said."""
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=clean_environment(**self.variables),
                              capture_output=True, text=True, timeout=3600)  # fmt: skip
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(map(str, command))} failed:\n{done.stderr}")
        return elapsed, done.stderr.strip().splitlines()[-1]


def fill_folder_store(stores, images):
    photos = stores.folder / "photos"
    photos.mkdir()
    for n in range(images):
        photo = samples.photo(size=PHOTO_SIZES[n % len(PHOTO_SIZES)], seed=n)
        (photos / f"IMG_{n:04}.jpg").write_bytes(photo)
    ini = stores.ini("filesystem", "source")
    seconds, summary = stores.run(IMAGESTORE, "import", ini, photos)
    print(f"filled the folder store: {summary} in {seconds:.1f} s", file=sys.stderr)
    return ini, Path(ini).parent / "images"


def sdk_location(backend, name, folder):
    return f"folder:{folder}" if backend == "filesystem" else f"{SDK_NAMES[backend]}:{name}"


def measure_direction(stores, source, destination, trials):
    """Times of the command and of the script into fresh destinations, trial by trial."""
    source_backend, source_name, source_ini, source_folder = source
    rows = []
    for trial in range(trials):
        command_name, script_name = stores.fresh(destination), stores.fresh(destination)
        command_ini = stores.ini(destination, command_name)
        script = [sys.executable, ROOT / "bench" / "sdk_copy.py",
                  sdk_location(source_backend, source_name, source_folder),
                  sdk_location(destination, script_name, None)]  # fmt: skip
        script_first = trial % 4 in (1, 2)
        if script_first:
            script_seconds, _ = stores.run(*script)
        command_seconds, summary = stores.run(IMAGESTORE, "copy", source_ini, command_ini)
        if not script_first:
            script_seconds, _ = stores.run(*script)
        again_seconds, again = stores.run(IMAGESTORE, "copy", source_ini, command_ini)
        rows.append({
            "command_seconds": command_seconds, "script_seconds": script_seconds,
            "ratio": script_seconds / command_seconds, "summary": summary,
            "second_run_seconds": again_seconds, "second_run": again,
            "objects_by_command": stores.count(destination, command_name),
            "objects_by_script": stores.count(destination, script_name),
        })  # fmt: skip
        print(f"  {source_backend} -> {destination}: {rows[-1]}", file=sys.stderr)
    return command_ini, command_name, rows


def measure(images, trials):
    with tempfile.TemporaryDirectory() as folder, moto_s3(folder) as s3_url, azurite(folder) as azure_url:
        stores = Stores(folder, s3_url, azure_url)
        ini, images_folder = fill_folder_store(stores, images)
        source = ("filesystem", None, ini, images_folder)
        results = {"images": images, "trials": trials, "directions": []}
        for source_backend, destination in DIRECTIONS:
            assert source_backend == source[0]
            ini, name, rows = measure_direction(stores, source, destination, trials)
            results["directions"].append({"from": source_backend, "to": destination, "trials": rows})
            source = (destination, name, ini, None)
        return results


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
    parser.add_argument("--trials", type=int, default=4, help="a multiple of 4 balances the order")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    results = measure(args.images, args.trials)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))


if __name__ == "__main__":
    main()
