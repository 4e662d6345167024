"""`GET /metrics`: Prometheus' text format, parsed as Prometheus parses it."""

from datetime import datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from addonhub.jobs import enqueue
from tests.factories import addon_record


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def test_requests_are_counted_by_route_template_and_status(client, load):
    load(addon_record("counted"))
    before = scrape(client)
    for _ in range(3):
        client.get("/api/v4/addons/addon/counted/")
    client.get("/api/v4/addons/addon/nothing-here/")
    client.get("/no/such/route")
    client.post("/v1/products/not-yours/submissions")
    after = scrape(client)
    route = "/api/v4/addons/addon/{identifier}"

    def grown(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grown("addonhub_requests_total", method="GET", route=route, status="200") == 3
    assert grown("addonhub_requests_total", method="GET", route=route, status="404") == 1
    assert grown("addonhub_requests_total", method="GET", route="unmatched", status="404") == 1
    assert grown("addonhub_request_duration_seconds_count", method="GET", route=route) == 4
    assert grown("addonhub_requests_total", method="POST", route="/v1/products/{product_id}/submissions",
                 status="401") == 1
    # Paths never become series: an add-on or product id would make one each.
    assert not any("counted" in str(labels) or "not-yours" in str(labels) for _, labels in after)


def test_the_store_state_comes_from_its_database(client, store):
    with store.db.session() as session:
        enqueue(session, "validate-upload", {"upload_id": 1}).run_after = datetime.utcnow() - timedelta(seconds=90)
        enqueue(session, "sign-version", {"version_id": 1})
    samples = scrape(client)
    assert samples[("addonhub_jobs", (("kind", "validate-upload"), ("status", "queued")))] == 1
    assert samples[("addonhub_jobs", (("kind", "sign-version"), ("status", "queued")))] == 1
    assert samples[("addonhub_jobs_oldest_waiting_seconds", ())] >= 90
    assert samples[("addonhub_review_queue_length", ())] == 0
    assert samples[("addonhub_upload_bytes_total", ())] == 0
