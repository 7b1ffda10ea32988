"""Real storage endpoints on 127.0.0.1 for the tests: moto's S3 server and Azurite.

Each runs as its own process on a free port and is stopped when the block
ends. A missing emulator is a failure that says how to install it, never a
skip.
"""

import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
AZURITE = PROJECT_ROOT / "node_modules" / ".bin" / "azurite-blob"
AZURITE_ACCOUNT = "devstoreaccount1"
# Azurite's fixed, publicly documented development key; not a secret.
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def azurite_connection_string(endpoint, key=AZURITE_KEY):
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={key};"
        f"BlobEndpoint={endpoint}/{AZURITE_ACCOUNT};"
    )


@contextmanager
def moto_s3(log_dir):
    """Run moto's S3 server; yield its endpoint URL."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    endpoint = f"http://127.0.0.1:{port}"
    with _running(command, endpoint, Path(log_dir) / "moto.log"):
        yield endpoint


@contextmanager
def azurite(location):
    """Run Azurite's blob service keeping its data under ``location``; yield its endpoint."""
    if not AZURITE.exists():
        raise RuntimeError(f"Azurite is not installed at {AZURITE}: run `make test`, which runs `npm ci`")
    port = free_port()
    command = [
        str(AZURITE),
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        str(port),
        "--location",
        str(location),
        "--skipApiVersionCheck",
        "--loose",
        "--silent",
    ]
    endpoint = f"http://127.0.0.1:{port}"
    with _running(command, endpoint, Path(location) / "azurite.log"):
        yield endpoint


@contextmanager
def _running(command, url, log_path, timeout=60):
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_answering(url, process, log_path, timeout)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_answering(url, process, log_path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited at start:\n{Path(log_path).read_text()}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")
