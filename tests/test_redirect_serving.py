"""Images served straight from storage (``IMAGESTORE_SERVE=redirect``, ``redirects.py``):
on S3 (moto, and SeaweedFS, a distributed object store) and Azure (Azurite), in both
modes, an image, a thumbnail or a rendition is a 302 to a signed URL, and what storage
answers there is what the app would have sent, with the right headers; followed over
HTTP, as a browser does."""

import pytest
import requests
import samples

KEPT_A_YEAR = "public, max-age=31536000, immutable"


@pytest.fixture(params=["aws", "seaweedfs", "azure"])
def backend(request):
    """Overrides conftest's four backends: only S3 and Azure sign URLs."""
    return request.param


@pytest.fixture
def through_app(make_app):
    return make_app().test_client()


@pytest.fixture
def redirecting(make_app):
    return make_app(SERVE="redirect").test_client()


@pytest.fixture
def image(redirecting, upload):
    """A photo large enough for a rendition, uploaded through the redirecting app."""
    return upload(("big.jpg", samples.photo(size=(3000, 2000))), to=redirecting).json["stored"][0]


def followed(answer):
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return requests.get(answer.headers["Location"], timeout=30)


@pytest.mark.parametrize("address", ["url", "thumbnail_url", "view_url"])
def test_storage_serves_byte_for_byte_what_the_app_would_with_its_type(
    redirecting, through_app, image, address
):
    served = followed(redirecting.get(image[address]))
    sent_by_app = through_app.get(image[address])
    assert served.status_code == 200
    assert served.content == sent_by_app.data
    assert served.headers["Content-Type"] == sent_by_app.headers["Content-Type"]
    assert served.headers["Content-Disposition"] == "inline"


def test_a_versioned_address_is_kept_a_year_by_storages_answer(redirecting, image):
    redirected = redirecting.get(image["thumbnail_url"])
    assert followed(redirected).headers["Cache-Control"] == KEPT_A_YEAR
    assert redirected.headers["Cache-Control"].startswith("private, max-age=")


def test_an_address_without_its_version_is_revalidated(redirecting, image):
    redirected = redirecting.get(f"/image/{image['key']}")
    assert followed(redirected).headers["Cache-Control"] == "no-cache"
    assert redirected.headers["Cache-Control"] == "no-cache"


def test_a_download_is_the_original_under_its_uploaded_name(redirecting, upload):
    original = samples.image(seed=3)
    stored = upload(("Été à Paris.png", original), to=redirecting).json["stored"][0]
    served = followed(redirecting.get(stored["download_url"]))
    assert served.content == original
    assert served.headers["Content-Disposition"].startswith("attachment; filename=")
    assert "filename*=UTF-8''%C3%89t%C3%A9%20%C3%A0%20Paris.png" in served.headers["Content-Disposition"]


def test_an_unknown_image_is_a_404_from_the_app(redirecting):
    assert redirecting.get("/image/nothing-here.png").status_code == 404


def test_the_page_lets_the_browser_load_images_from_storage(redirecting, image):
    origin = redirecting.get(image["thumbnail_url"]).headers["Location"].split("/")[:3]
    policy = redirecting.get("/").headers["Content-Security-Policy"]
    assert f"img-src 'self' {'/'.join(origin)};" in policy


def test_urls_are_signed_for_the_endpoint_browsers_reach(make_app, upload, backend_variables, backend):
    app_endpoint = endpoint_of(backend_variables(backend), backend)
    public = app_endpoint.replace("127.0.0.1", "localhost")
    client = make_app(SERVE="redirect", PUBLIC_ENDPOINT=public).test_client()
    original = samples.image()
    stored = upload(("a.png", original), to=client).json["stored"][0]
    redirected = client.get(stored["url"])
    assert redirected.headers["Location"].startswith(public)
    assert followed(redirected).content == original


def test_an_image_view_does_not_read_the_image(redirecting, image, storage_reads):
    storage_reads.clear()
    assert redirecting.get(image["url"]).status_code == 302
    assert image["key"] not in storage_reads


def endpoint_of(variables, backend):
    if backend in ("aws", "seaweedfs"):
        return variables["AWS_ENDPOINT_URL"]
    settings = dict(
        part.split("=", 1) for part in variables["AZURE_STORAGE_CONNECTION_STRING"].split(";") if part
    )
    return settings["BlobEndpoint"].rstrip("/")
