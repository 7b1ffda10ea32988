"""The API's OpenAPI document (``imagestore/openapi.json``, served at ``/api/openapi.json``)
tells the truth: schemathesis sends the standalone app, in process, requests the document
allows and requests it does not, and every answer must be one the document names, in the
shape it gives, and never a 5xx. The errors it cannot provoke are provoked here by hand."""

import io
import re
import tempfile
import tomllib
import uuid

import pytest
import samples
import schemathesis
from emulators import PROJECT_ROOT, write_ini
from flask import Flask
from hypothesis import HealthCheck, settings
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from schemathesis.config import SchemathesisConfig

from imagestore import ImageStore, create_app
from imagestore.state import current

DOCUMENT = "/api/openapi.json"
# In process, schemathesis says it accepts gzip but reads a body as it is sent, without
# undoing the gzip as a browser or requests does; test_compression.py checks that part.
UNCOMPRESSED = {"Accept-Encoding": "identity"}
EXAMPLE_KEYS = ("cat.jpg", "old-cat.jpg")
# An upload is judged by its bytes, which a schema cannot say: bytes that are no image are a
# valid request that stores nothing, answered 400 with the reasons.
CHECKS = """
[[operations]]
include-operation-id = "uploadImages"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403"]
"""


def standalone_app(**overrides):
    """The standalone app on an in-memory store of its own, in shared access mode (which reads
    its .ini once, at start), holding the images the document's example keys name: one to
    look at, one to delete."""
    with tempfile.TemporaryDirectory() as folder:
        config = write_ini("in-memory", f"openapi-{uuid.uuid4().hex[:16]}", folder)
        app = create_app(config, access="shared", overrides={"WRITE_TOKEN": None, **overrides})
    return holding_the_examples(app, "", overrides.get("WRITE_TOKEN"))


def mounted_app():
    """The store mounted at ``/images`` in a bare host app, holding the same examples."""
    with tempfile.TemporaryDirectory() as folder:
        config = write_ini("in-memory", f"openapi-{uuid.uuid4().hex[:16]}", folder)
        app = Flask("host")
        app.config.update(SECRET_KEY="the host's", IMAGESTORE_CONFIG=config, IMAGESTORE_ACCESS="shared")
        ImageStore().init_app(app, overrides={"WRITE_TOKEN": None})
    return holding_the_examples(app, "/images", None)


def holding_the_examples(app, prefix, token):
    photos = [(io.BytesIO(samples.image("jpeg", seed=n)), key) for n, key in enumerate(EXAMPLE_KEYS)]
    bearer = {"Authorization": f"Bearer {token}"} if token else {}
    stored = app.test_client().post(f"{prefix}/api/images", data={"file": photos}, headers=bearer)
    assert [image["key"] for image in stored.json["stored"]] == list(EXAMPLE_KEYS)
    return app


# Built when the module is collected, since schemathesis makes a test of each operation from
# the document the app serves. (Its loader from a fixture, which would wait, fails on pytest 9.2.)
APP, MOUNTED = standalone_app(), mounted_app()
schema = schemathesis.openapi.from_wsgi(DOCUMENT, APP, config=SchemathesisConfig.from_str(CHECKS))
mounted_schema = schemathesis.openapi.from_wsgi(
    "/images" + DOCUMENT, MOUNTED, config=SchemathesisConfig.from_str(CHECKS)
)


@pytest.fixture(scope="module", autouse=True)
def closed_at_the_end():
    yield
    current(APP).access.close()
    current(MOUNTED).access.close()


@pytest.fixture
def other_app():
    """A standalone app with settings of its own: ``other_app(WRITE_TOKEN="s3cret")``."""
    apps = []

    def make(**overrides):
        apps.append(standalone_app(**overrides))
        return apps[-1]

    yield make
    for app in apps:
        current(app).access.close()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_answer_is_one_the_document_gives(case):
    case.call_and_validate(headers=UNCOMPRESSED)


@mounted_schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mounted_at_a_prefix_every_answer_is_one_the_document_gives(case):
    case.call_and_validate(headers=UNCOMPRESSED)


