"""Request ids: in every answer, in every log line of the request, and in the jobs it queued."""

import io
import json
import logging

import pytest
from sqlalchemy import select

from addonhub.jobs import Job, Worker
from addonhub.logs import configure_logging
from tests.packages.builders import extension, manifest


@pytest.fixture
def json_logs():
    """The process's logging as `serve` sets it up with ADDONHUB_LOG_FORMAT=json, its handler
    writing into a buffer instead of stderr; the lines written so far."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("json")
    written = io.StringIO()
    root.handlers[0].setStream(written)
    yield lambda: [json.loads(line) for line in written.getvalue().splitlines()]
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def test_every_answer_carries_a_request_id(client):
    made = client.get("/__lbheartbeat__").headers["x-request-id"]
    assert len(made) == 32 and made != client.get("/__lbheartbeat__").headers["x-request-id"]
    assert client.get("/api/v4/addons/addon/none/", headers={"X-Request-ID": "proxy-7f3a"}).headers[
        "x-request-id"] == "proxy-7f3a"
    # An id that is no token (spaces, or too long to be one) is replaced, not echoed.
    assert client.get("/__lbheartbeat__", headers={"X-Request-ID": "a b"}).headers["x-request-id"] != "a b"
    assert len(client.get("/__lbheartbeat__", headers={"X-Request-ID": "x" * 500}).headers["x-request-id"]) == 32


def test_json_log_lines_and_the_jobs_a_request_queued_carry_its_id(client, store, account, json_logs, tmp_path):
    _, headers = account("dev@example.org")
    client.get("/api/v4/addons/addon/nothing/", headers={"X-Request-ID": "req-42"})
    [line] = [line for line in json_logs() if line.get("request_id") == "req-42"]
    assert (line["route"], line["status"], line["level"], line["logger"]) == (
        "/api/v4/addons/addon/{identifier}", 404, "INFO", "addonhub.requests")
    package = extension(tmp_path / "a.xpi", manifest(browser_specific_settings={"gecko": {"id": "a@example.org"}}))
    files = {"upload": ("a.xpi", package.read_bytes(), "application/x-xpinstall")}
    client.post("/api/v5/addons/upload/", headers={**headers, "X-Request-ID": "req-43"}, files=files)
    with store.db.session() as session:
        assert [job.request_id for job in session.scalars(select(Job))] == ["req-43"]

    def crashing(_session, _payload):
        raise RuntimeError("the validator broke")

    Worker(store.db, {"validate-upload": crashing}).run_once()
    failure = [line for line in json_logs() if line.get("logger") == "addonhub.jobs"]
    assert failure and failure[0]["request_id"] == "req-43" and "failed" in failure[0]["message"]
