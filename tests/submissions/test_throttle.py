"""The submission throttle's scopes: AMO's uploads (v5 `upload/` and the signing API), AMO's add-on
and version writes, and Edge's submissions each have their own budget, per account and per address;
reads are never counted; Retry-After is the wait until the request would pass, and a refused
request is not counted. Each test sets its own small limits (`limits`); the other tests run with
the store's defaults."""


import pytest

from addonhub.accounts.edge_credentials import issue_edge_credentials
from addonhub.accounts.models import User
from addonhub.edge.products import create_product
from addonhub.store import Store
from tests.edge.test_submissions import ZIP, accepted, edge_error, publish, upload_status
from tests.packages.builders import chromium_extension
from tests.submissions.test_signing_api import put
from tests.submissions.test_v5_api import API, GUID, send_upload, validated_upload, version_status

SCOPES = ("amo_uploads", "amo_addons", "edge")
ONE_A_MINUTE = {f"throttle_{scope}_per_{who}": "1/minute" for scope in SCOPES for who in ("user", "ip")}
THROTTLED = "Request was throttled. Expected available in {wait} seconds."


@pytest.fixture
def limits() -> dict:
    return ONE_A_MINUTE


@pytest.fixture
def store(store_settings, limits) -> Store:
    """The shared test store, with the test's limits in place of the defaults."""
    return Store(store_settings(**limits))


@pytest.fixture
def edge(store, developer, tmp_path):
    """The developer's Edge credentials and a product of theirs: (headers, product id, package)."""
    user_id, _ = developer
    with store.db.session() as session:
        user = session.get(User, user_id)
        credentials = issue_edge_credentials(session, user)
        product_id = create_product(session, user, "Tab Tamer").edge_product_id
    headers = {"Authorization": f"ApiKey {credentials.api_key}", "X-ClientID": credentials.client_id}
    return headers, product_id, chromium_extension(tmp_path / "edge.zip", "1.0.0", "Tab Tamer").read_bytes()


def edge_upload(client, edge):
    headers, product_id, package = edge
    return client.post(f"/v1/products/{product_id}/submissions/draft/package", headers={**headers, **ZIP},
                       content=package)


def amo_wait(response) -> int:
    """The seconds of an AMO 429, checked against its body."""
    assert response.status_code == 429, response.text
    wait = int(response.headers["retry-after"])
    assert response.json() == {"detail": THROTTLED.format(wait=wait)}
    return wait


def test_uploads_and_addon_writes_count_apart(client, developer, xpi, run_jobs):
    _, headers = developer
    upload = validated_upload(client, headers, run_jobs, xpi("1.0"))
    # The upload budget is spent, in v5 and in the signing API, whose submissions are uploads...
    assert 1 <= amo_wait(send_upload(client, headers, xpi("1.1"))) <= 60
    assert 1 <= amo_wait(put(client, headers, xpi("1.1"))) <= 60
    # ...and the add-on and version budget is whole.
    created = client.put(f"{API}/addon/{GUID}/", headers=headers, json={"version": {"upload": upload}})
    assert created.status_code == 201, created.json()
    assert 1 <= amo_wait(client.patch(f"{API}/addon/{GUID}/", headers=headers, json={"tags": []})) <= 60
    assert 1 <= amo_wait(client.post(f"{API}/addon/{GUID}/versions/", headers=headers,
                                     json={"upload": upload})) <= 60


def test_the_signing_api_spends_the_upload_budget_and_not_the_addon_one(client, developer, xpi, run_jobs):
    _, headers = developer
    assert put(client, headers, xpi("1.0")).status_code == 201
    amo_wait(send_upload(client, headers, xpi("1.1")))
    assert client.post(f"{API}/addon/", headers=headers, json={"version": {"upload": "not-an-upload"}}).status_code == 400


def test_edge_and_amo_count_apart(client, developer, xpi, edge, run_jobs):
    _, headers = developer
    accepted(edge_upload(client, edge))
    wait = int(edge_error(publish(client, edge[0], edge[1]), 429, "TooManyRequests").split()[1])
    assert 1 <= wait <= 60
    # AMO's budgets are whole after Edge's is spent, and Edge's was not touched by AMO's.
    assert send_upload(client, headers, xpi("1.0")).status_code == 201
    assert put(client, headers, xpi("1.1")).status_code == 429
    edge_error(edge_upload(client, edge), 429, "TooManyRequests")


def test_reads_are_never_counted(client, developer, xpi, edge, run_jobs):
    _, headers = developer
    upload = validated_upload(client, headers, run_jobs, xpi("1.0"))
    created = client.put(f"{API}/addon/{GUID}/", headers=headers, json={"version": {"upload": upload}})
    operation = accepted(edge_upload(client, edge)).rsplit("/", 1)[-1]
    run_jobs()
    reads = [
        lambda: client.get(f"{API}/upload/{upload}/", headers=headers),
        lambda: client.get(f"{API}/addon/{GUID}/", headers=headers),
        lambda: version_status(client, headers, GUID, created.json()["version"]["id"]),
        lambda: client.get("/api/v4/addons/test@example.org/versions/1.0/", headers=headers),
        lambda: upload_status(client, edge[0], edge[1], operation),
    ]
    for _ in range(5):
        assert [read().status_code for read in reads] == [200] * len(reads)


@pytest.mark.parametrize("limits", [{"throttle_amo_uploads_per_user": "1/minute",
                                     "throttle_amo_uploads_per_ip": "2/minute"}])
def test_a_refused_request_is_not_counted(client, developer, account, jwt_headers, xpi):
    _, headers = developer
    assert send_upload(client, headers, xpi("1.0")).status_code == 201
    # Refused by the account's limit: had it counted against the address too, the address's
    # second request of the minute, from another account, would be refused.
    assert 1 <= amo_wait(send_upload(client, headers, xpi("1.1"))) <= 60
    other_id, _ = account("other@example.org", username="other")
    assert send_upload(client, jwt_headers(other_id), xpi("1.0", guid="other@example.org")).status_code == 201
    assert 1 <= amo_wait(send_upload(client, jwt_headers(other_id), xpi("1.1", guid="other@example.org"))) <= 60


@pytest.mark.parametrize("limits", [{"throttle_amo_uploads_per_user": "5/minute;1/hour"}])
def test_retry_after_is_the_longest_wait_of_the_limits_reached(client, developer, xpi):
    _, headers = developer
    assert send_upload(client, headers, xpi("1.0")).status_code == 201
    # The minute's limit would let it pass, the hour's not for nearly an hour.
    assert 3500 <= amo_wait(send_upload(client, headers, xpi("1.1"))) <= 3600
