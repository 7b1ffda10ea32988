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


def test_a_reupload_under_a_deleted_name_gets_a_signed_url_of_its_own(redirecting, upload):
    old, new = samples.image(kind="jpeg", seed=1), samples.image(kind="jpeg", seed=2)
    first = upload(("X.jpg", old), to=redirecting).json["stored"][0]
    old_location = redirecting.get(first["url"]).headers["Location"]
    assert redirecting.delete(f"/api/images/{first['key']}").status_code == 204
    second = upload(("X.jpg", new), to=redirecting).json["stored"][0]
    assert second["key"] == first["key"]
    redirected = redirecting.get(second["url"])
    assert redirected.headers["Location"] != old_location
    served = followed(redirected)
    assert served.content == new
    assert served.headers["Cache-Control"] == KEPT_A_YEAR
    assert followed(redirecting.get(first["url"])).headers["Cache-Control"] == "no-cache"


def test_a_process_that_kept_the_old_record_answers_with_the_new_versions_headers(
    redirecting, make_app, upload
):
    other_process = make_app(SERVE="redirect").test_client()
    first = upload(("X.jpg", samples.image(kind="jpeg", seed=1)), to=redirecting).json["stored"][0]
    assert followed(redirecting.get(first["url"])).headers["Content-Type"] == "image/jpeg"
    other_process.delete(f"/api/images/{first['key']}")
    png = samples.image(seed=2)
    second = upload(("X.jpg", png), to=other_process).json["stored"][0]
    served = followed(redirecting.get(second["url"]))
    assert served.content == png
    assert (served.headers["Content-Type"], served.headers["Cache-Control"]) == ("image/png", KEPT_A_YEAR)


@pytest.mark.parametrize("backend", ["seaweedfs"])
def test_the_version_is_signed_into_the_url(redirecting, image, backend):
    """SeaweedFS checks signatures as AWS does: a URL whose version is changed is refused."""
    location = redirecting.get(image["url"]).headers["Location"]
    version = image["url"].rsplit("v=", 1)[1]
    assert f"v={version}" in location
    assert requests.get(location.replace(f"v={version}", "v=000000000000"), timeout=30).status_code == 403


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


def test_a_width_of_the_ladder_is_served_through_the_app_and_kept_a_year(redirecting, image):
    """A size made on first request is not in the record, so storage cannot be asked for it
    by a signed URL: the app sends it, at an address versioned all the same."""
    address = image["srcset"].split(", ")[1].split(" ")[0]
    answer = redirecting.get(address)
    assert (answer.status_code, answer.mimetype) == (200, "image/webp")
    assert answer.headers["Cache-Control"] == KEPT_A_YEAR
