"""Talking to a running app over real HTTP, as its clients do."""

import requests
import samples


def upload_over_http(base_url, filename, data, session=requests, timeout=60):
    """POST one file to the app's API; return the key it was stored under."""
    answer = session.post(f"{base_url}/api/images", files={"file": (filename, data)}, timeout=timeout)
    assert answer.status_code == 201, answer.text
    return answer.json()["stored"][0]["key"]


def served_sha256(base_url, key, session=requests, timeout=60):
    """The SHA-256 of the bytes the app serves for ``key``."""
    return samples.sha256(session.get(f"{base_url}/image/{key}", timeout=timeout).content)


def assert_lists_and_serves(base_url, expected):
    """The app lists exactly the keys of ``expected`` (key: SHA-256) and serves each byte for byte."""
    listing = requests.get(f"{base_url}/api/images?per_page=100", timeout=60).json()
    assert sorted(image["key"] for image in listing["images"]) == sorted(expected)
    for key, digest in expected.items():
        assert served_sha256(base_url, key) == digest
