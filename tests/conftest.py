"""Fixtures: real storage emulators, and the app on every backend in both modes.

Every test that uses ``app`` or ``client`` runs eight times: on each backend
(the shipped ``in-memory.ini``, ``filesystem.ini``, ``aws.ini`` and
``azure.ini``) in each access mode (``single`` and ``shared``). S3 is moto's
server and Azure is Azurite, both real HTTP endpoints on 127.0.0.1 started
once per test session; each test gets its own bucket, container, folder or
in-memory store, so tests never see each other's images.
"""

import importlib.util
import io
import sys
import threading
import uuid
from pathlib import Path

import chromium
import pytest
import storage as inspectors
from cshelve._database import _RawDatabase
from emulators import (
    azure_variables,
    azurite,
    azurite_connection_string,
    moto_s3,
    s3_variables,
    s3rver,
    seaweedfs,
    seaweedfs_as_cluster,
    write_ini,
)
from faults import FAST_FAILING, STORAGE_TIMEOUT, FaultyProxy
from flask import Flask
from processes import RunningApp, run_imagestore
from werkzeug.serving import make_server

from imagestore import ImageStore, create_app, gallery
from imagestore.database import backend_of, get_db
from imagestore.index import snapshot
from imagestore.keys import RESERVED_PREFIX
from imagestore.state import current
from imagestore.unfinished import FOLDER_KEEPER, UNFINISHED_PREFIX

