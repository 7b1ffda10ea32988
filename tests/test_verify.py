"""``imagestore verify CONFIG.ini [--repair]``, run as operators run it: a healthy store is
whole; each kind of damage is found and named, ``--repair`` makes the store whole again,
and the gallery shows every image that is left."""

import pytest
import samples
from filled import fill_as_users_do, with_encryption
from processes import run_imagestore

from imagestore.index import snapshot
from imagestore.staging import STAGING_PREFIX
from imagestore.store import METADATA_PREFIX, SIZED_PREFIX, THUMBNAIL_PREFIX

ENCRYPTION_KEY = "v" * 32


@pytest.fixture(params=["filesystem", "aws", "azure"])
def any_store(request, own_config, backend_environment):
    variables = backend_environment(request.param)
    return str(own_config(request.param)), variables


@pytest.fixture
def open_app(open_app):
    """Apps that leave other tools' changes to ``verify``: a running app's discovery would
    otherwise find an image deleted by hand before ``verify`` does."""
    return lambda config: open_app(config, DISCOVERY_SECONDS=0)


def verify(config, variables, *options):
    return run_imagestore("verify", config, *options, variables=variables)


def indexed(app):
    """The app's gallery, once the store's index is written."""
    listing = app.test_client().get("/api/images?per_page=100").json
    return sorted(image["key"] for image in listing["images"])


def test_a_healthy_store_is_whole(any_store, open_app):
    config, variables = any_store
    fill_as_users_do(open_app(config))
    indexed(open_app(config))
    code, said = verify(config, variables)
    assert code == 0, said
    assert "3 images checked" in said and "0 problems" in said


@pytest.fixture
def folder_store(own_config, tmp_path):
    """A folder store's .ini, and the folder its objects are in."""
    return str(own_config("filesystem")), tmp_path / "images"


DAMAGE = {
    "record gone": (
        lambda folder: (folder / METADATA_PREFIX / "photo.jpg").unlink(),
        "photo.jpg: has no record",
    ),
    "thumbnail gone": (
        lambda folder: (folder / THUMBNAIL_PREFIX / "photo.jpg").unlink(),
        "photo.jpg: has no thumbnail",
    ),
    "bytes changed": (
        lambda folder: (folder / "photo.jpg").write_bytes(samples.image(seed=5)),
        "photo.jpg: bytes are not those of its record (sha256, size, content_type differ)",
    ),
    "orphan record": (
        lambda folder: (folder / METADATA_PREFIX / "ghost.png").write_bytes(b"{}"),
        ".imagestore/metadata/ghost.png: record of an image that is gone",
    ),
    "orphan size": (
        lambda folder: _write(folder / SIZED_PREFIX / "w320" / "ghost.png", samples.image()),
        ".imagestore/sized/w320/ghost.png: size kept of an image that is gone",
    ),
    "index entry without its image": (
        lambda folder: (folder / "IMG_0002.HEIC").unlink(),
        "the store's index holds 1 images that are gone: IMG_0002.HEIC",
    ),
}


def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_sizes_made_on_first_request_are_no_problem(folder_store, open_app):
    config, folder = folder_store
    app = open_app(config)
    fill_as_users_do(app)
    for image in app.test_client().get("/api/images").json["images"]:
        if image["srcset"]:
            assert app.test_client().get(image["srcset"].split(" ")[0]).status_code == 200
    assert list((folder / SIZED_PREFIX).rglob("*.*"))
    code, said = verify(config, {})
    assert code == 0 and "0 problems" in said, said


@pytest.mark.parametrize("damage", DAMAGE)
def test_each_kind_of_damage_is_found_then_repaired(folder_store, open_app, damage):
    config, folder = folder_store
    fill_as_users_do(open_app(config))
    before = indexed(open_app(config))
    harm, named = DAMAGE[damage]
    harm(folder)
    code, said = verify(config, {})
    assert code == 1 and named in said, said
    code, said = verify(config, {}, "--repair")
    assert code == 0 and "0 problems left" in said, said
    code, said = verify(config, {})
    assert code == 0 and "0 problems" in said, said
    left = [key for key in before if (folder / key).exists()]
    assert indexed(open_app(config)) == left


def test_an_image_that_cannot_be_decrypted_is_reported_and_never_deleted(
    own_config, open_app, monkeypatch, tmp_path
):
    monkeypatch.setenv("IMAGESTORE_ENCRYPTION_KEY", ENCRYPTION_KEY)
    config = str(with_encryption(own_config("filesystem")))
    variables = {"IMAGESTORE_ENCRYPTION_KEY": ENCRYPTION_KEY}
    fill_as_users_do(open_app(config))
    (tmp_path / "images" / "garbled.png").write_bytes(samples.image(seed=3))
    (tmp_path / "images" / THUMBNAIL_PREFIX / "photo.jpg").write_bytes(b"not ciphertext")
    code, said = verify(config, variables)
    assert code == 1
    assert "garbled.png: cannot be decrypted" in said and "thumbnail cannot be decrypted" in said
    code, said = verify(config, variables, "--repair")
    assert code == 1 and "cannot repair garbled.png" in said and "1 problems left" in said
    assert (tmp_path / "images" / "garbled.png").exists()
    assert "thumbnail" not in verify(config, variables)[1]


def test_the_index_is_written_again_by_a_repair(folder_store, open_app):
    config, folder = folder_store
    fill_as_users_do(open_app(config))
    indexed(open_app(config))
    (folder / "IMG_0002.HEIC").unlink()
    old = {path.name for path in (folder / snapshot.MANIFEST_PREFIX).iterdir()}
    verify(config, {}, "--repair")
    assert {path.name for path in (folder / snapshot.MANIFEST_PREFIX).iterdir()} - old


def test_an_upload_staged_a_day_ago_and_never_claimed_is_deleted_by_a_repair(folder_store, open_app):
    config, folder = folder_store
    fill_as_users_do(open_app(config))
    indexed(open_app(config))
    abandoned = folder / STAGING_PREFIX / f"{1:020d}-0123456789abcdef"
    abandoned.parent.mkdir(parents=True)
    abandoned.write_bytes(b"never claimed")
    code, said = verify(config, {})
    assert code == 1 and "upload staged more than a day ago and never claimed" in said
    assert verify(config, {}, "--repair")[0] == 0
    assert not abandoned.exists()
