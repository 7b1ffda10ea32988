"""Requests built to hurt: odd multipart bodies, huge bodies, cross-site writes, debug switches."""

import socket
import time

import pytest
import requests
import samples

from imagestore import create_app


def multipart(*parts, boundary="hostile-boundary"):
    """A multipart body written by hand, for what test clients will not send."""
    body = b""
    for disposition, data in parts:
        body += f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n".encode()
        body += b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_thousands_of_tiny_parts_are_refused_with_413(client):
    body, content_type = multipart(*[(f'name="file"; filename="{n}.png"', b"x") for n in range(3000)])
    answer = client.post("/api/images", data=body, content_type=content_type)
    assert answer.status_code == 413
    assert "too many parts" in answer.json["error"]
    assert client.get("/api/images").json["total"] == 0


def test_an_rfc_2231_filename_is_decoded(client):
    disposition = "name=\"file\"; filename*=UTF-8''%E5%86%99%E7%9C%9F%20%C3%A9t%C3%A9.png"
    body, content_type = multipart((disposition, samples.image()))
    answer = client.post("/api/images", data=body, content_type=content_type)
    assert answer.status_code == 201
    assert answer.json["stored"][0]["key"] == "写真 été.png"


def test_quotes_and_encoded_line_breaks_in_a_filename_give_a_servable_key(client):
    body, content_type = multipart(('name="file"; filename="say \\"cheese\\"%0D%0A.png"', samples.image()))
    answer = client.post("/api/images", data=body, content_type=content_type)
    assert answer.status_code == 201
    key = answer.json["stored"][0]["key"]
    assert "\r" not in key and "\n" not in key
    served = client.get(answer.json["stored"][0]["url"])
    assert served.status_code == 200
    assert "\n" not in served.headers["Content-Disposition"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(live_server):
    """A client announcing 10 GB gets 413 after sending a few bytes; the server stays up."""
    host, port = live_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /api/images HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 10737418240\r\n\r\n" + b"x" * 65536
        )
        started = time.monotonic()
        status_line = connection.recv(1024).split(b"\r\n")[0]
    assert status_line.endswith(b"413 REQUEST ENTITY TOO LARGE")
    assert time.monotonic() - started < 5
    assert requests.get(f"{live_server}/healthz", timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, 201),
        ({"Sec-Fetch-Site": "same-origin"}, 201),
        ({"Sec-Fetch-Site": "none"}, 201),
        ({"Sec-Fetch-Site": "same-site"}, 403),
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}, 403),
        ({"Origin": "http://localhost"}, 201),
        ({"Origin": "http://evil.example"}, 403),
        ({"Origin": "http://localhost:8080"}, 403),
        ({"Origin": "null"}, 403),
    ],
)
def test_cross_site_protection(upload, headers, expected):
    assert upload(("a.png", samples.image()), headers=headers).status_code == expected


def test_the_debugger_stays_off_even_when_flask_debug_is_set(config_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app(config_path)
    assert app.debug is False
    assert app.test_client().get("/console").status_code == 404