BACKENDS = ("in-memory", "filesystem", "aws", "azure")
HOST_APP = Path(__file__).resolve().parent.parent / "examples" / "host_app.py"
ACCESS_MODES = ("single", "shared")


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    with moto_s3(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def s3rver_endpoint(tmp_path_factory):
    with s3rver(tmp_path_factory.mktemp("s3rver")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def seaweedfs_endpoint(tmp_path_factory):
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def seaweedfs_cluster(tmp_path_factory):
    """SeaweedFS as a cluster: a master, two volume servers, a filer and an S3 gateway, each a
    process that a test can kill (``emulators.SeaweedfsCluster``)."""
    with seaweedfs_as_cluster(tmp_path_factory.mktemp("seaweedfs-cluster")) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def azurite_endpoint(tmp_path_factory):
    with azurite(tmp_path_factory.mktemp("azurite")) as endpoint:
        yield endpoint


@pytest.fixture
def backend_variables(request):
    """The environment variables a backend needs, pointed at this session's emulators."""

    def variables(backend):
        if backend == "aws":
            return s3_variables(request.getfixturevalue("s3_endpoint"))
        if backend == "seaweedfs":
            return s3_variables(request.getfixturevalue("seaweedfs_endpoint"))
        if backend == "azure":
            return azure_variables(request.getfixturevalue("azurite_endpoint"))
        return {}

    return variables


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(params=ACCESS_MODES)
def access(request):
    return request.param


@pytest.fixture
def store_name():
    return f"test-{uuid.uuid4().hex[:16]}"


@pytest.fixture
def backend_environment(backend_variables, monkeypatch):
    """Set what the backends named need in the environment, as an operator's shell does;
    return those variables."""

    def set_for(*backends):
        variables = {}
        for backend in backends:
            variables |= backend_variables(backend)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return variables

    return set_for


@pytest.fixture
def config_path(backend, backend_environment, own_config):
    backend_environment(backend)
    return own_config(backend)


@pytest.fixture
def own_config(store_name, tmp_path):
    """Write the shipped BACKEND.ini, pointed at this test's own store; return its path."""
    return lambda backend: write_ini(backend, store_name, tmp_path)


@pytest.fixture
def closed_afterwards():
    """``closed_afterwards(app)`` gives back ``app``, whose store is closed when the test ends."""
    apps = []

    def keep(app):
        apps.append(app)
        return app

    yield keep
    for app in apps:
        current(app).access.close()


@pytest.fixture
def make_app(config_path, access, closed_afterwards):
    """Build apps on this test's store, in its access mode unless ``mode`` names another;
    each is closed afterwards."""

    def make(mode=None, **settings):
        return closed_afterwards(create_app(config_path, access=mode or access, overrides=settings))

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def serve():
    """Serve apps on Werkzeug's threaded server, as the scripts run them; returns base URLs."""
    servers = []

    def start(app):
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.port}"

    yield start
    for server, thread in servers:
        server.shutdown()
        thread.join()


@pytest.fixture
def live_server(app, serve):
    return serve(app)


@pytest.fixture
def storage(app, backend, store_name, tmp_path):
    """What the backend holds, seen with its own SDK or tools, not through the app."""
    if backend == "in-memory":
        return inspectors.InMemoryStorage(store_name)
    if backend == "filesystem":
        return inspectors.FolderStorage(tmp_path / "images")
    if backend in ("aws", "seaweedfs"):
        return inspectors.S3Storage(store_name)
    return inspectors.AzureStorage(store_name)


@pytest.fixture
def storage_reads(monkeypatch):
    """The keys the app downloads from storage, in order, as CShelve reads them.

    A spy: every read still goes to the real backend.
    """
    reads = []
    read = _RawDatabase.__getitem__

    def counted(self, key):
        reads.append(key.decode())
        return read(self, key)

    monkeypatch.setattr(_RawDatabase, "__getitem__", counted)
    return reads


@pytest.fixture
def storage_requests(app, monkeypatch):
    """Every call the app makes to storage from now on: reads and listings through CShelve,
    and the existence checks and ordered listings it makes beneath it."""
    calls = []
    with app.app_context():
        backend = type(backend_of(get_db()))

    def spied(cls, name):
        original = getattr(cls, name)

        def counted(*args, **kwargs):
            calls.append(name)
            return original(*args, **kwargs)

        monkeypatch.setattr(cls, name, counted)

    for name in ("__getitem__", "__iter__", "__contains__"):
        spied(_RawDatabase, name)
    for name in ("keys_in_order", "exists"):
        spied(backend, name)
    return calls


@pytest.fixture
def make_ready(app):
    """Make images other tools put in ready now (record, thumbnail), as the process holding
    the discovery's turn does in the background, and ``imagestore scan`` at once."""

    def make(*keys):
        with app.app_context():
            gallery.make_ready(list(keys))

    return make


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, launched once a session (and worker) if asked for."""
    with chromium.launched() as launched:
        yield launched


@pytest.fixture
def open_app(closed_afterwards):
    """Apps on a store, in this process, as another process would open it; closed afterwards."""

    def open_(config, **overrides):
        return closed_afterwards(create_app(config, access="shared", overrides=overrides or None))

    return open_


@pytest.fixture
def mount(config_path, access, closed_afterwards):
    """Mount this test's store in a bare app of a host's own: ``mount(can_write, can_read=...,
    **config)`` sets the host's config over ``SECRET_KEY``, ``IMAGESTORE_CONFIG`` and
    ``IMAGESTORE_ACCESS``."""

    def mount_(can_write=None, can_read=None, **config):
        app = Flask("host")
        app.config.update(SECRET_KEY="the host's", IMAGESTORE_CONFIG=config_path, IMAGESTORE_ACCESS=access)
        app.config.update(config)
        ImageStore(app, can_write=can_write, can_read=can_read)
        return closed_afterwards(app)

    return mount_


@pytest.fixture
def host_app(config_path, access, monkeypatch, closed_afterwards):
    """``examples/host_app.py`` on this test's store, in its access mode, as its docstring runs it."""
    monkeypatch.setenv("FLASK_IMAGESTORE_CONFIG", str(config_path))
    monkeypatch.setenv("FLASK_IMAGESTORE_ACCESS", access)
    spec = importlib.util.spec_from_file_location("host_app", HOST_APP)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "host_app", module)
    spec.loader.exec_module(module)
    return closed_afterwards(module.create_app())


