"""encrypted.ini's [encryption] section on every backend: images stored as ciphertext, served as images."""

import configparser

import pytest
import samples
from emulators import PROJECT_ROOT

from imagestore import StartupError, create_app

KEY = "k" * 32


@pytest.fixture
def config_path(config_path, monkeypatch):
    """This test's BACKEND.ini with encrypted.ini's [encryption] section added."""
    monkeypatch.setenv("IMAGESTORE_ENCRYPTION_KEY", KEY)
    example = configparser.ConfigParser()
    example.read(PROJECT_ROOT / "encrypted.ini")
    config = configparser.ConfigParser()
    config.read(config_path)
    config["encryption"] = example["encryption"]
    with open(config_path, "w") as out:
        config.write(out)
    return config_path


def test_an_encrypted_image_is_served_back_byte_identical(client, upload):
    original = samples.photo(size=(400, 300))
    stored = upload(("secret.jpg", original)).json["stored"][0]
    assert client.get(stored["url"]).data == original
    assert client.get(stored["thumbnail_url"]).content_type == "image/webp"
    assert client.get("/api/images").json["images"][0]["width"] == 400


def test_the_store_holds_ciphertext_not_the_image(storage, upload):
    original = samples.image("png", seed=7)
    upload(("secret.png", original))
    stored = storage.get("secret.png")
    assert stored != original
    assert not stored.startswith(b"\x89PNG")
    assert original[100:140] not in stored


def test_an_encrypted_image_can_be_deleted(client, upload):
    upload(("secret.png", samples.image()))
    assert client.delete("/api/images/secret.png").status_code == 204
    assert client.get("/api/images").json["total"] == 0


def test_an_image_read_with_another_key_is_a_plain_error(make_app, upload, monkeypatch):
    upload(("secret.png", samples.image()))
    monkeypatch.setenv("IMAGESTORE_ENCRYPTION_KEY", "x" * 32)
    answer = make_app().test_client().get("/image/secret.png")
    assert answer.status_code == 500
    assert "cannot be decrypted with the configured key" in answer.get_data(as_text=True)


def test_a_missing_key_is_a_startup_error_naming_the_variable(config_path, monkeypatch):
    monkeypatch.delenv("IMAGESTORE_ENCRYPTION_KEY")
    with pytest.raises(StartupError, match="IMAGESTORE_ENCRYPTION_KEY is not set"):
        create_app(config_path)


def test_a_key_of_the_wrong_length_is_a_startup_error(config_path, monkeypatch):
    monkeypatch.setenv("IMAGESTORE_ENCRYPTION_KEY", "short")
    with pytest.raises(StartupError, match="5 bytes long; AES-256 needs exactly 32"):
        create_app(config_path)


def test_a_file_put_in_unencrypted_by_another_tool_does_not_break_the_gallery(client, storage, upload):
    upload(("mine.png", samples.image()))
    storage.put("foreign.png", samples.image(seed=5))
    assert client.get("/").status_code == 200
    listing = client.get("/api/images").json
    assert sorted(image["key"] for image in listing["images"]) == ["foreign.png", "mine.png"]
    assert client.get("/image/foreign.png").status_code == 500


def test_an_encrypted_store_serves_through_the_app_even_when_asked_to_redirect(make_app, upload):
    client = make_app(SERVE="redirect").test_client()
    original = samples.image()
    url = upload(("a.png", original), to=client).json["stored"][0]["url"]
    answer = client.get(url)
    assert answer.status_code == 200 and answer.data == original
