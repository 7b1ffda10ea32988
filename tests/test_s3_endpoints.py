"""Any S3-compatible endpoint: moto and SeaweedFS (a real distributed object store, with
its own master, volume server and filer) honour conditional writes (``If-None-Match: *``),
s3rver ignores them and overwrites.

The S3-specific behaviour runs on both. On both, no upload answered "stored" is
ever lost: as many distinct keys as 201 answers, each holding the bytes its
upload sent, whether the uploads go through one process or two. Where the
endpoint ignores conditional writes, each process gives new images keys of its
own (``photo-TAG.jpg``).
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import samples
from emulators import s3_variables, s3rver_variables

from imagestore import atomic
from imagestore.backends.s3 import PROBE_PREFIX
from imagestore.database import backend_of, get_db

HONOURS_CONDITIONAL_WRITES = {"moto": True, "seaweedfs": True, "s3rver": False}
SCRIPTS = {"single": "app.py", "shared": "app-shared-access.py"}
UPLOADS_AT_ONCE = 8
PROCESS_TAG = r"-[a-z2-7]{8}"


@pytest.fixture(params=HONOURS_CONDITIONAL_WRITES)
def s3_server(request):
    return request.param


@pytest.fixture
def backend():
    return "aws"


@pytest.fixture
def s3_environment(request, s3_server):
    if s3_server == "moto":
        return s3_variables(request.getfixturevalue("s3_endpoint"))
    if s3_server == "seaweedfs":
        return s3_variables(request.getfixturevalue("seaweedfs_endpoint"))
    return s3rver_variables(request.getfixturevalue("s3rver_endpoint"))


@pytest.fixture
def config_path(s3_environment, own_config, monkeypatch):
    for name, value in s3_environment.items():
        monkeypatch.setenv(name, value)
    return own_config("aws")


def uploads_at_once(urls, filename="same.jpg", count=UPLOADS_AT_ONCE):
    """Post ``count`` different photos under one name at the same moment, spread over
    ``urls``; return ``{key: SHA-256 sent}`` for the ones answered 201, and how many were."""
    photos = [samples.photo(size=(320, 240), seed=500 + n) for n in range(count)]
    start_together = threading.Barrier(count)

    def post(number):
        start_together.wait(timeout=30)
        files = {"file": (filename, photos[number])}
        answer = requests.post(f"{urls[number % len(urls)]}/api/images", files=files, timeout=60)
        assert answer.status_code == 201, answer.text
        return answer.json()["stored"][0]["key"], samples.sha256(photos[number])

    with ThreadPoolExecutor(count) as pool:
        answers = list(pool.map(post, range(count)))
    return dict(answers), len(answers)


def assert_each_key_holds_what_its_upload_sent(storage, stored):
    for key, digest in stored.items():
        assert samples.sha256(storage.get(key)) == digest, f"{key} holds another upload's bytes"


def test_the_app_finds_out_whether_the_endpoint_honours_conditional_writes(client, s3_server, storage):
    answer = client.get("/readyz")
    assert answer.json["conditional_writes"] is HONOURS_CONDITIONAL_WRITES[s3_server]
    assert not [name for name in storage.names() if name.startswith(PROBE_PREFIX)], "the probe was left"


def test_the_app_says_at_start_what_it_found(config_path, s3_environment, s3_server, start_app):
    app = start_app(str(config_path), script="app.py", **s3_environment)
    said = app.stop()
    if HONOURS_CONDITIONAL_WRITES[s3_server]:
        assert "honours conditional writes" in said
    else:
        assert "ignores conditional writes" in said
        assert re.search(rf"photo{PROCESS_TAG}\.jpg", said)


def test_a_second_create_of_one_key_is_refused_and_the_first_kept(app, storage):
    with app.app_context():
        atomic.create(get_db(), "kept.bin", b"first")
        with pytest.raises(atomic.KeyTaken):
            atomic.create(get_db(), "kept.bin", b"second")
    assert storage.get("kept.bin") == b"first"


def test_many_uploads_of_one_name_at_once_in_one_process_lose_none(live_server, storage):
    stored, answered = uploads_at_once([live_server])
    assert len(stored) == answered
    assert_each_key_holds_what_its_upload_sent(storage, stored)


def test_many_uploads_of_one_name_at_once_in_two_processes_lose_none(
    config_path, s3_environment, access, start_app, storage
):
    processes = [start_app(str(config_path), script=SCRIPTS[access], **s3_environment) for _ in range(2)]
    stored, answered = uploads_at_once([process.url for process in processes])
    assert len(stored) == answered
    assert_each_key_holds_what_its_upload_sent(storage, stored)


def test_an_upload_keeps_its_name_where_conditional_writes_are_honoured_and_gets_a_tag_where_not(
    upload, s3_server
):
    key = upload(("photo.jpg", samples.photo(size=(320, 240)))).json["stored"][0]["key"]
    expected = "photo.jpg" if HONOURS_CONDITIONAL_WRITES[s3_server] else rf"photo{PROCESS_TAG}\.jpg"
    assert re.fullmatch(expected, key)


def test_the_bucket_holds_each_upload_byte_for_byte(upload, storage):
    data = samples.photo(size=(640, 480), seed=7)
    key = upload(("holiday.jpg", data)).json["stored"][0]["key"]
    assert storage.get(key) == data


def test_keys_are_listed_in_name_order_a_few_at_a_time(app, storage):
    names = [f"k{n:03d}.png" for n in range(120)] + [".imagestore/x", "a/b.png", "Z.png", "é.png", "~.png"]
    for name in names:
        storage.put(name, b"")
    with app.app_context():
        listed = list(backend_of(get_db()).keys_in_order("", ""))
        after = list(backend_of(get_db()).keys_in_order("k", "k099.png"))
    assert listed == sorted(names)
    assert after == [f"k{n:03d}.png" for n in range(100, 120)]
