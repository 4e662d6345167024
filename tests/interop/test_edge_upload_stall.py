"""A package upload that stalls is cut off with a 408 in the Edge error shape, on the real server
(TestClient cannot stall a body), whether the body is sized or chunked; nothing is kept of it."""

import json
import socket
import sqlite3
import time

import pytest

from tests.interop.edge_accounts import api_key_headers, edge_account

IDLE_TIMEOUT = 1.0


def stalled_upload(store, target: str, headers: dict[str, str], first_part: bytes) -> tuple[int, dict, float]:
    """Sends the headers and the first part of a body, then nothing; returns the status, the JSON
    body and how long the answer took."""
    lines = [f"POST {target} HTTP/1.1", f"Host: 127.0.0.1:{store.port}"] + [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection(("127.0.0.1", store.port), timeout=30) as connection:
        started = time.monotonic()
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + first_part)
        response = b""
        while b"\r\n\r\n" not in response or not _complete(response):
            chunk = connection.recv(65536)
            if not chunk:
                break
            response += chunk
        elapsed = time.monotonic() - started
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body), elapsed


def _complete(response: bytes) -> bool:
    head, _, body = response.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return False


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_stalled_upload_gets_a_408(live_store_factory, framing):
    store = live_store_factory(env={"ADDONHUB_UPLOAD_IDLE_TIMEOUT": str(IDLE_TIMEOUT)})
    account, product = edge_account(store)
    headers = {**api_key_headers(account), "Content-Type": "application/zip"}
    if framing == "chunked":
        headers["Transfer-Encoding"] = "chunked"
        first_part = b"400\r\n" + b"PK" + b"\0" * 1022 + b"\r\n"
    else:
        headers["Content-Length"] = "100000"
        first_part = b"PK" + b"\0" * 1022
    status, body, elapsed = stalled_upload(store, f"/v1/products/{product['id']}/submissions/draft/package",
                                           headers, first_part)
    assert status == 408
    assert set(body) == {"id", "message", "errorCode", "errors"} and body["errorCode"] == "RequestTimeout"
    assert IDLE_TIMEOUT <= elapsed < IDLE_TIMEOUT + 10
    with sqlite3.connect(store.data_dir / "addonhub.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM uploads").fetchone() == (0,)
    assert [path for path in (store.data_dir / "blobs").rglob("*") if path.is_file()] == []
