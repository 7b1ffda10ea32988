"""The package as users get it: the wheel ``pip wheel .`` builds, installed with its
requirements into a fresh virtual environment and run from a folder outside the
repository, where only what the wheel holds can be found."""

import io
import json
import re
import shutil
import subprocess
import sys

import camera_files
import pytest
import requests
import samples
from emulators import PROJECT_ROOT
from over_http import upload_over_http
from PIL import Image
from processes import RunningApp, clean_environment


@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    """The Python of a fresh virtual environment holding the built wheel and its requirements."""
    built = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", built, PROJECT_ROOT)
    venv = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    (wheel,) = built.glob("imagestore-*.whl")
    run(python, "-m", "pip", "install", wheel, "--requirement", PROJECT_ROOT / "requirements.txt")
    return python


@pytest.fixture
def elsewhere(tmp_path):
    """An empty folder outside the repository, where the example .ini files are copied out."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def run(*command, cwd=None):
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=clean_environment(), capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


def test_init_copies_the_example_configurations_out_of_the_package(installed, elsewhere):
    said = run(installed.parent / "imagestore", "init", cwd=elsewhere).stdout
    assert {path.name for path in elsewhere.iterdir()} >= {
        "in-memory.ini",
        "filesystem.ini",
        "aws.ini",
        "azure.ini",
    }
    assert "filesystem.ini" in said


def test_the_installed_package_serves_pages_styles_its_api_document_uploads_and_images(installed, elsewhere):
    run(installed.parent / "imagestore", "init", cwd=elsewhere)
    app = RunningApp("serve", "filesystem.ini", script="imagestore", python=installed, cwd=elsewhere)
    try:
        page = requests.get(app.url, timeout=30)
        assert page.status_code == 200 and "style.css" in page.text
        assert requests.get(f"{app.url}/static/style.css", timeout=30).status_code == 200
        assert requests.get(f"{app.url}/api/openapi.json", timeout=30).json()["openapi"] == "3.1.0"
        photo = samples.photo(size=(640, 480))
        key = upload_over_http(app.url, "holiday.jpg", photo)
        assert requests.get(f"{app.url}/image/{key}", timeout=30).content == photo
    finally:
        app.stop()
    assert (elsewhere / "var" / "images" / key).read_bytes() == photo


def test_gunicorn_serves_the_installed_app_from_any_folder(installed, elsewhere, tmp_path):
    run(installed.parent / "imagestore", "init", cwd=elsewhere)
    config = elsewhere / "filesystem.ini"
    app = RunningApp(
        f'imagestore:create_app("{config}", access="shared")',
        script="gunicorn",
        python=installed,
        cwd=tmp_path,
    )
    try:
        key = upload_over_http(app.url, "a.png", samples.image())
        assert key in requests.get(f"{app.url}/", timeout=30).text
    finally:
        app.stop()
    assert (elsewhere / "var" / "images" / key).exists()


def test_a_host_app_mounts_the_installed_store_under_its_prefix(installed, elsewhere):
    run(installed.parent / "imagestore", "init", cwd=elsewhere)
    shutil.copytree(PROJECT_ROOT / "examples", elsewhere, dirs_exist_ok=True)
    host = RunningApp(
        "host_app:create_app()",
        script="gunicorn",
        python=installed,
        cwd=elsewhere,
        ready="/images/healthz",
        FLASK_IMAGESTORE_CONFIG=str(elsewhere / "filesystem.ini"),
    )
    try:
        browser = requests.Session()
        assert "Welcome" in browser.get(host.url, timeout=30).text
        assert "no such page" in browser.get(f"{host.url}/nothing-here", timeout=30).text
        gallery = browser.get(f"{host.url}/images/", timeout=30).text
        assert 'class="host-nav"' in gallery and "/images/static/style.css" in gallery
        assert browser.get(f"{host.url}/images/static/style.css", timeout=30).status_code == 200
        browser.post(f"{host.url}/sign-in", data={"name": "ada"}, timeout=30)
        photo = samples.photo(size=(640, 480))
        key = upload_over_http(f"{host.url}/images", "holiday.jpg", photo, session=browser)
        assert requests.get(f"{host.url}/images/image/{key}", timeout=30).content == photo
        profile = {"photo": ("me.jpg", samples.photo(size=(320, 240), seed=2))}
        assert browser.post(f"{host.url}/profile-photo", files=profile, timeout=30).status_code == 200
        home = browser.get(host.url, timeout=30).text
        avatar = re.search(r'<img [^>]*src="(/images/variant/avatar/me\.jpg\?v=[^"]+)"[^>]*>', home)
        assert avatar and 'class="profile-photo"' in avatar.group(0), home
        answer = requests.get(host.url + avatar.group(1), timeout=30)
        assert Image.open(io.BytesIO(answer.content)).size == (256, 256)
    finally:
        host.stop()
    assert (elsewhere / "var" / "images" / key).read_bytes() == photo


def test_the_installed_package_is_typed_and_exports_its_python_api(installed, elsewhere):
    check = (
        "import importlib.resources, imagestore;"
        "print(importlib.resources.files('imagestore').joinpath('py.typed').is_file(),"
        " sorted(set(imagestore.__all__)))"
    )
    typed, exported = run(installed, "-c", check, cwd=elsewhere).stdout.strip().split(" ", 1)
    assert typed == "True"
    names = ["ImageRejected", "ImageStore", "StartupError", "StorageUnavailable", "StoredImage", "create_app"]
    assert exported == repr(names)


HOST_TEMPLATE_SCRIPT = """
import io, json, re, sys
from flask import Flask, render_template_string
from PIL import Image
from imagestore import ImageStore