def test_the_document_is_valid_openapi_3_1():
    validate(served_document(), cls=OpenAPIV31SpecValidator)


def test_the_standalone_apps_api_is_at_slash_api():
    assert served_document()["servers"] == [{"url": "/api"}]


def test_under_a_hosts_prefix_the_document_says_the_api_is_there(mount):
    answer = mount().test_client().get("/images/api/openapi.json")
    assert answer.status_code == 200
    assert answer.json["servers"] == [{"url": "/images/api"}]
    assert answer.json["paths"].keys() == served_document()["paths"].keys()


def test_every_api_route_is_in_the_document():
    documented = {
        ("/api" + path, method.upper())
        for path, operations in served_document()["paths"].items()
        for method in operations.keys() - {"parameters"}
    }
    served = {
        (openapi_path(rule.rule), method)
        for rule in APP.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == documented


def test_every_error_the_document_names_is_an_error_object():
    document = served_document()
    for path, operations in document["paths"].items():
        for method in operations.keys() - {"parameters"}:
            for status, response in operations[method]["responses"].items():
                if int(status) >= 400:
                    body = resolved(document, response)["content"]["application/json"]["schema"]
                    assert error_schema(document, body), (method, path, status)


def test_the_documents_version_is_the_packages():
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    assert served_document()["info"]["version"] == pyproject["project"]["version"]


def test_a_write_needs_the_stores_token_when_it_has_one_as_documented(other_app):
    client = other_app(WRITE_TOKEN="s3cret").test_client()
    assert_documented("POST", "/images", client.post("/api/images", data=image_form()), 401)
    assert_documented("DELETE", "/images/{key}", client.delete("/api/images/cat.jpg"), 401)
    bearer = {"Authorization": "Bearer s3cret"}
    assert_documented("DELETE", "/images/{key}", client.delete("/api/images/cat.jpg", headers=bearer), 204)


def test_a_write_from_another_site_gets_the_documented_403():
    cross_site = {"Sec-Fetch-Site": "cross-site"}
    client = APP.test_client()
    answer = client.post("/api/images", data=image_form(), headers=cross_site)
    assert_documented("POST", "/images", answer, 403)
    assert_documented("DELETE", "/images/{key}", client.delete("/api/images/x.png", headers=cross_site), 403)


def test_too_many_files_get_the_documented_413():
    answer = APP.test_client().post("/api/images", data=image_form(count=101))
    assert_documented("POST", "/images", answer, 413)


def test_a_body_that_is_not_multipart_gets_the_documented_415():
    answer = APP.test_client().post("/api/images", json={"file": "cat.jpg"})
    assert_documented("POST", "/images", answer, 415)


def test_an_upload_that_finds_the_server_busy_gets_the_documented_503_with_retry_after(other_app):
    app = other_app(DECODE_WAIT=0.1)
    with current(app).pixel_budget.decoding(10**12):
        answer = app.test_client().post("/api/images", data=image_form())
    assert_documented("POST", "/images", answer, 503)
    assert int(answer.headers["Retry-After"]) >= 1


def served_document():
    return APP.test_client().get(DOCUMENT).json


def image_form(count=1):
    return {"file": [(io.BytesIO(samples.image(seed=n)), f"{n}.png") for n in range(count)]}


def assert_documented(method, path, answer, status):
    """``answer`` has ``status``, which the document names for the operation, and the body it gives."""
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert str(status) in served_document()["paths"][path][method.lower()]["responses"]
    schema[path][method].validate_response(answer)


def openapi_path(rule):
    """``/api/images/<key:key>`` as OpenAPI spells it: ``/api/images/{key}``."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def resolved(document, node):
    """``node``, or what its ``$ref`` points to in ``document``."""
    while "$ref" in node:
        target = document
        for name in node["$ref"].removeprefix("#/").split("/"):
            target = target[name]
        node = target
    return node


def error_schema(document, body):
    """Whether ``body`` is the shared ``Error`` schema, or one made of it with ``allOf``."""
    if body == {"$ref": "#/components/schemas/Error"}:
        return True
    return any(error_schema(document, part) for part in resolved(document, body).get("allOf", []))
