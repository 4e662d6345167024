"""What every AMO endpoint shares: JSON, CORS, slashes, OpenAPI, and no 500 for any input."""

import itertools
import random
from urllib.parse import quote

import pytest

from tests.factories import addon_record

ENDPOINTS = [
    "/api/{v}/addons/search/", "/api/{v}/addons/autocomplete/", "/api/{v}/addons/featured/?app=firefox",
    "/api/{v}/addons/addon/thing/", "/api/{v}/addons/addon/thing/versions/",
    "/api/{v}/addons/addon/thing/versions/{version}/", "/api/{v}/addons/addon/thing/eula_policy/",
    "/api/{v}/addons/language-tools/?app=firefox", "/api/{v}/addons/replacement-addon/",
    "/api/{v}/addons/compat-override/", "/api/{v}/addons/recommendations/?guid=thing@example.org",
]


@pytest.fixture
def urls(load, client):
    load(addon_record("thing"))
    version = client.get("/api/v4/addons/addon/thing/").json()["current_version"]["id"]
    return [url.format(v=v, version=version) for url in ENDPOINTS for v in ("v3", "v4")]


def test_every_endpoint_answers_json_with_and_without_the_trailing_slash(client, urls):
    for url in urls:
        path, _, query = url.partition("?")
        for variant in (path, path.rstrip("/")):
            response = client.get(variant + (f"?{query}" if query else ""))
            assert response.status_code == 200, (variant, response.text)
            assert response.headers["content-type"] == "application/json"


def test_cors_on_the_api(client, urls):
    response = client.get(urls[0], headers={"Origin": "https://elsewhere.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(urls[0], headers={"Origin": "https://elsewhere.example",
                                                 "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200


def test_unknown_routes_and_methods_answer_json(client):
    response = client.get("/api/v4/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert response.headers["content-type"] == "application/json"
    response = client.delete("/api/v4/addons/search/")
    assert response.status_code == 405 and response.json() == {"detail": "Method not allowed."}


def test_errors_are_json_too(client, urls):
    response = client.get("/api/v4/addons/search/?page_size=99")
    assert response.headers["content-type"] == "application/json"


def test_openapi_describes_every_endpoint(client):
    schema = client.get("/api/openapi.json").json()
    paths = set(schema["paths"])
    for endpoint in ENDPOINTS:
        for v in ("v3", "v4"):
            path = endpoint.split("?")[0].rstrip("/").format(v=v, version="{version_id}")
            assert path.replace("thing", "{identifier}") in paths
    search = schema["paths"]["/api/v4/addons/search"]["get"]
    assert {"q", "app", "sort", "page_size", "exclude_addons"} <= {p["name"] for p in search["parameters"]}
    # Validation errors answer 400 (api/app.py): FastAPI's 422 is declared nowhere.
    operations = [operation for methods in schema["paths"].values() for operation in methods.values()]
    assert not [operation["operationId"] for operation in operations if "422" in operation["responses"]]
    assert search["responses"]["200"]["content"]["application/json"]["schema"]["required"] == [
        "count", "next", "previous", "results"]
    download = schema["paths"]["/downloads/file/{file_id}/{filename}"]["get"]["responses"]["200"]["content"]
    assert download["application/x-xpinstall"]["schema"] == {"type": "string", "format": "binary"}
    assert "application/json" not in download


def test_heartbeat(client):
    assert client.get("/__heartbeat__").status_code == 200


NASTY = ["", " ", "0", "-1", "99999999999999999999999", "1.5", "true", "null", "[]", "{}", "%00", "\u0000",
         "x" * 10_000, "🦊" * 50, "\u202e", "' OR 1=1 --", '"', "*", "a,b,,c", "firefox", "extension", "random",
         "all_with_deleted", "46.0", "*.*", "../../etc/passwd"]
PARAMS = ["q", "app", "appversion", "author", "category", "exclude_addons", "featured", "guid", "lang", "page",
          "page_size", "platform", "promoted", "tag", "type", "sort", "filter", "recommended", "wrap_outgoing_links",
          "unknown"]


def test_no_input_makes_a_500(client, urls):
    rng = random.Random(1234)
    for url, (name, value) in itertools.product(urls, [(p, v) for p in PARAMS for v in NASTY[::3]]):
        response = client.get(url, params={name: value})
        assert response.status_code < 500, (url, name, value, response.text)
    for _ in range(300):
        url = rng.choice(urls)
        params = {rng.choice(PARAMS): rng.choice(NASTY) for _ in range(rng.randint(1, 5))}
        response = client.get(url, params=params)
        assert response.status_code < 500, (url, params, response.text)
        assert response.headers["content-type"] == "application/json"
    for identifier in [quote(n, safe="") for n in NASTY] + ["%7B", "{}", "@", "a/b"]:
        response = client.get(f"/api/v4/addons/addon/{identifier}/versions/{identifier}/")
        assert response.status_code < 500, (identifier, response.text)


def test_an_unknown_path_with_a_trailing_slash_is_a_404_not_a_redirect_loop(client):
    for path in ("/outgoing/abc/", "/api/v4/no/such/route/", "/api/v5/addons/upload/"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (401, 404, 405), (path, response.status_code)
        assert response.headers["content-type"] == "application/json"
