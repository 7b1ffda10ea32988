"""``imagestore copy SRC.ini DST.ini``, run as operators run it: the gallery on the
destination is the gallery on the source, between any two of folder, S3 and Azure,
encrypted or not; a second run writes nothing, a run cut short completes when run
again, and a different image under a key is reported and left alone."""

import re
import signal
import subprocess
import time

import pytest
import requests
import samples
from emulators import PROJECT_ROOT, write_ini
from filled import fill_as_users_do, with_encryption
from processes import IMAGESTORE, clean_environment, run_imagestore

from imagestore.commands.store_copy import StoreCopy
from imagestore.database import get_db
from imagestore.index.journal import Journal

SHARED_BACKENDS = ("filesystem", "aws", "azure")
DIRECTIONS = [(source, to) for source in SHARED_BACKENDS for to in SHARED_BACKENDS if source != to]
ENCRYPTION_KEY = "c" * 32


@pytest.fixture(params=DIRECTIONS, ids=[f"{a}-to-{b}" for a, b in DIRECTIONS])
def two_stores(request, own_config, backend_environment):
    """The source's and the destination's .ini, and the environment both need."""
    source, destination = request.param
    variables = backend_environment(source, destination)
    return str(own_config(source)), str(own_config(destination)), variables


def gallery(app):
    """What the gallery shows: every image's record in order, and its bytes."""
    client = app.test_client()
    images = client.get("/api/images?per_page=100").json["images"]
    return images, {image["key"]: client.get(f"/image/{image['key']}").data for image in images}


def copy(source, destination, variables):
    return run_imagestore("copy", source, destination, variables=variables)


def test_copy_makes_the_destination_s_gallery_the_source_s(two_stores, open_app):
    source, destination, variables = two_stores
    fill_as_users_do(open_app(source))
    code, said = copy(source, destination, variables)
    assert code == 0, said
    assert "3 copied, 0 already there, 0 in conflict, 0 failed" in said
    assert gallery(open_app(destination)) == gallery(open_app(source))


@pytest.mark.parametrize("direction", ["plain-to-encrypted", "encrypted-to-plain"])
def test_copy_goes_into_and_out_of_encryption(direction, tmp_path, store_name, open_app, monkeypatch):
    monkeypatch.setenv("IMAGESTORE_ENCRYPTION_KEY", ENCRYPTION_KEY)
    for side in ("plain", "encrypted"):
        (tmp_path / side).mkdir()
    plain = str(write_ini("filesystem", store_name, tmp_path / "plain"))
    encrypted = str(with_encryption(write_ini("filesystem", store_name, tmp_path / "encrypted")))
    source, destination = (plain, encrypted) if direction == "plain-to-encrypted" else (encrypted, plain)
    fill_as_users_do(open_app(source))
    code, said = copy(source, destination, {"IMAGESTORE_ENCRYPTION_KEY": ENCRYPTION_KEY})
    assert code == 0, said
    assert gallery(open_app(destination)) == gallery(open_app(source))
    original = (tmp_path / "plain" / "images" / "photo.jpg").read_bytes()
    assert (tmp_path / "encrypted" / "images" / "photo.jpg").read_bytes() != original


@pytest.fixture
def to_a_folder(own_config, backend_environment, tmp_path):
    """S3 to a folder, whose files show whether anything was written again."""
    variables = backend_environment("aws")
    return str(own_config("aws")), str(own_config("filesystem")), variables, tmp_path / "images"


def files_in(folder):
    """Each file with its inode and time of change: a file written again gets new ones."""
    files = [path for path in folder.rglob("*") if path.is_file()]
    return {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in files}


def test_a_second_copy_copies_nothing_and_writes_no_object(to_a_folder, open_app):
    source, destination, variables, folder = to_a_folder
    fill_as_users_do(open_app(source))
    assert copy(source, destination, variables)[0] == 0
    before = files_in(folder)
    code, said = copy(source, destination, variables)
    assert code == 0 and "0 copied, 3 already there" in said
    assert files_in(folder) == before


