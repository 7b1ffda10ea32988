"""Each access mode does what it says, counted at CShelve's own ``open``.

These tests pick the mode themselves, so they run once per backend.
"""

from collections import Counter

import cshelve
import pytest
from eventually import eventually

from imagestore import create_app, database
from imagestore.state import current


@pytest.fixture
def access():
    """These tests name the mode of each app they make."""
    return "single"


@pytest.fixture
def shelf_calls(monkeypatch):
    """Count every CShelve database the app opens, and every one it closes."""
    calls = Counter()
    real_open = cshelve.open

    def counting_open(*args, **kwargs):
        shelf = real_open(*args, **kwargs)
        calls["open"] += 1
        real_close = shelf.close

        def counting_close():
            if not getattr(shelf, "counted_closed", False):
                shelf.counted_closed = True
                calls["close"] += 1
            real_close()

        shelf.close = counting_close
        return shelf

    monkeypatch.setattr(cshelve, "open", counting_open)
    return calls


def test_single_access_opens_and_closes_the_database_around_each_request(make_app, shelf_calls):
    client = make_app().test_client()
    assert shelf_calls == {"open": 1, "close": 1}, "one check that the backend answers at start"
    for _ in range(3):
        assert client.get("/api/images/none.png").status_code == 404
    assert shelf_calls == {"open": 4, "close": 4}


def test_single_access_lists_the_store_in_a_database_of_its_own_and_closes_it(make_app, shelf_calls):
    client = make_app(DISCOVERY_SECONDS=0).test_client()
    assert client.get("/api/images").status_code == 200
    assert eventually(lambda: shelf_calls == {"open": 3, "close": 3}), "start, the request, the listing"


def test_single_access_makes_one_storage_provider_for_all_the_databases_it_opens(
    make_app, shelf_calls, monkeypatch
):
    """The SDK client beneath the databases is made once, and asked once whether the store exists."""
    providers = []
    make_provider = database.make_provider

    def counted_make_provider(*args):
        providers.append(make_provider(*args))
        return providers[-1]

    monkeypatch.setattr(database, "make_provider", counted_make_provider)
    client = make_app().test_client()
    [provider] = providers
    existence_checks = Counter()
    provider_exists = provider.exists
    monkeypatch.setattr(provider, "exists", lambda: existence_checks.update(["exists"]) or provider_exists())
    for _ in range(3):
        assert client.get("/api/images/none.png").status_code == 404
    assert shelf_calls["open"] == 4
    assert len(providers) == 1
    assert existence_checks["exists"] == 0


def test_a_store_another_process_creates_meanwhile_is_used(make_app, monkeypatch):
    """Two workers starting at once on a new store both find it missing, and both create it."""
    make_app()
    make_provider = database.make_provider

    def provider_that_checked_too_early(*args):
        provider = make_provider(*args)
        real_exists, checks = provider.exists, []

        def exists():
            checks.append("exists")
            return len(checks) > 1 and real_exists()

        provider.exists = exists
        return provider

    monkeypatch.setattr(database, "make_provider", provider_that_checked_too_early)
    assert make_app().test_client().get("/api/images").status_code == 200


def test_a_store_that_cannot_be_created_is_still_an_error():
    class MissingForGood:
        def exists(self):
            return False

        def create(self):
            raise PermissionError("not allowed to create buckets")

    with pytest.raises(PermissionError):
        database.KeptProvider(MissingForGood()).create()


def test_a_create_that_fails_because_another_process_just_created_the_store_is_no_error():
    class CreatedByAnotherProcess:
        checks = 0

        def exists(self):
            self.checks += 1
            return self.checks > 1

        def create(self):
            raise FileExistsError("the store exists")

    kept = database.KeptProvider(CreatedByAnotherProcess())
    assert not kept.exists()
    kept.create()
    assert kept.exists()
    assert kept.provider.checks == 2, "asked once more, after the failed create, then known"


def test_single_access_closes_the_database_after_a_failed_request(make_app, shelf_calls):
    client = make_app().test_client()
    assert client.get("/image/missing.png").status_code == 404
    assert shelf_calls == {"open": 2, "close": 2}


def test_shared_access_opens_the_database_once_for_all_requests(make_app, shelf_calls):
    app = make_app(mode="shared")
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/images/none.png").status_code == 404
    assert shelf_calls == {"open": 1}
    current(app).access.close()
    assert shelf_calls == {"open": 1, "close": 1}


def test_an_unknown_access_mode_is_a_startup_error(config_path):
    with pytest.raises(Exception, match="access mode 'sometimes' is not one of single, shared"):
        create_app(config_path, access="sometimes")
