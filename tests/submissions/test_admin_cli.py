"""`addonhub admin disable-addon|enable-addon|disable-version|enable-version`, run as the store's
operator runs them, on a store with a listed add-on at two versions."""

import pytest

from tests.submissions.test_review_cli import waiting  # noqa: F401  (a fixture)
from tests.test_cli import run

pytestmark = pytest.mark.cli


@pytest.fixture
def published(waiting, client):
    """test@example.org with 2.0 (listed) approved and current."""
    run("review", "approve", "--data-dir", waiting, "test@example.org", "2.0")
    assert client.get("/api/v4/addons/addon/test@example.org/").json()["current_version"]["version"] == "2.0"
    return waiting


def test_the_operator_disables_and_enables_an_addon(published, client):
    result = run("admin", "disable-addon", "--data-dir", published, "test@example.org", "--reason", "Malware.")
    assert result.stdout == "Disabled test@example.org.\n"
    assert client.get("/api/v4/addons/addon/test@example.org/").status_code == 401
    assert "addon_disabled" in run("log", "--data-dir", published, "--addon", "test@example.org").stdout
    again = run("admin", "disable-addon", "--data-dir", published, "test@example.org", "--reason", "Again.", check=False)
    assert again.returncode == 1 and "already disabled" in again.stderr
    run("admin", "enable-addon", "--data-dir", published, "test@example.org", "--reason", "Cleared.")
    assert client.get("/api/v4/addons/addon/test@example.org/").json()["status"] == "public"


def test_the_operator_disables_and_enables_a_version(published, client):
    result = run("admin", "disable-version", "--data-dir", published, "test@example.org", "2.0", "--reason", "Bad.")
    assert result.stdout == "Disabled test@example.org 2.0.\n"
    assert client.get("/api/v4/addons/addon/test@example.org/").status_code == 401  # 1.0 is unlisted: none is left
    run("admin", "enable-version", "--data-dir", published, "test@example.org", "2.0", "--reason", "Fixed.")
    assert client.get("/api/v4/addons/addon/test@example.org/").json()["current_version"]["version"] == "2.0"


def test_unknown_names_and_a_missing_reason_are_reported(published):
    result = run("admin", "disable-version", "--data-dir", published, "test@example.org", "9.9", "--reason", "x",
                 check=False)
    assert result.returncode == 1 and "No version 9.9 of add-on test@example.org" in result.stderr
    result = run("admin", "enable-addon", "--data-dir", published, "nobody@example.org", "--reason", "x", check=False)
    assert result.returncode == 1 and "No add-on nobody@example.org is known to this store." in result.stderr
    assert run("admin", "disable-addon", "--data-dir", published, "test@example.org", check=False).returncode == 2
    result = run("admin", "disable-addon", "--data-dir", published, "test@example.org", "--reason", " ", check=False)
    assert result.returncode == 1 and "reason is required" in result.stderr
