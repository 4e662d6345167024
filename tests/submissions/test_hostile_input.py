"""No input makes a submission endpoint answer 500: every route, authenticated or not, with
hostile identifiers and bodies, answers a 4xx (or a success) in JSON."""

import itertools

import pytest

from addonhub.edge.operations import operation_id_in
from tests.submissions.test_v5_api import API, send_upload

# "١" is an Arabic-Indic 1 and "²" a superscript 2: str.isdigit() takes both, int() reads the first.
IDENTIFIERS = ["test@example.org", "%7B%7D", "{not-a-uuid}", "x" * 300, "..", "%00", "12345678901234567890123", "-1",
               "ü@ë", "v", "v1.0", "١", "١٠٠١", "²", "1²", "v١.٠"]


def nested(depth: int) -> bytes:
    return b"[" * depth + b'"x"' + b"]" * depth


# Deep enough that rendering the value recurses past Python's limit, yet within orjson's 1024 levels.
DEEP = nested(1000)
# Past orjson's limit: refused as the body is parsed.
DEEPER = nested(2000)
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
    *({"content": body, "headers": {"Content-Type": "application/json"}} for body in (
        b'{"version": {"upload": "x", "license": ' + DEEP + b'}, "default_locale": ' + DEEP + b'}',
        b'{"license": ' + DEEP + b', "compatibility": ' + DEEP + b', "release_notes": ' + DEEP + b'}',
        b'{"categories": ' + DEEP + b', "tags": ' + DEEP + b', "name": ' + DEEP + b', "summary": ' + DEEP + b'}',
        DEEP, DEEPER, b'{"version": ' + DEEPER + b'}',
    )),
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


@pytest.mark.parametrize("body, errors", [
    (b'{"version": {"upload": "u", "license": ' + DEEP + b'}}', {"version": {"license": ["Invalid value."]}}),
    (b'{"version": {"upload": "u", "license": 5}}', {"version": {"license": ["Invalid value."]}}),
    (b'{"version": {"upload": "u"}, "default_locale": ' + DEEP + b'}', {"default_locale": ["Not a valid string."]}),
    (b'{"version": {"upload": "u"}, "default_locale": {"a": 1}}', {"default_locale": ["Not a valid string."]}),
])
def test_v5_messages_do_not_render_values_that_are_not_strings(client, developer, body, errors):
    _, headers = developer
    response = client.post(f"{API}/addon/", headers={**headers, "Content-Type": "application/json"}, content=body)
    assert response.status_code == 400
    assert errors.items() <= response.json().items()


def test_json_nested_past_the_parsers_limit_is_a_parse_error(client, developer):
    _, headers = developer
    response = client.post(f"{API}/addon/", headers={**headers, "Content-Type": "application/json"},
                           content=b'{"version": ' + DEEPER + b"}")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")


def test_an_edge_operation_id_in_other_digits_names_no_operation():
    assert operation_id_in("1" * 32) == "11111111-1111-1111-1111-111111111111"
    assert operation_id_in("١" * 32) is None
    assert operation_id_in("products/p/submissions/operations/" + "١" * 32) is None


def test_a_manifest_field_of_the_wrong_type_makes_the_upload_invalid(client, developer, xpi, run_jobs):
    _, headers = developer
    upload = send_upload(client, headers, xpi(permissions=5)).json()
    run_jobs()
    status = client.get(upload["url"], headers=headers).json()
    assert status["processed"] and not status["valid"]
    messages = status["validation"]["messages"]
    assert [(m["id"], m["message"]) for m in messages] == [(["MANIFEST_FIELD_INVALID"], '"/permissions" must be a list.')]
