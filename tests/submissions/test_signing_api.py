"""The AMO signing API (v3/v4), as sign-addon and curl use it: upload, status, signed download,
and every refusal with AMO's text, leaving the store as it was."""

import hashlib
import io
import json
import time
import zipfile

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from addonhub.api.app import create_app
from addonhub.catalog.models import Addon, File, Version
from addonhub.config import Settings
from addonhub.jobs import Job
from addonhub.signing.verify import verify_xpi
from addonhub.store import Store
from addonhub.submissions.models import Upload
from tests.api.test_metrics import scrape

PUT_URL = "/api/v4/addons/test@example.org/versions/{version}/"


def put(client, headers, data: bytes, version: str | None = None, guid: str = "test@example.org", **form):
    """PUTs a package to the URL of its own version, unless told another."""
    if version is None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            version = json.loads(archive.read("manifest.json"))["version"]
    return client.put(f"/api/v4/addons/{guid}/versions/{version}/", headers=headers, data=form,
                      files={"upload": ("addon.xpi", data, "application/x-xpinstall")})


def snapshot(store: Store) -> tuple:
    """Everything a failed request must leave as it was: rows and stored blobs."""
    with store.db.session() as session:
        counts = tuple(session.scalar(select(func.count()).select_from(model)) for model in (Addon, Version, File, Upload, Job))
    blobs = sorted(str(path.relative_to(store.blobs.root)) for path in store.blobs.root.rglob("*") if path.is_file())
    return counts, blobs


def test_a_new_addon_is_created_unlisted_validated_signed_and_downloadable(client, store, developer, xpi, run_jobs):
    _, headers = developer
    response = put(client, headers, xpi())
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    status = response.json()
    assert status["processed"] is False and status["files"] == [] and status["automated_signing"] is True
    assert status["url"].startswith("http://store.test/api/v4/addons/test@example.org/versions/1.0/uploads/")

    run_jobs()
    status = client.get(status["url"], headers=headers).json()
    assert status["processed"] and status["valid"] and status["active"] and status["reviewed"] and status["passed_review"]
    assert status["validation_results"]["errors"] == 0
    [file] = status["files"]
    assert file["signed"] is True
    assert file["download_url"].startswith("http://store.test/api/v4/file/")

    download = client.get(file["download_url"], headers=headers)
    assert download.status_code == 200
    assert file["hash"] == "sha256:" + hashlib.sha256(download.content).hexdigest()
    assert download.headers["x-target-digest"] == file["hash"]
    signed = store.settings.data_dir / "downloaded.xpi"
    signed.write_bytes(download.content)
    assert verify_xpi(signed, store.signing_ca.root_pem(), "test@example.org") == []

    # Unlisted: the owner sees it, the public does not.
    assert client.get("/api/v4/addons/addon/test@example.org/").status_code == 401
    assert client.get("/api/v4/addons/addon/test@example.org/", headers=headers).status_code == 200
    assert client.get(file["download_url"]).status_code == 401


def test_a_new_version_of_an_existing_addon_is_202_and_follows_the_latest_channel(client, developer, xpi, run_jobs):
    _, headers = developer
    assert put(client, headers, xpi("1.0")).status_code == 201
    run_jobs()
    response = put(client, headers, xpi("1.1"))
    assert response.status_code == 202, response.json()
    assert response.json()["automated_signing"] is True  # unlisted, like 1.0
    run_jobs()
    status = client.get(PUT_URL.format(version="1.1"), headers=headers).json()
    assert status["version"] == "1.1" and status["active"] and status["files"][0]["signed"]


