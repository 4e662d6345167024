"""No input makes a submission endpoint answer 500: every route, authenticated or not, with
hostile identifiers and bodies, answers a 4xx (or a success) in JSON."""

import itertools

import pytest

IDENTIFIERS = ["test@example.org", "%7B%7D", "{not-a-uuid}", "x" * 300, "..", "%00", "12345678901234567890123", "-1",
               "ü@ë", "v", "v1.0"]
BODIES = [
    {},
    {"content": b"\x00\xff garbage", "headers": {"Content-Type": "application/json"}},
    {"content": b'{"version": {"upload": 5}}', "headers": {"Content-Type": "application/json"}},
    {"content": b'{"version": [], "name": {"en-US": 3}, "categories": "x"}', "headers": {"Content-Type": "application/json"}},
    {"content": b"[1, 2]", "headers": {"Content-Type": "application/json"}},
    {"content": b'{"compatibility": {"firefox": {"min": "' + b"1" * 5000 + b'"}}}',
     "headers": {"Content-Type": "application/json"}},
    {"content": b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n",
     "headers": {"Content-Type": "multipart/form-data; boundary=b"}},
    {"content": b"not multipart at all", "headers": {"Content-Type": "multipart/form-data; boundary=zz"}},
    {"content": b"upload=%ZZ&channel=sideways", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    {"files": {"upload": ("a.xpi", b"PK\x05\x06" + b"\x00" * 18, "application/x-xpinstall")}, "data": {"channel": "nope"}},
]
ROUTES = [
    ("PUT", "/api/v4/addons/{id}/versions/{id}/"),
    ("POST", "/api/v3/addons/"),
    ("GET", "/api/v4/addons/{id}/versions/{id}/uploads/{id}/"),
    ("POST", "/api/v5/addons/upload/"),
    ("GET", "/api/v5/addons/upload/{id}/"),
    ("POST", "/api/v5/addons/addon/"),
    ("PUT", "/api/v5/addons/addon/{id}/"),
    ("PATCH", "/api/v5/addons/addon/{id}/"),
    ("POST", "/api/v5/addons/addon/{id}/versions/"),
    ("PATCH", "/api/v5/addons/addon/{id}/versions/{id}/"),
    ("GET", "/api/v5/addons/addon/{id}/versions/{id}/source/"),
    ("POST", "/api/v5/reviewers/addon/{id}/versions/{id}/approve"),
    ("GET", "/api/v4/file/{id}/{id}"),
    ("GET", "/downloads/file/{id}/{id}"),
]


@pytest.mark.parametrize("method, route", ROUTES)
def test_no_hostile_request_is_a_server_error(client, developer, account, method, route):
    _, headers = developer
    _, reviewer = account("reviewer@example.org", role="reviewer")
    for identifier, body, auth in itertools.product(IDENTIFIERS, BODIES if method != "GET" else [{}],
                                                    ({}, headers, reviewer)):
        request_headers = {**auth, **body.get("headers", {})}
        arguments = {key: value for key, value in body.items() if key != "headers"}
        response = client.request(method, route.format(id=identifier), headers=request_headers, **arguments)
        assert response.status_code < 500, (method, route, identifier, body, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/json", response.headers
