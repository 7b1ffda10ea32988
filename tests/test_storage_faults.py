"""Storage that fails for a moment, as S3 and Azure say theirs may (500, 503 SlowDown or
ServerBusy, an answer later than the client waits, a write applied whose answer is lost),
through a proxy put between the app and moto or Azurite (``faults.py``).

A failure is never taken for a missing key; an upload answered 201 or a delete answered
204 is whole; one answered 503 is undone or finished soon after, by the process that
failed it; and ``imagestore verify`` calls the store whole without repair.
"""

import io

import samples
from eventually import eventually
from faults import SETTLED_WITHIN

from imagestore.index.order import NEWEST_PREFIX
from imagestore.store import METADATA_PREFIX, THUMBNAIL_PREFIX
from imagestore.unfinished import FOLDER_KEEPER, UNFINISHED_PREFIX


def upload(client, name, data):
    fields = {"file": [(io.BytesIO(data), name)]}
    return client.post("/api/images", data=fields, content_type="multipart/form-data")


def listed(client):
    return sorted(image["key"] for image in client.get("/api/images?per_page=100").json["images"])


def test_a_record_that_storage_fails_to_read_is_not_taken_for_a_missing_one(faulty_store, faulty_app):
    client, proxy = faulty_app.test_client(), faulty_store.proxy
    assert upload(client, "kept.png", samples.image()).status_code == 201
    proxy.fail("error", lambda seen: seen.key == METADATA_PREFIX + "kept.png" and seen.is_read)

    refused = client.delete("/api/images/kept.png")

    proxy.heal()
    assert refused.status_code == 503
    assert "not answering" in refused.json["error"]
    names = faulty_store.keys()
    assert {"kept.png", METADATA_PREFIX + "kept.png", THUMBNAIL_PREFIX + "kept.png"} <= names
    assert any(name.startswith(NEWEST_PREFIX) and name.endswith("/kept.png") for name in names)
    assert listed(client) == ["kept.png"]


def test_an_upload_whose_journal_entry_fails_is_answered_503_and_undone(faulty_store, faulty_app):
    client, proxy = faulty_app.test_client(), faulty_store.proxy
    proxy.fail("busy", lambda seen: seen.method == "PUT" and seen.key.startswith(".imagestore/journal/"))

    refused = upload(client, "unsaid.png", samples.image())

    assert refused.status_code == 503
    proxy.heal()
    assert eventually(lambda: not _traces_of("unsaid.png", faulty_store.keys()), SETTLED_WITHIN)
    assert listed(client) == []
    code, said = faulty_store.verify()
    assert code == 0, said


def test_a_create_whose_answer_was_lost_is_stored_once_under_its_name(faulty_store, faulty_app):
    client, proxy = faulty_app.test_client(), faulty_store.proxy
    lost = []

    def first_create_of_the_image(seen):
        if seen.method == "PUT" and seen.key == "photo.png" and not lost:
            lost.append(seen)
            return True
        return False

    proxy.fail("lost_answer", first_create_of_the_image)

    answer = upload(client, "photo.png", samples.image())

    assert lost, "the create was not made"
    assert answer.status_code == 201, answer.json
    assert answer.json["stored"][0]["key"] == "photo.png"
    assert listed(client) == ["photo.png"]
    assert not [name for name in faulty_store.keys() if name.startswith("photo")][1:]


def test_a_delete_that_fails_half_way_is_finished(faulty_store, faulty_app):
    client, proxy = faulty_app.test_client(), faulty_store.proxy
    assert upload(client, "going.png", samples.image()).status_code == 201
    proxy.fail("busy", lambda seen: seen.method == "DELETE" and seen.key == "going.png")

    refused = client.delete("/api/images/going.png")

    assert refused.status_code == 503
    proxy.heal()
    assert eventually(lambda: not _traces_of("going.png", faulty_store.keys()), SETTLED_WITHIN)
    assert listed(client) == []
    code, said = faulty_store.verify()
    assert code == 0, said


def test_a_delete_tried_again_after_a_503_finishes_what_the_first_began(faulty_store, faulty_app):
    client, proxy = faulty_app.test_client(), faulty_store.proxy
    assert upload(client, "again.png", samples.image()).status_code == 201
    proxy.fail("busy", lambda seen: seen.method == "PUT" and seen.key.startswith(".imagestore/journal/"))
    assert client.delete("/api/images/again.png").status_code == 503
    proxy.heal()
    assert "again.png" not in faulty_store.keys(), "the first delete got as far as the image"

    tried_again = client.delete("/api/images/again.png")

    assert tried_again.status_code == 204
    assert not _traces_of("again.png", faulty_store.keys())
    assert listed(client) == []


def _traces_of(key, names):
    """What the store holds of ``key``: the image, what is kept for it, notes under way."""
    return (
        {
            name
            for name in names
            if name == key or name.endswith("/" + key) or name.startswith(UNFINISHED_PREFIX)
        }
        - {name for name in names if name.startswith(".imagestore/journal/")}
        - {FOLDER_KEEPER}
    )