def test_a_listed_version_waits_for_review_then_approval_publishes_it(client, store, developer, xpi, run_jobs, account):
    _, headers = developer
    put(client, headers, xpi("1.0"))
    run_jobs()
    response = put(client, headers, xpi("2.0"), channel="listed")
    assert response.status_code == 202 and response.json()["automated_signing"] is False
    run_jobs()
    status = client.get(PUT_URL.format(version="2.0"), headers=headers).json()
    assert status["valid"] and not status["active"] and not status["reviewed"]
    assert status["files"][0]["signed"] is False

    _, developer_headers = developer
    assert client.get("/api/v5/reviewers/queue/", headers=developer_headers).status_code == 403
    _, reviewer = account("reviewer@example.org", role="reviewer")
    queue = client.get("/api/v5/reviewers/queue/", headers=reviewer).json()
    assert [(entry["addon"]["guid"], entry["version"]) for entry in queue["results"]] == [("test@example.org", "2.0")]
    decision = client.post("/api/v5/reviewers/addon/test@example.org/versions/2.0/approve",
                           headers=reviewer, json={"notes": "Fine."})
    assert decision.status_code == 202
    run_jobs()

    status = client.get(PUT_URL.format(version="2.0"), headers=headers).json()
    assert status["active"] and status["reviewed"] and status["passed_review"] and status["files"][0]["signed"]
    detail = client.get("/api/v4/addons/addon/test@example.org/").json()
    assert detail["current_version"]["version"] == "2.0"
    assert client.get("/api/v4/addons/search/?q=Test Extension").json()["results"][0]["guid"] == "test@example.org"
    # A public listed file is anyone's to download.
    assert client.get(status["files"][0]["download_url"]).status_code == 200
    assert client.get("/api/v5/reviewers/queue/", headers=reviewer).json()["count"] == 0


def test_a_rejected_version_stays_visible_to_its_owner_as_reviewed_and_not_passed(client, developer, xpi, run_jobs, account):
    _, headers = developer
    put(client, headers, xpi("1.0"))
    run_jobs()
    put(client, headers, xpi("2.0"), channel="listed")
    run_jobs()
    _, reviewer = account("reviewer@example.org", role="reviewer")
    refused = client.post("/api/v5/reviewers/addon/test@example.org/versions/2.0/reject", headers=reviewer, json={})
    assert refused.status_code == 400  # a rejection needs notes
    rejected = client.post("/api/v5/reviewers/addon/test@example.org/versions/2.0/reject", headers=reviewer,
                           json={"notes": "Remote code."})
    assert rejected.status_code == 200
    status = client.get(PUT_URL.format(version="2.0"), headers=headers).json()
    assert status["reviewed"] and not status["passed_review"] and not status["active"]
    assert client.get("/api/v4/addons/addon/test@example.org/").status_code == 401  # still not public
    # Its version string stays taken.
    assert put(client, headers, xpi("2.0")).status_code == 409


def test_post_without_an_id_generates_one_and_refuses_an_existing_id(client, developer, xpi, run_jobs):
    _, headers = developer
    created = client.post("/api/v4/addons/", headers=headers, data={"version": "1.0"},
                          files={"upload": ("addon.zip", xpi(guid=None), "application/octet-stream")})
    assert created.status_code == 201
    guid = created.json()["guid"]
    assert guid.startswith("{") and guid.endswith("}") and len(guid) == 38
    run_jobs()
    status = client.get(created.json()["url"], headers=headers).json()
    assert status["active"] and status["files"][0]["signed"]

    assert client.post("/api/v4/addons/", headers=headers,
                       files={"upload": ("addon.xpi", xpi(), "application/x-xpinstall")}).status_code == 201
    run_jobs()
    duplicate = client.post("/api/v4/addons/", headers=headers,
                            files={"upload": ("addon.xpi", xpi("2.0"), "application/x-xpinstall")})
    assert (duplicate.status_code, duplicate.json()) == (400, {"error": "Duplicate add-on ID found."})


def test_ids_work_percent_encoded_and_without_braces(client, developer, xpi, run_jobs):
    _, headers = developer
    guid = "{8a6e2f4c-1d3b-4e5f-9a7b-0c1d2e3f4a5b}"
    assert put(client, headers, xpi("1.0", guid=guid), guid="%7B8a6e2f4c-1d3b-4e5f-9a7b-0c1d2e3f4a5b%7D").status_code == 201
    run_jobs()
    assert put(client, headers, xpi("1.1", guid=guid), guid=guid.strip("{}")).status_code == 202
    status = client.get(f"/api/v3/addons/{guid.strip('{}')}/versions/1.0", headers=headers)
    assert status.status_code == 200 and status.json()["guid"] == guid


