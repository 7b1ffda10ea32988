"""The operator's command line: ``imagestore import`` and ``imagestore export``, run as
operators run them, in a process of their own, on a store an app serves."""

import sys

import camera_files
import pytest
import requests
import samples
from emulators import PROJECT_ROOT
from processes import run_imagestore as run


@pytest.fixture(params=["filesystem", "aws", "azure"])
def store(request, own_config, backend_variables):
    """A store that another process can reach: the .ini and its environment variables."""
    return str(own_config(request.param)), backend_variables(request.param)


@pytest.fixture
def photo_folder(tmp_path):
    """A folder as a camera card holds it: photos in subfolders, one file that is no image."""
    folder = tmp_path / "card"
    (folder / "DCIM" / "100").mkdir(parents=True)
    (folder / "DCIM" / "100" / "IMG_0001.JPG").write_bytes(camera_files.jpeg())
    (folder / "DCIM" / "100" / "IMG_0002.HEIC").write_bytes(camera_files.heic())
    (folder / "notes.txt").write_text("not a photo")
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    return folder


def test_import_stores_every_image_under_the_paths_as_uploads_do(store, photo_folder, start_app):
    config, variables = store
    code, said = run("import", config, str(photo_folder), variables=variables)
    assert code == 1, said
    assert "refused" in said and "notes.txt: this is not a PNG" in said
    assert "2 stored, 1 refused" in said
    app = start_app(config, script="app-shared-access.py", **variables)
    listing = requests.get(f"{app.url}/api/images", timeout=60).json()
    assert sorted(image["key"] for image in listing["images"]) == ["IMG_0001.JPG", "IMG_0002.HEIC"]
    assert all(image["location_removed"] for image in listing["images"])


def test_export_writes_every_original_under_its_key_and_a_second_run_writes_nothing(
    store, tmp_path, start_app
):
    config, variables = store
    app = start_app(config, script="app-shared-access.py", **variables)
    originals = {"a.png": samples.image(seed=1), "b.jpg": samples.image("jpeg", seed=2)}
    for name, data in originals.items():
        requests.post(f"{app.url}/api/images", files={"file": (name, data)}, timeout=60).raise_for_status()
    backup = tmp_path / "backup"
    code, said = run("export", config, str(backup), variables=variables)
    assert code == 0, said
    assert {path.name: path.read_bytes() for path in backup.iterdir()} == originals
    assert "2 written, 0 already there, 0 failed" in said
    code, said = run("export", config, str(backup), variables=variables)
    assert code == 0 and "0 written, 2 already there, 0 failed" in said


def test_python_dash_m_imagestore_is_the_same_command(store, tmp_path):
    config, variables = store
    as_module = (sys.executable, "-m", "imagestore")
    code, said = run("export", config, str(tmp_path / "empty"), variables=variables, command=as_module)
    assert code == 0 and "0 written" in said


def test_the_in_memory_backend_cannot_be_reached_from_another_process(tmp_path):
    code, said = run("export", str(PROJECT_ROOT / "in-memory.ini"), str(tmp_path), variables={})
    assert code == 2 and "no other process can reach it" in said


def test_import_names_a_path_that_does_not_exist(store, tmp_path):
    config, variables = store
    code, said = run("import", config, str(tmp_path / "typo"), variables=variables)
    assert code == 1 and "no such file or folder" in said and "0 stored, 1 refused" in said


def test_exported_files_are_readable_as_any_new_file_is(store, tmp_path, start_app):
    config, variables = store
    app = start_app(config, script="app-shared-access.py", **variables)
    files = {"file": ("a.png", samples.image())}
    requests.post(f"{app.url}/api/images", files=files, timeout=60).raise_for_status()
    assert run("export", config, str(tmp_path / "backup"), variables=variables)[0] == 0
    assert (tmp_path / "backup" / "a.png").stat().st_mode & 0o044 == 0o044
    assert not [path for path in (tmp_path / "backup").iterdir() if path.name.startswith(".export-")]


@pytest.mark.parametrize("backend", ["filesystem", "aws", "azure"], indirect=True)
@pytest.mark.parametrize("access", ["shared"], indirect=True)
def test_scan_shows_at_once_what_other_tools_added_and_removed(
    backend, config_path, make_app, storage, upload, backend_variables
):
    """The app's own discovery is off, so what it shows comes from the scan alone."""
    client = make_app(DISCOVERY_SECONDS=0).test_client()
    upload(("1.png", samples.image(seed=1)), ("2.png", samples.image(seed=2)), to=client)
    assert client.get("/api/images").json["total"] == 2
    storage.put("synced.png", samples.image(seed=3))
    storage.delete("1.png")
    code, said = run("scan", str(config_path), variables=backend_variables(backend))
    assert code == 0, said
    assert said.splitlines()[-1] == "1 added by other tools, 1 removed; 2 images"
    listing = client.get("/api/images").json
    assert sorted(image["key"] for image in listing["images"]) == ["2.png", "synced.png"]
    assert listing["total"] == 2
