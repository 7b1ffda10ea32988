"""The scripts as a user starts them: one clear line and exit code 2 when they cannot start."""

import shutil
import subprocess
import sys

import pytest
import requests
import samples
from azure.storage.blob import BlobServiceClient
from emulators import PROJECT_ROOT, azurite_connection_string, free_port, write_ini
from over_http import upload_over_http
from processes import clean_environment

SCRIPTS = ("app.py", "app-single-access.py", "app-shared-access.py")


def start_failure(*args, script="app.py", **variables):
    """Run a script that should not start; return its exit code and stderr lines."""
    command = [sys.executable, str(PROJECT_ROOT / script), *args, "--port", str(free_port())]
    environment = clean_environment(**variables)
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    return done.returncode, done.stderr.strip().splitlines()


def write(path, text):
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_missing_ini_is_one_line_and_exit_code_2(script):
    code, lines = start_failure("nowhere.ini", script=script)
    assert (code, lines) == (2, ["error: config file nowhere.ini does not exist"])


@pytest.mark.parametrize(
    ("ini_text", "message"),
    [
        ("this is not an ini file\n", "is malformed: File contains no section headers."),
        ("[default]\nfolder_path = x\n", "has no [default] section with a provider"),
        ("[default]\nprovider = floppy-disk\n", "names provider 'floppy-disk'"),
        ("[default]\nprovider = in-memory\n", "must set use_pickle = false"),
    ],
    ids=["malformed", "no provider", "unknown provider", "pickled values"],
)
def test_an_unusable_ini_is_one_line_and_exit_code_2(tmp_path, ini_text, message):
    code, lines = start_failure(write(tmp_path / "bad.ini", ini_text))
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith("error: ") and message in lines[0]


@pytest.mark.parametrize("script", ["app.py", "app-shared-access.py"])
@pytest.mark.parametrize(
    ("ini", "provider", "variable"),
    [
        ("aws.ini", "aws-s3", "AWS_ACCESS_KEY_ID"),
        ("azure.ini", "azure-blob", "AZURE_STORAGE_CONNECTION_STRING"),
    ],
)
def test_a_secret_missing_from_the_environment_is_named(script, ini, provider, variable):
    code, lines = start_failure(ini, script=script)
    assert code == 2
    assert lines == [
        f"error: {ini} ({provider}): the environment variable {variable} is not set, and the .ini needs it"
    ]


def test_an_unreachable_s3_endpoint_is_one_line_and_exit_code_2():
    closed = f"http://127.0.0.1:{free_port()}"
    code, lines = start_failure(
        "aws.ini",
        AWS_ENDPOINT_URL=closed,
        AWS_ACCESS_KEY_ID="x",
        AWS_SECRET_ACCESS_KEY="y",
        AWS_DEFAULT_REGION="us-east-1",
    )
    assert code == 2 and len(lines) == 1
    assert "cannot reach the S3 endpoint" in lines[0] and closed in lines[0]


def test_an_unreachable_azure_endpoint_is_one_line_and_exit_code_2():
    closed = azurite_connection_string(f"http://127.0.0.1:{free_port()}")
    code, lines = start_failure("azure.ini", AZURE_STORAGE_CONNECTION_STRING=closed)
    assert code == 2 and len(lines) == 1
    assert "cannot reach the Azure Blob Storage endpoint" in lines[0]


def test_bad_azure_credentials_are_one_line_and_exit_code_2(azurite_endpoint):
    wrong_key = azurite_connection_string(azurite_endpoint, key="d3Jvbmcga2V5")
    code, lines = start_failure("azure.ini", AZURE_STORAGE_CONNECTION_STRING=wrong_key)
    assert code == 2
    assert lines == [
        "error: azure.ini (azure-blob): Azure Blob Storage refused the credentials in the connection string"
    ]


@pytest.mark.parametrize("script", SCRIPTS)
def test_listening_beyond_loopback_without_a_write_token_is_refused(script):
    code, lines = start_failure("--host", "0.0.0.0", script=script)
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith("error: listening on 0.0.0.0 lets other machines upload and delete")
    assert "IMAGESTORE_WRITE_TOKEN" in lines[0]


def upload_and_fetch(base_url, filename, data):
    key = upload_over_http(base_url, filename, data, timeout=30)
    return key, requests.get(f"{base_url}/image/{key}", timeout=30).content


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_in_memory_default_serves_and_warns_that_images_are_lost_at_exit(start_app, script):
    app = start_app(script=script)
    assert requests.get(app.url, timeout=10).status_code == 200
    original = samples.image()
    assert upload_and_fetch(app.url, "a.png", original)[1] == original
    assert "they are lost when it stops" in app.stop()


def test_shared_access_on_azurite_with_only_the_connection_string(start_app, azurite_endpoint):
    connection_string = azurite_connection_string(azurite_endpoint)
    app = start_app(
        "azure.ini", script="app-shared-access.py", AZURE_STORAGE_CONNECTION_STRING=connection_string
    )
    original = samples.photo(size=(500, 400))
    key, served = upload_and_fetch(app.url, "from-the-script.jpg", original)
    assert served == original
    container = BlobServiceClient.from_connection_string(connection_string).get_container_client(
        "imagestore-images"
    )
    assert samples.sha256(container.download_blob(key).readall()) == samples.sha256(original)


def test_the_filesystem_backend_keeps_images_in_a_folder_beside_its_ini_wherever_started(start_app, tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "elsewhere").mkdir()
    ini = shutil.copy(PROJECT_ROOT / "filesystem.ini", tmp_path / "config")
    app = start_app(str(ini), script="app.py", cwd=tmp_path / "elsewhere")
    original = samples.image(seed=3)
    upload_and_fetch(app.url, "kept.png", original)
    assert (tmp_path / "config" / "var" / "images" / "kept.png").read_bytes() == original
    assert not (tmp_path / "elsewhere" / "var").exists()


@pytest.mark.parametrize("backend", ["filesystem", "aws", "azure"], indirect=True)
def test_gunicorn_with_two_workers_serves_a_store_it_creates(
    start_app, backend, backend_variables, store_name, tmp_path
):
    """The README's production command, on a bucket or container that does not exist yet:
    both workers find it missing at start, and both create it."""
    ini = write_ini(backend, store_name, tmp_path)
    factory = f'imagestore:create_app("{ini}", access="shared")'
    variables = backend_variables(backend)
    app = start_app("--workers", "2", "--threads", "8", factory, script="gunicorn", **variables)
    original = samples.image(seed=5)
    assert upload_and_fetch(app.url, "served.png", original)[1] == original
    assert app.process.poll() is None, app.output()


@pytest.mark.parametrize("value", ["inf", "nan", "1e400", "-3", "many"])
def test_a_limit_that_is_not_a_positive_number_is_one_line_and_exit_code_2(value):
    code, lines = start_failure(IMAGESTORE_MAX_UPLOAD_MB=value)
    assert code == 2
    assert lines == [
        f"error: environment variable IMAGESTORE_MAX_UPLOAD_MB={value!r} is not a positive number"
    ]


@pytest.mark.parametrize("variable", ["IMAGESTORE_DIRECT_UPLOADS_PER_MINUTE", "IMAGESTORE_STAGED_MB"])
def test_a_bound_on_direct_uploads_must_be_a_positive_number(variable):
    code, lines = start_failure(**{variable: "0"})
    assert code == 2
    assert lines == [f"error: environment variable {variable}='0' is not a positive number"]
