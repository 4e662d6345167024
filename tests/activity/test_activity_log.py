"""The activity log as developers, reviewers and the operator read it, after real submissions
through the AMO API, review decisions and credential changes."""

import json
from datetime import datetime, timedelta

import pytest

from addonhub import cli
from addonhub.accounts.keys import rotate_key
from addonhub.accounts.models import User
from addonhub.activity.service import LogFilter, entries, entries_for_developer
from addonhub.catalog.service import find_addon
from addonhub.submissions.review import approve, pending_version, reject

from tests.submissions.test_signing_api import put


def _log(store, reader_id=None, **filters):
    """(action, user, add-on, version, notes) of each entry, oldest first, as the reader sees them."""
    with store.db.session() as session:
        log_filter = LogFilter(**{name: (find_addon(session, value) if name == "addon" else value)
                                  for name, value in filters.items()})
        found = (entries(session, log_filter) if reader_id is None
                 else entries_for_developer(session, session.get(User, reader_id), log_filter))
        return [(e.action, e.user_name, e.addon_guid, e.version_string, e.notes) for e in reversed(found)]


def _decide(store, decision, version, reviewer_id, notes):
    with store.db.session() as session:
        decision(session, pending_version(session, "test@example.org", version), session.get(User, reviewer_id), notes)


def test_a_submission_its_validation_and_review_are_logged_once_each(client, store, developer, account, xpi, run_jobs):
    developer_id, headers = developer
    reviewer_id, _ = account("reviewer@example.org", "reviewer", username="rev")
    assert put(client, headers, xpi("1.0")).status_code == 201
    run_jobs()
    put(client, headers, xpi("2.0"), channel="listed")
    run_jobs()
    _decide(store, approve, "2.0", reviewer_id, "Looks good.")
    put(client, headers, xpi("3.0"), channel="listed")
    run_jobs()
    _decide(store, reject, "3.0", reviewer_id, "Uses eval.")

    submission = [
        ("upload", "dev", "test@example.org", "1.0", None),
        ("validated", "dev", "test@example.org", "1.0", None),
        ("addon_created", "dev", "test@example.org", None, None),
        ("version_created", "dev", "test@example.org", "1.0", None),
    ]
    logged = [entry for entry in _log(store) if entry[0] != "api_key_created"]
    assert logged[:4] == submission
    assert ("approved", "rev", "test@example.org", "2.0", "Looks good.") in logged
    assert logged[-1] == ("rejected", "rev", "test@example.org", "3.0", "Uses eval.")
    assert [entry[0] for entry in logged].count("version_created") == 3
    # Their key and their add-on's entries, the reviewer's decisions on it included: all there is.
    assert _log(store, developer_id) == _log(store)


def test_a_failed_validation_is_logged_for_the_uploader(client, store, developer, xpi, run_jobs):
    developer_id, headers = developer
    put(client, headers, xpi("1.0", permissions="not a list"), channel="listed")
    run_jobs()
    assert [entry[:4] for entry in _log(store, developer_id)][-2:] == [
        ("upload", "dev", "test@example.org", "1.0"), ("validation_failed", "dev", "test@example.org", "1.0")]


def test_developers_read_their_add_ons_and_themselves_only(client, store, developer, account, xpi, run_jobs):
    developer_id, headers = developer
    put(client, headers, xpi("1.0"), channel="listed")
    run_jobs()
    other_id, _ = account("other@example.org", username="other")
    with store.db.session() as session:
        rotate_key(session, store.key_cipher, session.get(User, other_id))
    assert all(user != "other" for _, user, *_ in _log(store, developer_id))
    assert [entry[0] for entry in _log(store, other_id)] == ["api_key_created"]
    everything = _log(store)
    assert ("api_key_created", "other", None, None, None) in everything
    assert _log(store, addon="test@example.org")[0][0] == "upload"
    assert _log(store, since=datetime.utcnow() + timedelta(days=1)) == []


def test_rotating_a_key_is_logged_as_a_rotation(store, account):
    user_id, _ = account("keys@example.org", username="keys")
    with store.db.session() as session:
        user = session.get(User, user_id)
        rotate_key(session, store.key_cipher, user)
        rotate_key(session, store.key_cipher, user)
    assert [entry[0] for entry in _log(store, user_id)] == ["api_key_created", "api_key_rotated"]


@pytest.mark.usefixtures("cli_database")
def test_the_cli_prints_a_table_and_refuses_unknown_names(client, store, developer, xpi, run_jobs, capsys):
    _, headers = developer
    put(client, headers, xpi("1.0"), channel="listed")
    run_jobs()
    data_dir = str(store.settings.data_dir)
    assert cli.main(["log", "--data-dir", data_dir, "--addon", "test@example.org", "--limit", "2"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split() == ["CREATED", "ACTION", "USER", "ADDON", "VERSION", "NOTES"]
    assert [row.split()[2:5] for row in rows] == [["version_created", "dev", "test@example.org"],
                                                  ["addon_created", "dev", "test@example.org"]]
    assert cli.main(["log", "--data-dir", data_dir, "--addon", "nothing@example.org"]) == 1
    assert "no add-on 'nothing@example.org'" in capsys.readouterr().err
    assert cli.main(["log", "--data-dir", data_dir, "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == "No activity.\n"
    assert cli.main(["log", "--data-dir", data_dir, "--action", "addon_created", "--json"]) == 0
    assert [row["action"] for row in json.loads(capsys.readouterr().out)] == ["addon_created"]
    assert cli.main(["log", "--data-dir", data_dir, "--action", "created"]) == 1
    assert "no action 'created'" in capsys.readouterr().err
