"""`addonhub review list|approve|reject`, run as a reviewer runs them, on a store with listed
submissions waiting."""

import json

import pytest
from sqlalchemy import select

from addonhub.catalog.models import Addon

from tests.submissions.test_signing_api import put
from tests.test_cli import run

pytestmark = pytest.mark.cli


@pytest.fixture
def waiting(client, store, developer, xpi, run_jobs):
    """A store where test@example.org 1.0 (unlisted, signed) is out and 2.0 (listed) awaits review."""
    _, headers = developer
    put(client, headers, xpi("1.0"))
    run_jobs()
    put(client, headers, xpi("2.0"), channel="listed")
    run_jobs()
    return str(store.settings.data_dir)


def test_list_shows_what_awaits_review(waiting):
    [entry] = json.loads(run("review", "list", "--data-dir", waiting, "--json").stdout)
    assert (entry["addon"]["guid"], entry["version"], entry["channel"]) == ("test@example.org", "2.0", "listed")
    assert entry["files"][0]["hash"].startswith("sha256:")
    assert "test@example.org  2.0  Test Extension" in run("review", "list", "--data-dir", waiting).stdout


def test_approve_signs_and_publishes(waiting, client, developer):
    _, headers = developer
    result = run("review", "approve", "--data-dir", waiting, "test@example.org", "2.0", "--notes", "Looks good.")
    assert "Approved test@example.org 2.0" in result.stdout
    status = client.get("/api/v4/addons/test@example.org/versions/2.0/", headers=headers).json()
    assert status["passed_review"] and status["files"][0]["signed"]
    assert client.get("/api/v4/addons/addon/test@example.org/").json()["current_version"]["version"] == "2.0"
    assert json.loads(run("review", "list", "--data-dir", waiting, "--json").stdout) == []
    again = run("review", "approve", "--data-dir", waiting, "test@example.org", "2.0", check=False)
    assert again.returncode == 1 and "not awaiting review" in again.stderr


def test_reject_needs_notes_and_keeps_the_version_from_the_public(waiting, client, developer):
    _, headers = developer
    assert run("review", "reject", "--data-dir", waiting, "test@example.org", "2.0", check=False).returncode == 2
    run("review", "reject", "--data-dir", waiting, "test@example.org", "2.0", "--notes", "Uses eval.")
    status = client.get("/api/v4/addons/test@example.org/versions/2.0/", headers=headers).json()
    assert status["reviewed"] and not status["passed_review"]
    assert client.get("/api/v4/addons/addon/test@example.org/").status_code == 401


def test_unknown_versions_and_addons_are_reported_as_what_they_are(waiting):
    result = run("review", "approve", "--data-dir", waiting, "test@example.org", "9.9", check=False)
    assert result.returncode == 1 and "No version 9.9 of add-on test@example.org" in result.stderr
    result = run("review", "approve", "--data-dir", waiting, "nobody@example.org", "2.0", check=False)
    assert result.returncode == 1 and "No add-on nobody@example.org is known to this store." in result.stderr


def test_an_edge_reviewer_names_the_submission_by_its_product_id(waiting, store):
    with store.db.session() as session:
        product_id = session.scalar(select(Addon.edge_product_id))
    result = run("review", "reject", "--data-dir", waiting, product_id.upper(), "2.0", "--notes", "No icon.")
    assert "Rejected test@example.org 2.0." in result.stdout
