"""Cross-site writes are refused; curl and the app's own page are not."""

import samples


def test_a_write_sent_by_a_browser_from_another_site_is_refused(client):
    answer = client.post("/", headers={"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 403
    assert "another site" in answer.get_data(as_text=True)


def test_a_write_from_another_origin_is_refused_when_the_browser_sends_no_fetch_metadata(client):
    answer = client.delete("/api/images/a.png", headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert "another site" in answer.json["error"]


def test_a_write_from_the_app_s_own_page_is_accepted(upload):
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert upload(("a.png", samples.image()), headers=headers).status_code == 201


def test_a_write_from_curl_is_accepted(upload):
    assert upload(("a.png", samples.image())).status_code == 201


def test_a_cross_site_read_is_allowed(client):
    assert client.get("/", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200
