"""Probes for process managers and load balancers."""


def test_healthz_answers_while_the_process_serves(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_answers_when_the_backend_does(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json["status"] == "ready"