def test_a_copy_cut_short_completes_when_run_again(to_a_folder, open_app):
    source, destination, variables, folder = to_a_folder
    fill_as_users_do(open_app(source), count=40)
    cut_short = subprocess.Popen(
        [str(IMAGESTORE), "copy", source, destination], cwd=PROJECT_ROOT,
        env=clean_environment(**variables), stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(list(folder.glob(".imagestore/newest/*/*"))) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    cut_short.send_signal(signal.SIGKILL)
    assert cut_short.wait(timeout=30) == -signal.SIGKILL
    images_before = {path: held for path, held in files_in(folder).items() if path.parent == folder}
    code, said = copy(source, destination, variables)
    assert code == 0, said
    copied, already_there = map(int, re.search(r"(\d+) copied, (\d+) already there", said).groups())
    assert copied + already_there == 43 and already_there >= 5
    assert {path: files_in(folder)[path] for path in images_before} == images_before
    assert gallery(open_app(destination)) == gallery(open_app(source))


def test_a_different_image_under_a_key_is_a_conflict_reported_and_left_alone(to_a_folder, open_app):
    source, destination, variables, folder = to_a_folder
    fill_as_users_do(open_app(source))
    folder.mkdir(parents=True)
    theirs = samples.image(seed=1234)
    (folder / "photo.jpg").write_bytes(theirs)
    code, said = copy(source, destination, variables)
    assert code == 1
    assert "conflict photo.jpg" in said and "2 copied, 0 already there, 1 in conflict, 0 failed" in said
    assert (folder / "photo.jpg").read_bytes() == theirs


def test_images_copied_show_at_once_in_an_app_already_serving_the_destination(to_a_folder, open_app):
    source, destination, variables, _ = to_a_folder
    fill_as_users_do(open_app(source))
    serving = open_app(destination).test_client()
    assert serving.get("/api/images").json["total"] == 0
    assert copy(source, destination, variables)[0] == 0
    assert serving.get("/api/images").json["total"] == 3


def served_gallery(app):
    """What a browser and an API client see of the gallery on a running app: the images'
    records in order, each original's and thumbnail's bytes, and the first page."""
    images = requests.get(f"{app.url}/api/images?per_page=100", timeout=30).json()["images"]
    served = {image["key"]: requests.get(f"{app.url}/image/{image['key']}", timeout=30).content
              for image in images}  # fmt: skip
    thumbnails = {image["key"]: requests.get(f"{app.url}{image['thumbnail_url']}", timeout=30).content
                  for image in images}  # fmt: skip
    return images, served, thumbnails


def test_a_folder_store_moves_to_s3_then_azure_whole_and_shows_the_same_gallery(
    own_config, backend_variables, open_app, start_app
):
    variables = backend_variables("aws") | backend_variables("azure")
    folder, s3, azure = (str(own_config(backend)) for backend in SHARED_BACKENDS)
    fill_as_users_do(open_app(folder), count=5)
    for source, destination in ((folder, s3), (s3, azure)):
        code, said = copy(source, destination, variables)
        assert code == 0 and "8 copied" in said, said
    for config in (folder, s3, azure):
        code, said = run_imagestore("verify", config, variables=variables)
        assert code == 0 and "8 images checked" in said and "0 problems" in said, said
    apps = [start_app(config, script="app.py", **variables) for config in (folder, s3, azure)]
    galleries = [served_gallery(app) for app in apps]
    assert len(galleries[0][0]) == 8
    assert galleries[0] == galleries[1] == galleries[2]


@pytest.fixture
def folder_to_folder(own_config, tmp_path, store_name, open_app):
    """The databases of two folder stores in this process, the source filled as users do,
    the destination's folder, and an app serving the destination."""
    (tmp_path / "to").mkdir()
    source = open_app(str(own_config("filesystem")))
    destination = open_app(str(write_ini("filesystem", store_name, tmp_path / "to")))
    fill_as_users_do(source)
    with source.app_context():
        source_db = get_db()
    with destination.app_context():
        destination_db = get_db()
    return source_db, destination_db, tmp_path / "to" / "images", destination


def copy_all(copier):
    return {key: copier.copy((uploaded_ns, key)).verdict for uploaded_ns, key in copier.images()}


def test_a_different_image_put_in_the_destination_after_it_was_listed_is_a_conflict(folder_to_folder):
    source_db, destination_db, folder, _ = folder_to_folder
    copier = StoreCopy(source_db, destination_db)
    theirs = samples.image(seed=4321)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "photo.jpg").write_bytes(theirs)
    assert copy_all(copier)["photo.jpg"] == "conflict"
    assert (folder / "photo.jpg").read_bytes() == theirs


def test_an_image_deleted_from_the_destination_after_it_was_listed_is_copied_again(folder_to_folder):
    source_db, destination_db, folder, _ = folder_to_folder
    copy_all(StoreCopy(source_db, destination_db))
    copier = StoreCopy(source_db, destination_db)
    (folder / "photo.jpg").unlink()
    verdicts = copy_all(copier)
    assert verdicts.pop("photo.jpg") == "copied" and set(verdicts.values()) == {"already there"}
    assert (folder / "photo.jpg").read_bytes() == source_db["photo.jpg"]


class CutShort(Exception):
    """The copy stopped here, as when it is killed."""


def cut_short(*args):
    raise CutShort


def test_a_copy_cut_short_before_telling_serving_apps_of_an_upload_tells_them_when_run_again(
    folder_to_folder, monkeypatch
):
    source_db, destination_db, _, destination = folder_to_folder
    serving = destination.test_client()
    assert serving.get("/api/images").json["total"] == 0
    first = StoreCopy(source_db, destination_db)
    with monkeypatch.context() as cut:
        cut.setattr(Journal, "record", cut_short)
        for entry in first.images():
            with pytest.raises(CutShort):
                first.copy(entry)
    verdicts = copy_all(StoreCopy(source_db, destination_db))
    assert verdicts["photo.jpg"] == verdicts["IMG_0002.HEIC"] == "copied"
    shown = [image["key"] for image in serving.get("/api/images").json["images"]]
    assert {"photo.jpg", "IMG_0002.HEIC"} <= set(shown)
