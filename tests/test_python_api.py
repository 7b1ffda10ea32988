"""The store from a host's own code: ``ImageStore``'s Python API, made at module level and
bound to an app, works in any app context (a view, a ``flask`` command, a thread), on every
backend and in both access modes, and does all that an upload through the page does."""

import io
import threading

import camera_files
import click
import pytest
import samples
from flask import Flask, request
from PIL import Image
from werkzeug.datastructures import FileStorage

from imagestore import ImageRejected, ImageStore, StorageUnavailable, StoredImage

images = ImageStore()


@pytest.fixture
def host(mount):
    """A host app with the store mounted at /images, a view that saves a photo onto a post of
    its own, and a command that imports one."""
    app = mount()

    @app.post("/posts/<int:number>/photo")
    def attach_photo(number):
        stored = images.save(request.files["photo"])
        return {"post": number, "key": stored.key, "url": stored.url, "thumbnail_url": stored.thumbnail_url}

    @app.cli.command("add-photo")
    @click.argument("path")
    def add_photo(path):
        click.echo(images.save(path).key)

    @app.cli.command("remove-photo")
    @click.argument("key")
    def remove_photo(key):
        click.echo("deleted" if images.delete(key) else "none")

    return app


def test_saving_in_an_app_context_stores_it_as_an_upload(host):
    photo = camera_files.jpeg(size=(640, 480))
    with host.app_context():
        stored = images.save(photo, name="holiday.jpg")

    assert isinstance(stored, StoredImage)
    assert (stored.key, stored.content_type, stored.size > 0) == ("holiday.jpg", "image/jpeg", True)
    assert (stored.width, stored.height) == (640, 480)
    assert stored.location_removed is True and stored.uploaded_at is not None
    assert stored.url.startswith("/images/image/holiday.jpg?v=")
    served = host.test_client().get(stored.url)
    assert served.status_code == 200
    assert not Image.open(io.BytesIO(served.data)).getexif().get_ifd(camera_files.GPS_IFD)
    listing = host.test_client().get("/images/api/images").json
    assert [image["key"] for image in listing["images"]] == ["holiday.jpg"]


def test_a_host_view_saves_a_photo_with_one_call(host):
    answer = host.test_client().post(
        "/posts/7/photo",
        data={"photo": (io.BytesIO(samples.image()), "cat.png")},
        content_type="multipart/form-data",
    )

    assert answer.status_code == 200 and answer.json["key"] == "cat.png"
    with host.app_context():
        with images.open("cat.png") as original:
            assert host.test_client().get(answer.json["url"]).data == original.read()
    assert host.test_client().get(answer.json["thumbnail_url"]).status_code == 200


def test_a_name_already_taken_gets_a_key_of_its_own(host):
    with host.app_context():
        first = images.save(samples.image(seed=1), name="same.png")
        second = images.save(FileStorage(io.BytesIO(samples.image(seed=2)), filename="same.png"))
    assert (first.key, second.key) == ("same.png", "same-2.png")


def test_a_file_object_or_a_path_carries_its_name(host, tmp_path):
    path = tmp_path / "from-disk.png"
    path.write_bytes(samples.image(seed=3))
    with host.app_context(), open(path, "rb") as opened:
        assert images.save(opened).key == "from-disk.png"
        assert images.save(path).key == "from-disk-2.png"
        with pytest.raises(ValueError, match="name the image"):
            images.save(samples.image(seed=4))


def test_a_non_image_is_refused_with_the_apis_words_and_leaves_nothing(host):
    with host.app_context():
        with pytest.raises(ImageRejected, match="not an image"):
            images.save(b"<html><script>alert(1)</script></html>", name="page.png")
        assert len(images) == 0
        assert images.get("page.png") is None


def test_get_describes_without_downloading_and_none_when_absent(host, storage_reads):
    with host.app_context():
        stored = images.save(samples.image(), name="known.png")
        storage_reads.clear()
        assert images.get("known.png") == stored
        assert images.get("unknown.png") is None
    assert "known.png" not in storage_reads