app = Flask("host")
app.config.update(SECRET_KEY="the host's", IMAGESTORE_CONFIG="in-memory.ini")
images = ImageStore(app, variants={"avatar": {"fill": (256, 256)}})
with app.app_context():
    key = images.save("phone.jpg").key
with app.test_request_context():
    shown = render_template_string('{{ imagestore_img(key, sizes="100vw", alt="Me") }}', key=key)
client = app.test_client()
srcset = re.search(r'srcset="([^"]*)"', shown).group(1).replace("&amp;", "&")
served = []
for candidate in srcset.split(", "):
    address, width = candidate.rsplit(" ", 1)
    image = Image.open(io.BytesIO(client.get(address).data))
    served.append([width, image.format, image.size, bool(image.getexif()), "exif" in image.info])
with app.app_context():
    avatar = Image.open(io.BytesIO(client.get(images.url(key, "avatar")).data)).size
json.dump({"img": shown, "served": served, "avatar": avatar,
           "undeclared": client.get("/images/variant/banner/" + key).status_code}, sys.stdout)
"""


def test_a_host_template_shows_a_stored_photo_with_one_imagestore_img_call(installed, elsewhere):
    """The issue's "done when", from the wheel: a sideways phone photo with a position, shown
    by ``imagestore_img``, answers a WebP at each width of its srcset, upright, without EXIF."""
    run(installed.parent / "imagestore", "init", cwd=elsewhere)
    (elsewhere / "phone.jpg").write_bytes(camera_files.jpeg(size=(2400, 1800), orientation=6))
    (elsewhere / "host.py").write_text(HOST_TEMPLATE_SCRIPT)
    said = json.loads(run(installed, "host.py", cwd=elsewhere).stdout)
    assert said["img"].startswith('<img src="/images/w/') and 'alt="Me"' in said["img"]
    assert 'width="1800" height="2400"' in said["img"]
    assert len(said["served"]) >= 3
    for width, image_format, size, has_exif, carries_exif in said["served"]:
        assert (image_format, size[0], f"{size[0]}w") == ("WEBP", size[0], width)
        assert size[1] > size[0] and not has_exif and not carries_exif
    assert said["avatar"] == [256, 256] and said["undeclared"] == 404