def test_an_invalid_package_is_reported_through_validation_and_makes_no_version(client, store, developer, xpi, run_jobs):
    _, headers = developer
    response = put(client, headers, xpi(name=None))  # no name: a validation error, not a crash
    assert response.status_code == 201
    run_jobs()
    status = client.get(response.json()["url"], headers=headers).json()
    assert status["processed"] and not status["valid"] and status["files"] == []
    assert status["validation_results"]["errors"] >= 1
    assert any("name" in message["message"] for message in status["validation_results"]["messages"])
    with store.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Version)) == 0
    # A failed validation does not hold the version string.
    assert put(client, headers, xpi()).status_code == 201


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("files, expected", [
    (None, 'Missing "upload" key in multipart file data.'),
    ({"file": ("addon.xpi", b"PK", "application/x-xpinstall")}, 'Missing "upload" key in multipart file data.'),
    ({"upload": ("addon.xpi", b"", "application/x-xpinstall")}, 'Missing "upload" key in multipart file data.'),
    ({"upload": ("addon.xpi", b"this is not a zip", "application/x-xpinstall")}, "Invalid or corrupted file."),
    ({"upload": ("addon.exe", _zip({"manifest.json": "{}"}), "application/octet-stream")},
     "Unsupported file type, please upload a supported file (.crx, .xpi, .zip)."),
    ({"upload": ("addon.xpi", _zip({"background.js": ""}), "application/x-xpinstall")}, "No manifest.json found"),
    ({"upload": ("addon.xpi", _zip({"manifest.json": "{nope"}), "application/x-xpinstall")},
     "Could not parse the manifest file."),
])
def test_bad_uploads_are_400s_with_amos_text_and_leave_nothing(client, store, developer, files, expected):
    _, headers = developer
    before = snapshot(store)
    response = client.put(PUT_URL.format(version="1.0"), headers=headers, files=files, data={"x": "y"})
    assert (response.status_code, response.json()) == (400, {"error": expected})
    assert snapshot(store) == before


def test_mismatches_ownership_and_duplicates_are_refused_with_amos_text(client, store, developer, xpi, run_jobs, account,
                                                                      jwt_headers):
    _, headers = developer
    put(client, headers, xpi())
    run_jobs()
    other_id, _ = account("other@example.org")
    before = snapshot(store)
    cases = [
        (put(client, headers, xpi("1.1"), version="1.2"), 400, "Version does not match the manifest file."),
        (put(client, headers, xpi("1.1", guid="other@example.org")), 400,
         "The add-on ID in your manifest.json (other@example.org) does not match the ID of your add-on on AMO "
         "(test@example.org)"),
        (put(client, headers, xpi("1.0", guid=None), guid="not an id"), 400, "Invalid Add-on ID in URL or package"),
        (put(client, headers, xpi("1.0")), 409, "Version already exists. Latest version is: 1.0."),
        (put(client, jwt_headers(other_id), xpi("1.1")), 403, "You do not own this addon."),
    ]
    for response, status_code, message in cases:
        assert (response.status_code, response.json()) == (status_code, {"error": message})
    assert snapshot(store) == before


def test_a_version_being_processed_already_holds_its_string(client, developer, xpi):
    _, headers = developer
    assert put(client, headers, xpi()).status_code == 201
    again = put(client, headers, xpi())
    assert again.status_code == 409


def test_status_lookups_answer_as_amo(client, developer, xpi, run_jobs, account, jwt_headers):
    _, headers = developer
    upload = put(client, headers, xpi()).json()
    run_jobs()
    other_id, _ = account("other@example.org")
    assert client.get("/api/v4/addons/foo@bar/versions/1.0/", headers=headers).json() == {
        "error": 'Could not find Add-on with ID "foo@bar".'}
    assert client.get(PUT_URL.format(version="9.9"), headers=headers).json() == {
        "error": "No uploaded file for that addon and version."}
    assert client.get(PUT_URL.format(version="1.0"), headers=jwt_headers(other_id)).status_code == 403
    assert client.get(PUT_URL.format(version="1.0") + "uploads/0123456789abcdef0123456789abcdef/",
                      headers=headers).status_code == 404
    assert client.get(PUT_URL.format(version="1.0") + f"uploads/{upload['pk']}", headers=headers).json()["pk"] == upload["pk"]
    assert client.get(PUT_URL.format(version="1.0")).status_code == 401
    download_url = client.get(upload["url"], headers=headers).json()["files"][0]["download_url"]
    assert client.get(download_url, headers=jwt_headers(other_id)).status_code == 404


def test_credentials_are_required_and_checked(client, store, developer, xpi):
    user_id, _ = developer
    before = snapshot(store)
    anonymous = client.put(PUT_URL.format(version="1.0"), files={"upload": ("a.xpi", xpi(), "application/x-xpinstall")})
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "Authentication credentials were not provided."}
    assert anonymous.headers["www-authenticate"].startswith("JWT ")
    expired = jwt.encode({"iss": "user:1:1", "iat": int(time.time()) - 400, "exp": int(time.time()) - 100}, "x" * 64)
    assert client.put(PUT_URL.format(version="1.0"), headers={"Authorization": f"JWT {expired}"},
                      files={"upload": ("a.xpi", xpi(), "application/x-xpinstall")}).status_code == 401
    assert snapshot(store) == before