def test_make_ready_describes_an_image_another_tool_put_in_from_one_read(host, storage, storage_reads):
    storage.put("synced.png", samples.image(size=(80, 60)))
    with host.app_context():
        assert images.get("synced.png").ready is False
        storage_reads.clear()

        made = images.make_ready("synced.png")

        assert (made.ready, made.width, made.height, made.content_type) == (True, 80, 60, "image/png")
        assert images.make_ready("absent.png") is None
    assert storage_reads.count("synced.png") == 1


def test_open_reads_each_kind_and_in_asks_without_downloading(host, storage_reads):
    with host.app_context():
        images.save(samples.image(size=(640, 480)), name="kinds.png")
        with images.open("kinds.png", "thumbnail") as thumbnail:
            assert Image.open(thumbnail).format == "WEBP"
        with pytest.raises(ValueError, match="kind must be one of"):
            images.open("kinds.png", "poster")
        storage_reads.clear()
        assert "kinds.png" in images and "absent.png" not in images
    assert not storage_reads


def test_delete_says_whether_there_was_one(host):
    with host.app_context():
        images.save(samples.image(), name="going.png")
        assert images.delete("going.png") is True
        assert images.delete("going.png") is False
        with pytest.raises(KeyError):
            images.open("going.png")
    assert host.test_client().get("/images/image/going.png").status_code == 404


def test_urls_of_each_kind_are_versioned_and_absolute_on_request(host):
    host.config["SERVER_NAME"] = "photos.example"
    with host.app_context():
        images.save(samples.image(), name="seen.png")
        assert images.url("seen.png").startswith("/images/image/seen.png?v=")
        assert images.url("seen.png", "thumbnail").startswith("/images/thumb/seen.png?v=")
        assert images.url("seen.png", "screen").startswith("/images/screen/seen.png")
        assert images.url("seen.png", external=True).startswith(
            "http://photos.example/images/image/seen.png?v="
        )
        with pytest.raises(ValueError):
            images.url("seen.png", "poster")
        with pytest.raises(KeyError):
            images.url("never.png")


def test_page_and_len_follow_the_gallerys_order(host):
    with host.app_context():
        for number in range(3):
            images.save(samples.image(seed=number), name=f"p{number}.png")
        assert len(images) == 3
        assert [image.key for image in images.page(1, per_page=2)] == ["p2.png", "p1.png"]
        assert [image.key for image in images.page(2, per_page=2)] == ["p0.png"]


def test_a_flask_command_saves_and_deletes_with_no_request(host, tmp_path):
    path = tmp_path / "imported.png"
    path.write_bytes(samples.image())
    runner = host.test_cli_runner()

    assert runner.invoke(args=["add-photo", str(path)]).output.strip() == "imported.png"
    assert runner.invoke(args=["remove-photo", "imported.png"]).output.strip() == "deleted"
    assert runner.invoke(args=["remove-photo", "imported.png"]).output.strip() == "none"


def test_a_thread_with_only_an_app_context_saves(host):
    saved = []

    def job():
        with host.app_context():
            saved.append(images.save(samples.image(), name="from-a-job.png").key)

    worker = threading.Thread(target=job)
    worker.start()
    worker.join()
    assert saved == ["from-a-job.png"]
    assert host.test_client().get("/images/api/images").json["total"] == 1


def test_what_the_api_saves_shows_in_another_process(host, config_path, open_app):
    with host.app_context():
        images.save(samples.image(), name="shared.png")
    other = open_app(config_path).test_client()
    assert [image["key"] for image in other.get("/api/images").json["images"]] == ["shared.png"]


def test_an_outage_raises_storage_unavailable(faulty_store, access, closed_afterwards):
    host = Flask("host")
    host.config.update(SECRET_KEY="x", IMAGESTORE_CONFIG=faulty_store.config, IMAGESTORE_ACCESS=access)
    ImageStore().init_app(host, overrides={"STORAGE_TIMEOUT": 1})
    closed_afterwards(host)
    faulty_store.proxy.fail("busy")
    with host.app_context():
        with pytest.raises(StorageUnavailable):
            images.save(samples.image(), name="during.png")
    faulty_store.proxy.heal()
    with host.app_context():
        assert images.get("during.png") is None
