"""Real storage endpoints on 127.0.0.1 for the tests: moto's S3 server and Azurite.

Each runs as its own process on a free port and is stopped when the block
ends. A missing emulator is a failure that says how to install it, never a
skip.
"""

import configparser
import signal
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


def moto_s3_server(log_dir):
    """moto's S3 server on a free port, not started yet."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    return ServerProcess(command, f"http://127.0.0.1:{port}", Path(log_dir) / "moto.log")


def azurite_server(location):
    """Azurite's blob service on a free port, keeping its data under ``location``; not started yet."""
    if not AZURITE.exists():
        raise RuntimeError(f"Azurite is not installed at {AZURITE}: run `make test`, which runs `npm ci`")
    port = free_port()
    command = [
        str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(port),
        "--location", str(location), "--skipApiVersionCheck", "--loose", "--silent",
    ]  # fmt: skip
    return ServerProcess(command, f"http://127.0.0.1:{port}", Path(location) / "azurite.log")


def s3_variables(endpoint):
    """The standard AWS variables, pointed at moto's server."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def azure_variables(endpoint):
    return {"AZURE_STORAGE_CONNECTION_STRING": azurite_connection_string(endpoint)}


def write_ini(backend, name, folder):
    """Write the shipped BACKEND.ini into ``folder``, pointed at a store of its own
    called ``name`` (the filesystem's is ``folder/images``); return its path."""
    own_store = {
        "in-memory": {"persist-key": name},
        "filesystem": {"folder_path": str(Path(folder) / "images")},
        "aws": {"bucket_name": name},
        "azure": {"container_name": name},
    }[backend]
    parser = configparser.ConfigParser()
    parser.read(PROJECT_ROOT / f"{backend}.ini")
    parser["default"].update(own_store)
    path = Path(folder) / f"{backend}.ini"
    with open(path, "w") as out:
        parser.write(out)
    return path


@contextmanager
def moto_s3(log_dir):
    """Run moto's S3 server; yield its endpoint URL."""
    with running(moto_s3_server(log_dir)) as server:
        yield server.url


@contextmanager
def azurite(location):
    """Run Azurite's blob service; yield its endpoint URL."""
    with running(azurite_server(location)) as server:
        yield server.url


@contextmanager
def running(server):
    server.start()
    try:
        yield server
    finally:
        server.resume()
        server.stop()


def wait_until_answering(url, process, output, timeout=60):
    """Poll ``url`` until anything answers; fail with ``output()`` if the process exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited at start:\n{output()}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


class ServerProcess:
    """An emulator that tests can stop and start again on the same port, or freeze."""

    def __init__(self, command, url, log_path):
        self.command, self.url, self.log_path = command, url, log_path
        self.process = None

    def start(self, timeout=60):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        wait_until_answering(self.url, self.process, lambda: Path(self.log_path).read_text(), timeout)

    def stop(self):
        """Stop the process: connections to its port are refused."""
        self.process.terminate()
        try:
            self.process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def freeze(self):
        """Suspend the process: connections are accepted but nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
