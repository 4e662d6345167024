"""Requests with an absolute URL as their target, as clients send them through `HTTPS_PROXY`:
routed by their path, on a real uvicorn server, with both of its HTTP parsers."""

import json
import socket

import pytest

from addonhub.api.app import create_app
from tests.edge.conftest import SHIPPED_SCOPE
from tests.live_server import uvicorn_in_thread


@pytest.fixture(params=["h11", "httptools"])
def server(request, store):
    """The store served on 127.0.0.1 by uvicorn with the given HTTP parser; yields the port."""
    with uvicorn_in_thread(create_app(store), http=request.param, proxy_headers=False) as port:
        yield port


def send(port: int, request_line: str, headers: dict, body: bytes = b"") -> tuple[int, bytes]:
    """Sends one request exactly as written (TestClient and httpx cannot send an absolute-form
    target to a server that is not a proxy); returns the status and the body."""
    lines = [request_line] + [f"{name}: {value}" for name, value in headers.items()]
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    head, _, content = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), content


def test_the_product_list_at_an_absolute_target(server, developer, product):
    owner = developer()
    product_id = product(owner, "Proxied")
    headers = {"Host": "api.addons.microsoftedge.microsoft.com", **owner.api_key_headers}
    for target in ("https://api.addons.microsoftedge.microsoft.com/v1/products",
                   "http://api.addons.microsoftedge.microsoft.com:80/api/v1/products/",
                   "HTTPS://API.ADDONS.MICROSOFTEDGE.MICROSOFT.COM/v1/products?x=1",
                   "/v1/products"):
        status, body = send(server, f"GET {target} HTTP/1.1", headers)
        assert status == 200, (target, body)
        assert [entry["id"] for entry in json.loads(body)] == [product_id]


def test_the_token_endpoint_at_an_absolute_target(server, developer):
    owner = developer()
    form = (f"client_id={owner.edge.client_id}&client_secret={owner.edge.client_secret}"
            f"&grant_type=client_credentials&scope={SHIPPED_SCOPE}").encode()
    status, body = send(server, "POST https://login.microsoftonline.com/some-tenant/oauth2/v2.0/token HTTP/1.1",
                        {"Host": "login.microsoftonline.com", "Content-Type": "application/x-www-form-urlencoded"},
                        form)
    assert status == 200 and json.loads(body)["token_type"] == "Bearer"
    token = json.loads(body)["access_token"]
    status, body = send(server, "GET https://api.addons.microsoftedge.microsoft.com/v1/products HTTP/1.1",
                        {"Host": "api.addons.microsoftedge.microsoft.com", "Authorization": f"Bearer {token}"})
    assert status == 200 and json.loads(body) == []


def test_an_absolute_target_is_still_authenticated_and_unknown_paths_are_404(server):
    status, body = send(server, "GET https://api.addons.microsoftedge.microsoft.com/v1/products HTTP/1.1",
                        {"Host": "api.addons.microsoftedge.microsoft.com"})
    assert status == 401 and json.loads(body)["errorCode"] == "Unauthorized"
    status, _ = send(server, "GET https://api.addons.microsoftedge.microsoft.com/v1/nothing-here HTTP/1.1",
                     {"Host": "api.addons.microsoftedge.microsoft.com"})
    assert status == 404
