"""A client of direct uploads (``direct_uploads``), as a browser is or as an attacker with
write permission would be: it asks the app where, sends bytes there over HTTP itself, and
claims them."""

import base64
import uuid
from urllib.parse import quote

import requests

from imagestore.staging import STAGING_PREFIX


def start(client, name, size, content_type="image/jpeg", **kwargs):
    body = {"filename": name, "size": size, "content_type": content_type}
    return client.post("/api/uploads", json=body, **kwargs)


def send_to_storage(started, data):
    sent = put_to_storage(started.json["upload"], data)
    assert sent.status_code in (200, 201), sent.text


def put_to_storage(upload, data):
    return requests.request(upload["method"], upload["url"], data=data, headers=upload["headers"], timeout=60)


def send_directly(client, name, data, announced_size=None):
    started = start(client, name, announced_size or len(data))
    assert started.status_code == 201, started.json
    send_to_storage(started, data)
    return client.post(started.json["claim_url"])


def staged(storage):
    return [name for name in storage.names() if name.startswith(STAGING_PREFIX)]


def is_azure(upload):
    return upload["headers"].get("x-ms-blob-type") == "BlockBlob"


def stage_block(upload, data):
    """Send ``data`` as a block of the staged blob, with the upload's SAS, without committing
    it; return the block's id. Only on Azure."""
    block_id = base64.b64encode(uuid.uuid4().hex.encode()).decode()
    url = f"{upload['url']}&comp=block&blockid={quote(block_id, safe='')}"
    answer = requests.put(url, data=data, timeout=60)
    assert answer.status_code == 201, answer.text
    return block_id


def commit_blocks(upload, block_ids):
    """Make the staged blob the blocks ``block_ids``, with the upload's SAS. Only on Azure."""
    latest = "".join(f"<Latest>{block_id}</Latest>" for block_id in block_ids)
    body = f'<?xml version="1.0" encoding="utf-8"?><BlockList>{latest}</BlockList>'
    return requests.put(f"{upload['url']}&comp=blocklist", data=body, timeout=60)
