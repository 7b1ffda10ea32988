"""Stores as users fill them, for the operator's commands to work on."""

import configparser
import io

import camera_files
import samples
from emulators import PROJECT_ROOT

from imagestore import database


def fill_as_users_do(app, count=0):
    """Uploads as users send them (one needs a rendition), and an image another tool put in."""
    files = [("photo.jpg", samples.photo(size=(640, 480))), ("IMG_0002.HEIC", camera_files.heic())]
    files += [(f"p{n:03}.png", samples.image(size=(16, 16), seed=n)) for n in range(count)]
    client = app.test_client()
    for name, data in files:
        assert client.post("/api/images", data={"file": (io.BytesIO(data), name)}).status_code == 201
    with app.app_context():
        database.get_db()["by-a-tool.png"] = samples.image(seed=99)


def with_encryption(config):
    """The .ini with encrypted.ini's [encryption] section added."""
    example, parser = configparser.ConfigParser(), configparser.ConfigParser()
    example.read(PROJECT_ROOT / "encrypted.ini")
    parser.read(config)
    parser["encryption"] = example["encryption"]
    with open(config, "w") as out:
        parser.write(out)
    return config
