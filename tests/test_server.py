"""The bounds `addonhub serve` puts on request heads, tried on a real server over a real socket."""

import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.test_cli import serve  # noqa: F401 (the fixture)

pytestmark = pytest.mark.cli


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def _closed_within(connection: socket.socket, seconds: float) -> bool:
    """Whether the server closes the connection in time; bytes still arriving before the close (the
    rest of an earlier response, which may come in a segment of its own) are read past."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        connection.settimeout(left)
        try:
            if connection.recv(1024) == b"":
                return True
        except TimeoutError:
            return False
    return False


def test_heads_too_large_are_431_and_unfinished_ones_are_cut_off(serve, tmp_path, monkeypatch):
    monkeypatch.setenv("ADDONHUB_HEADER_TIMEOUT", "1")
    url = serve(tmp_path / "store")
    assert httpx.get(f"{url}/__lbheartbeat__").status_code == 200

    too_large = httpx.get(f"{url}/__lbheartbeat__", headers={"X-Padding": "x" * (70 * 1024)})
    assert too_large.status_code == 431

    idle = _connect(url)
    started = time.monotonic()
    idle.sendall(b"GET /__lbheartbeat__ HTTP/1.1\r\nHost: store\r\nX-Slow: ")  # and never the rest
    assert _closed_within(idle, 5) and time.monotonic() - started < 5

    # A head sent whole in time is served, and the next one on the same connection gets the bound too.
    kept = _connect(url)
    kept.sendall(b"GET /__lbheartbeat__ HTTP/1.1\r\nHost: store\r\n\r\n")
    assert kept.recv(4096).startswith(b"HTTP/1.1 200")
    kept.sendall(b"GET /__lbheartbeat__ HTTP/1.1\r\nHost: st")
    assert _closed_within(kept, 5)


@pytest.mark.parametrize("trusted", [False, True])
def test_a_trusted_proxys_forwarded_client_is_the_client(serve, tmp_path, monkeypatch, trusted):
    """Behind nginx every request comes from the proxy's address: only with ADDONHUB_TRUSTED_PROXIES
    do the per-address throttles (here the abuse reports', one a day) tell one client from another."""
    monkeypatch.setenv("ADDONHUB_THROTTLE_ABUSE_REPORTS_PER_IP", "1/day")
    if trusted:
        monkeypatch.setenv("ADDONHUB_TRUSTED_PROXIES", "127.0.0.1")
    url = serve(tmp_path / "store")

    def report(client_address: str) -> int:
        return httpx.post(f"{url}/api/v4/abuse/report/addon/", json={"addon": "elsewhere@example.com", "message": "x"},
                          headers={"X-Forwarded-For": client_address}).status_code

    assert [report("192.0.2.1"), report("192.0.2.1"), report("192.0.2.2")] == [201, 429, 201 if trusted else 429]
