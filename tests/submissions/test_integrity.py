"""What must hold however requests and reviewers interleave: one decision per version, no
approval of a closed add-on, no version for a deleted or store-disabled one, no id that differs
from the add-on's, nothing left behind by a request, no upload stuck unprocessed."""

import pytest
from sqlalchemy import select

from addonhub.catalog.models import Addon, File
from addonhub.jobs import Worker
from addonhub.submissions.models import Upload
from addonhub.workflows import give_up_handlers
from addonhub.submissions.review import approve, pending_version, reject
from addonhub.refusals import Refused
from tests.submissions.test_signing_api import put, snapshot

STATUS = "/api/v4/addons/test@example.org/versions/{}/"


@pytest.fixture
def waiting(client, developer, xpi, run_jobs):
    """test@example.org: 1.0 unlisted and signed, 2.0 listed and awaiting review."""
    _, headers = developer
    put(client, headers, xpi("1.0"))
    run_jobs()
    put(client, headers, xpi("2.0"), channel="listed")
    run_jobs()
    return headers


def test_only_the_first_of_two_racing_decisions_stands(store, client, waiting, run_jobs):
    with store.db.session() as first, store.db.session() as second:
        seen_by_first = pending_version(first, "test@example.org", "2.0")
        seen_by_second = pending_version(second, "test@example.org", "2.0")
        reject(first, seen_by_first, None, "Remote code.")
        first.commit()
        with pytest.raises(Refused, match="already been reviewed"):
            approve(second, seen_by_second, None)
    run_jobs()
    status = client.get(STATUS.format("2.0"), headers=waiting).json()
    assert status["reviewed"] and not status["active"] and not status["files"][0]["signed"]


def test_a_store_disabled_addon_leaves_the_queue_and_cannot_be_approved(store, client, waiting, account):
    with store.db.session() as session:
        session.scalar(select(Addon)).status = "disabled"
    _, reviewer = account("reviewer@example.org", role="reviewer")
    assert client.get("/api/v5/reviewers/queue/", headers=reviewer).json()["count"] == 0
    refused = client.post("/api/v5/reviewers/addon/test@example.org/versions/2.0/approve", headers=reviewer)
    assert refused.status_code == 409
    with store.db.session() as session:
        assert session.scalar(select(Addon)).status == "disabled"


def test_reviewers_cannot_review_their_own_addons_and_must_authenticate_first(client, waiting, store, account, jwt_headers):
    with store.db.session() as session:
        from addonhub.accounts.models import User
        session.scalar(select(User).where(User.email == "dev@example.org")).role = "reviewer"
    own = client.post("/api/v5/reviewers/addon/test@example.org/versions/2.0/approve", headers=waiting)
    assert (own.status_code, own.json()) == (403, {"detail": "You cannot review your own add-on."})
    anonymous = client.post("/api/v5/reviewers/addon/test@example.org/versions/2.0/approve", content=b"{not json")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("JWT")


@pytest.mark.parametrize("status, message", [
    ("deleted", "Duplicate add-on ID found."),
    ("disabled", "You cannot add versions to an addon that has status: Disabled by Mozilla."),
])
def test_closed_addons_take_no_new_version(store, client, developer, xpi, run_jobs, status, message):
    _, headers = developer
    put(client, headers, xpi("1.0"))
    run_jobs()
    with store.db.session() as session:
        session.scalar(select(Addon)).status = status
    before = snapshot(store)
    response = put(client, headers, xpi("1.1"), channel="listed")
    assert (response.status_code, response.json()) == (400, {"error": message})
    assert snapshot(store) == before


def test_an_id_differing_only_in_case_is_another_addons(client, developer, xpi, run_jobs):
    _, headers = developer
    put(client, headers, xpi("1.0"))
    run_jobs()
    response = put(client, headers, xpi("1.1", guid="Test@Example.org"))
    assert response.status_code == 400
    assert response.json()["error"].startswith("The add-on ID in your manifest.json (Test@Example.org) does not match")


def test_posting_someone_elses_id_is_a_duplicate_not_a_permission_error(client, developer, xpi, run_jobs, account,
                                                                       jwt_headers):
    _, headers = developer
    put(client, headers, xpi("1.0"))
    run_jobs()
    other_id, _ = account("other@example.org")
    response = client.post("/api/v4/addons/", headers=jwt_headers(other_id),
                           files={"upload": ("a.xpi", xpi("2.0"), "application/x-xpinstall")})
    assert (response.status_code, response.json()) == (400, {"error": "Duplicate add-on ID found."})


def test_extra_file_fields_leave_no_blob(store, client, developer, xpi):
    _, headers = developer
    response = client.put(STATUS.format("1.0"), headers=headers,
                          files={"upload": ("a.xpi", xpi(), "application/x-xpinstall"),
                                 "other": ("b.bin", b"extra bytes", "application/octet-stream")})
    assert response.status_code == 201
    _, blobs = snapshot(store)
    assert len(blobs) == 1


def test_an_upload_whose_validation_keeps_failing_ends_processed_and_invalid(store, client, developer, xpi):
    _, headers = developer
    upload = put(client, headers, xpi()).json()

    def crashing(_session, _payload):
        raise RuntimeError("validator crashed")

    with store.db.session() as session:
        from addonhub.jobs import Job
        session.scalar(select(Job)).max_attempts = 1
    Worker(store.db, {"validate-upload": crashing}, give_up=give_up_handlers()).run_once()
    status = client.get(upload["url"], headers=headers).json()
    assert status["processed"] and not status["valid"]
    assert status["validation_results"]["messages"][0]["id"] == ["VALIDATION_FAILED"]
    assert put(client, headers, xpi()).status_code == 201  # the version string is free again


def test_absurd_application_versions_are_not_versions(client, developer, xpi, run_jobs, store):
    _, headers = developer
    upload = put(client, headers, xpi(guid=None, browser_specific_settings={
        "gecko": {"id": "test@example.org", "strict_min_version": "1" * 5000}})).json()
    run_jobs()
    status = client.get(upload["url"], headers=headers).json()
    assert status["processed"]
    with store.db.session() as session:
        assert session.scalar(select(Upload)).processed
        assert all(file.status in ("public", "unreviewed") for file in session.scalars(select(File)))