@pytest.fixture
def db(app):
    """The app's database, as a view has it."""
    with app.app_context():
        yield get_db()


@pytest.fixture
def small_parts(monkeypatch):
    """Parts of four entries, so that a few images make a snapshot of several parts."""
    monkeypatch.setattr(snapshot, "PART_SIZE", 4)


@pytest.fixture
def upload(client):
    """Post ``(filename, bytes)`` pairs in field ``file``, to the API unless told otherwise."""

    def post(*files, url="/api/images", to=client, **kwargs):
        fields = {"file": [(io.BytesIO(data), filename) for filename, data in files]}
        return to.post(url, data=fields, content_type="multipart/form-data", **kwargs)

    return post


@pytest.fixture
def start_app():
    """Start scripts as users do, each in its own process; they are stopped after the test."""
    running = []

    def start(*args, **kwargs):
        running.append(RunningApp(*args, **kwargs))
        return running[-1]

    yield start
    for app in running:
        if app.process.poll() is None:
            app.stop()


@pytest.fixture(params=["aws", "azure"])
def cloud(request):
    return request.param


class StoreUnderTest:
    """A test's store, which apps made in the test open with ``config``; ``direct_variables``
    reach its storage straight, as an operator's shell does."""

    def __init__(self, config, direct_variables):
        self.config, self.direct_variables = config, direct_variables

    def keys(self):
        """Every key the store holds, listed straight from storage."""
        app = create_app(self.config, access="shared", overrides={"DISCOVERY_SECONDS": 0})
        try:
            with app.app_context():
                return set(backend_of(get_db()).keys_in_order("", ""))
        finally:
            current(app).access.close()

    def originals(self):
        """The keys of the images the store holds, outside the reserved prefix."""
        return {name for name in self.keys() if not name.startswith(RESERVED_PREFIX)}

    def unfinished(self):
        """The notes of uploads and deletes under way or left unfinished (``unfinished.py``)."""
        return [name for name in self.keys() if name.startswith(UNFINISHED_PREFIX) and name != FOLDER_KEEPER]

    def verify(self):
        """``imagestore verify`` run as an operator runs it, straight against storage."""
        return run_imagestore("verify", str(self.config), variables=self.direct_variables)


class FaultyStore(StoreUnderTest):
    """A store on moto or Azurite that the app reaches through ``proxy`` (``faults.py``)."""

    def __init__(self, config, proxy, direct_variables):
        super().__init__(config, direct_variables)
        self.proxy = proxy


@pytest.fixture
def faulty_store(cloud, store_name, tmp_path, backend_environment, request, monkeypatch):
    """This test's store on moto or Azurite, which apps made in the test reach through a proxy
    that fails when told to."""
    direct = backend_environment(cloud)
    endpoint = request.getfixturevalue("s3_endpoint" if cloud == "aws" else "azurite_endpoint")
    proxy = FaultyProxy(endpoint, store_name, slow_seconds=STORAGE_TIMEOUT + 1)
    if cloud == "aws":
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    else:
        monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite_connection_string(proxy.url))
    yield FaultyStore(write_ini(cloud, store_name, tmp_path), proxy, direct)
    proxy.close()


@pytest.fixture
def faulty_app(faulty_store, access, closed_afterwards):
    """An app on ``faulty_store`` that gives up on storage within a second or two."""
    return closed_afterwards(create_app(faulty_store.config, access=access, overrides=FAST_FAILING))


@pytest.fixture
def store_on_seaweedfs_cluster(seaweedfs_cluster, store_name, tmp_path, monkeypatch):
    """This test's store, a bucket of the SeaweedFS cluster, which apps made in the test reach
    straight; every volume server the test killed is started again afterwards."""
    variables = s3_variables(seaweedfs_cluster.url)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    yield StoreUnderTest(write_ini("seaweedfs", store_name, tmp_path), variables)
    seaweedfs_cluster.start_stopped_volume_servers()
