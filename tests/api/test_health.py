"""Dockerflow's endpoints: the heartbeat checks what a store needs to work, and says what failed."""

import shutil
import subprocess
from datetime import datetime, timedelta

from addonhub.jobs import enqueue


def test_a_working_store_is_healthy_and_leaves_no_probe_behind(client, store):
    response = client.get("/__heartbeat__")
    assert (response.status_code, response.json()) == (
        200, {"status": "ok", "checks": {"database": "ok", "blobs": "ok", "rate_limits": "ok", "jobs": "ok"},
              "details": {}})
    assert list(store.blobs.list("heartbeat/")) == []
    assert client.get("/__lbheartbeat__").json() == {"status": "ok"}
    assert client.head("/__lbheartbeat__").status_code == client.head("/__heartbeat__").status_code == 200


def test_a_queue_nobody_works_fails_the_heartbeat(client, store):
    with store.db.session() as session:
        enqueue(session, "validate-upload", {"upload_id": 1}).run_after = datetime.utcnow() - timedelta(minutes=11)
    response = client.get("/__heartbeat__")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "error"
    assert body["checks"] == {"database": "ok", "blobs": "ok", "rate_limits": "ok", "jobs": "error"}
    assert "are workers running?" in body["details"]["jobs"]


def test_a_blob_store_that_cannot_be_written_fails_the_heartbeat(client, store):
    shutil.rmtree(store.blobs.root)
    store.blobs.root.write_text("a file where the blobs' folder must be")
    response = client.get("/__heartbeat__")
    assert response.status_code == 503 and response.json()["checks"] == {
        "database": "ok", "blobs": "error", "rate_limits": "ok", "jobs": "ok"}


def test_version_names_the_running_commit(client):
    body = client.get("/__version__").json()
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert body["source"] == "addonhub" and body["version"] == "0.1.0" and body["commit"] == head