def small_store(tmp_path, **settings):
    store = Store(Settings(data_dir=tmp_path / "small", **settings))
    return store, TestClient(create_app(store), base_url="http://store.test")


def test_oversized_and_truncated_bodies_are_refused_and_leave_nothing(tmp_path, xpi):
    store, client = small_store(tmp_path, upload_max_bytes=4096)
    from addonhub.accounts.service import create_user, issue_token
    with store.db.session() as session:
        token = issue_token(session, create_user(session, "dev@example.org", "developer"))
    headers = {"Authorization": f"Bearer {token}"}
    before = snapshot(store)
    big = client.put(PUT_URL.format(version="1.0"), headers=headers,
                     files={"upload": ("a.xpi", b"PK" + b"\0" * 10_000, "application/x-xpinstall")})
    assert big.status_code == 413 and "4096" in big.json()["error"]
    body = (b"--b\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a.xpi\"\r\n"
            b"Content-Type: application/x-xpinstall\r\n\r\nPK\x03\x04 and then nothing")
    truncated = client.put(PUT_URL.format(version="1.0"), headers={**headers, "Content-Type": "multipart/form-data; boundary=b"},
                           content=body)
    assert truncated.status_code == 400 and "cut off" in truncated.json()["error"]
    not_multipart = client.put(PUT_URL.format(version="1.0"), headers={**headers, "Content-Type": "application/json"},
                               content=b"{}")
    assert not_multipart.status_code == 400
    assert snapshot(store) == before


def test_submissions_are_throttled_per_account_with_retry_after_and_reads_are_not(tmp_path, xpi):
    store, client = small_store(tmp_path, throttle_amo_uploads_per_user="2/minute",
                                throttle_amo_uploads_per_ip="100/minute")
    from addonhub.accounts.service import create_user, issue_token
    with store.db.session() as session:
        token = issue_token(session, create_user(session, "dev@example.org", "developer"))
    headers = {"Authorization": f"Bearer {token}"}
    small = xpi()
    codes = [put(client, headers, small, version=v).status_code for v in ("1.0", "1.0", "1.0")]
    assert codes[:2] != [429, 429] and codes[2] == 429
    throttled = put(client, headers, small)
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["retry-after"]) <= 60
    assert throttled.json()["detail"].startswith("Request was throttled. Expected available in ")
    for _ in range(5):
        assert client.get(PUT_URL.format(version="1.0"), headers=headers).status_code == 200


def test_submissions_are_throttled_per_address_across_accounts(tmp_path, xpi):
    store, client = small_store(tmp_path, throttle_amo_uploads_per_user="100/minute",
                                throttle_amo_uploads_per_ip="2/minute")
    from addonhub.accounts.service import create_user, issue_token
    with store.db.session() as session:
        tokens = [issue_token(session, create_user(session, f"dev{n}@example.org", "developer")) for n in range(3)]
    codes = [put(client, {"Authorization": f"Bearer {token}"}, xpi(guid=f"addon{n}@example.org"),
                 guid=f"addon{n}@example.org").status_code for n, token in enumerate(tokens)]
    assert codes == [201, 201, 429]


@pytest.mark.parametrize("token, detail", [
    ("", "Invalid Authorization header. No credentials provided."),
    ("a b", "Invalid Authorization header. Credentials string should not contain spaces."),
    ("not.a.token", "Error decoding signature."),
])
def test_malformed_tokens_are_401s_and_leave_nothing(client, store, xpi, token, detail):
    before = snapshot(store)
    response = client.put(PUT_URL.format(version="1.0"), headers={"Authorization": f"JWT {token}"},
                          files={"upload": ("a.xpi", xpi(), "application/x-xpinstall")})
    assert (response.status_code, response.json()) == (401, {"detail": detail})
    assert snapshot(store) == before


def test_metrics_count_the_upload_bytes_and_time_the_signature(client, developer, xpi, run_jobs):
    _, headers = developer
    before = scrape(client)
    package = xpi("1.0")
    put(client, headers, package)
    run_jobs()
    after = scrape(client)
    assert after[("addonhub_upload_bytes_total", ())] == len(package)
    signed = ("addonhub_signing_duration_seconds_count", ())
    assert after[signed] - before.get(signed, 0) == 1
