"""AMO's v5 submission API, driven the way web-ext, publish-browser-extension and amo-upload drive
it: upload, poll, make an add-on or a version, poll its file until public, download it. Every
refusal is a 4xx in v5's shape and leaves the store as it was."""

import hashlib
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from addonhub.catalog.models import Addon, File, Version
from addonhub.jobs import Job
from addonhub.signing.verify import verify_xpi
from addonhub.store import Store
from addonhub.submissions.models import Upload
from addonhub.submissions.review import approve, reject

API = "/api/v5/addons"
GUID = "test@example.org"
SOURCE_ZIP = b"PK\x05\x06" + b"\x00" * 18  # an empty zip archive


def snapshot(store: Store) -> tuple:
    """Everything a failed request must leave as it was: rows and stored blobs."""
    with store.db.session() as session:
        counts = tuple(session.scalar(select(func.count()).select_from(model))
                       for model in (Addon, Version, File, Upload, Job))
    blobs = sorted(str(path.relative_to(store.blobs.root)) for path in store.blobs.root.rglob("*") if path.is_file())
    return counts, blobs


def assert_links_absolute(value, key: str = "") -> None:
    """Clients call `new URL()` on every link (web-ext) or prefix relative ones wrongly."""
    if isinstance(value, dict):
        for name, item in value.items():
            assert_links_absolute(item, "icon_url" if key == "icons" else name)
    elif isinstance(value, list):
        for item in value:
            assert_links_absolute(item, key)
    elif key.endswith("url") or key == "source":
        assert value is None or value.startswith(("http://", "https://")), (key, value)


def send_upload(client, headers, package: bytes, channel: str | None = "unlisted"):
    return client.post(f"{API}/upload/", headers=headers, data={"channel": channel} if channel else {},
                       files={"upload": ("addon.xpi", package, "application/octet-stream")})


def validated_upload(client, headers, run_jobs, package: bytes, channel: str = "unlisted") -> str:
    """Uploads and polls until processed, as every v5 client does; returns the upload's uuid."""
    response = send_upload(client, headers, package, channel)
    assert response.status_code == 201, response.json()
    run_jobs()
    status = client.get(response.json()["url"], headers=headers).json()
    assert status["processed"] and status["valid"], status["validation"]
    return status["uuid"]


def version_status(client, headers, addon, version_id):
    return client.get(f"{API}/addon/{addon}/versions/{version_id}/", headers=headers)


def download(client, store, headers, url: str, guid: str):
    """What web-ext does with file.url, then what `addonhub verify` checks."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    path = store.settings.data_dir / "downloaded.xpi"
    path.write_bytes(response.content)
    assert verify_xpi(path, store.signing_ca.root_pem(), guid) == []
    return "sha256:" + hashlib.sha256(response.content).hexdigest()


@pytest.fixture
def other(account, jwt_headers):
    user_id, _ = account("other@example.org", username="other")
    return jwt_headers(user_id)


@pytest.fixture
def existing(client, developer, xpi, run_jobs):
    """An unlisted add-on with version 1.0, signed; returns its numeric id."""
    _, headers = developer
    upload = validated_upload(client, headers, run_jobs, xpi("1.0"))
    response = client.put(f"{API}/addon/{GUID}/", headers=headers, json={"version": {"upload": upload}})
    assert response.status_code == 201, response.json()
    run_jobs()
    return response.json()["id"]


# The clients' flows -----------------------------------------------------------------------------

def test_web_ext_flow_for_a_package_with_an_id(client, store, developer, xpi, run_jobs):
    _, headers = developer
    response = send_upload(client, headers, xpi("1.0"))
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    upload = response.json()
    assert upload["url"] == f"http://store.test/api/v5/addons/upload/{upload['uuid']}/"
    assert (upload["channel"], upload["processed"], upload["valid"], upload["submitted"], upload["version"]) == (
        "unlisted", False, False, False, "1.0")
    assert client.get(upload["url"], headers=headers).json()["processed"] is False

    run_jobs()
    upload = client.get(upload["url"].rstrip("/"), headers=headers).json()
    assert upload["processed"] and upload["valid"] and upload["validation"]["errors"] == 0

    created = client.put(f"{API}/addon/{GUID}/", headers=headers,
                         json={"categories": {"firefox": ["tabs"]}, "version": {"upload": upload["uuid"], "license": "MPL-2.0"}})
    assert created.status_code == 201, created.json()
    assert created.headers["content-type"] == "application/json"
    addon = created.json()
    assert addon["guid"] == GUID and addon["categories"] == {"firefox": ["tabs"]}
    version = addon["version"]
    assert version["edit_url"].startswith("http://store.test/")
    assert version["channel"] == "unlisted" and version["file"]["status"] == "unreviewed"
    assert version["license"]["slug"] == "MPL-2.0" and version["license"]["is_custom"] is False
    assert client.get(upload["url"], headers=headers).json()["submitted"] is True

    run_jobs()
    version = version_status(client, headers, GUID, version["id"]).json()
    assert version["file"]["status"] == "public"
    assert version["file"]["url"].startswith("http://store.test/downloads/file/")
    for body in (upload, addon, version, client.get(f"{API}/addon/{GUID}/", headers=headers).json()):
        assert_links_absolute(body)
    assert download(client, store, headers, version["file"]["url"], GUID) == version["file"]["hash"]
    # Unlisted: the public knows nothing of it.
    assert client.get(version["file"]["url"]).status_code == 401
    assert client.get(f"{API}/addon/{GUID}/").status_code == 401


def test_a_ci_job_signs_several_extensions_in_a_row_with_the_default_limits(client, store, developer, xpi, run_jobs):
    """What `web-ext sign` sends for each of five extensions, one after the other from one account
    and one address, as a release job does: no 429 (AMO's own limits refuse the second)."""
    _, headers = developer
    for number in range(5):
        guid = f"addon{number}@example.org"
        for version in ("1.0", "1.1"):
            upload = validated_upload(client, headers, run_jobs, xpi(version, guid=guid))
            response = client.put(f"{API}/addon/{guid}/", headers=headers, json={"version": {"upload": upload}})
            assert response.status_code in (200, 201), response.json()
            run_jobs()
            assert version_status(client, headers, guid, f"v{version}").json()["file"]["status"] == "public"


def test_put_to_an_existing_addon_adds_the_version_and_applies_the_metadata(client, store, developer, xpi, run_jobs, existing):
    _, headers = developer
    upload = validated_upload(client, headers, run_jobs, xpi("1.1"))
    response = client.put(f"{API}/addon/{GUID}", headers=headers,
                          json={"name": {"en-US": "Renamed", "de": "Umbenannt"}, "version": {"upload": upload}})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == existing and body["version"]["version"] == "1.1"
    assert body["name"] == {"en-US": "Renamed", "de": "Umbenannt"}
    assert body["latest_unlisted_version"]["version"] == "1.1"
    run_jobs()
    assert version_status(client, headers, existing, "v1.1").json()["file"]["status"] == "public"
    # The catalogue's document follows the add-on.
    assert client.get(f"/api/v4/addons/addon/{GUID}/", headers=headers).json()["name"]["en-US"] == "Renamed"


def test_post_without_an_id_in_the_manifest_gets_a_generated_guid(client, store, developer, xpi, run_jobs):
    _, headers = developer
    upload = validated_upload(client, headers, run_jobs, xpi("1.0", guid=None))
    created = client.post(f"{API}/addon/", headers=headers, json={"version": {"upload": upload}})
    assert created.status_code == 201, created.json()
    guid = created.json()["guid"]
    assert re.fullmatch(r"\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}", guid)
    run_jobs()
    # Found by its id raw, percent-encoded and without braces.
    for identifier in (guid, guid.replace("{", "%7B").replace("}", "%7D"), guid.strip("{}")):
        assert client.get(f"{API}/addon/{identifier}/", headers=headers).json()["guid"] == guid
    version = version_status(client, headers, guid.strip("{}"), created.json()["version"]["id"]).json()
    assert version["file"]["status"] == "public"
    assert download(client, store, headers, version["file"]["url"], guid) == version["file"]["hash"]


def test_publish_browser_extension_flow(client, store, developer, xpi, run_jobs, existing):
    _, headers = developer
    addon = client.get(f"{API}/addon/{GUID}", headers=headers).json()
    assert addon["id"] == existing

    # Multipart, with an empty source...
    upload = validated_upload(client, headers, run_jobs, xpi("1.1"))
    response = client.post(f"{API}/addon/{existing}/versions/", headers=headers,
                           files={"upload": (None, upload), "source": (None, "")})  # FormData: multipart
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == "1.1" and response.json()["source"] is None

    # ...or a source file, which only the add-on's people may fetch.
    upload = validated_upload(client, headers, run_jobs, xpi("1.2"))
    response = client.post(f"{API}/addon/{existing}/versions/", headers=headers, data={"upload": upload},
                           files={"source": ("source.zip", SOURCE_ZIP, "application/zip")})
    assert response.status_code == 201, response.json()
    version = response.json()
    assert version["source"].startswith("http://store.test/api/v5/")
    source = client.get(version["source"], headers=headers)
    assert source.status_code == 200 and source.content == SOURCE_ZIP
    assert client.get(version["source"]).status_code == 401

    patched = client.patch(f"{API}/addon/{existing}/versions/{version['id']}/", headers=headers,
                           json={"compatibility": ["firefox", "android"]})
    assert patched.status_code == 200, patched.json()
    assert patched.json()["compatibility"] == {"android": {"min": "48.0", "max": "*"}, "firefox": {"min": "48.0", "max": "*"}}
    run_jobs()
    assert version_status(client, headers, existing, version["id"]).json()["file"]["status"] == "public"


def test_amo_upload_flow(client, store, developer, xpi, run_jobs, existing):
    _, headers = developer
    assert version_status(client, headers, GUID, "1.1").status_code == 404  # 404: a new version
    upload = validated_upload(client, headers, run_jobs, xpi("1.1"))
    response = client.post(f"{API}/addon/{GUID}/versions/", headers=headers, json={
        "approval_notes": "Build with make.", "compatibility": {"firefox": {"min": "115.0"}},
        "release_notes": {"en-US": "Fixes."}, "upload": upload,
    })
    assert response.status_code == 201, response.json()
    version = response.json()
    assert version["approval_notes"] == "Build with make." and version["release_notes"] == {"en-US": "Fixes."}
    assert version["compatibility"] == {"firefox": {"min": "115.0", "max": "*"}}

    with_source = client.patch(f"{API}/addon/{GUID}/versions/1.1/", headers=headers,
                               files={"source": ("src.tar.gz", b"\x1f\x8b" + b"\x00" * 30, "application/gzip")})
    assert with_source.status_code == 200, with_source.json()
    assert with_source.json()["source"] is not None
    # The version answers by id, by version string and by v-prefixed string.
    for identifier in (version["id"], "1.1", "v1.1"):
        assert version_status(client, headers, GUID, identifier).json()["id"] == version["id"]
    run_jobs()
    version = version_status(client, headers, GUID, "1.1").json()
    assert version["file"]["status"] == "public"
    assert download(client, store, headers, version["file"]["url"], GUID) == version["file"]["hash"]

    # A new source replaces the old one, whose blob goes; JSON null clears it.
    replaced = snapshot(store)[1]
    client.patch(f"{API}/addon/{GUID}/versions/1.1/", headers=headers,
                 files={"source": ("src.zip", SOURCE_ZIP, "application/zip")})
    assert len(snapshot(store)[1]) == len(replaced)
    cleared = client.patch(f"{API}/addon/{GUID}/versions/1.1/", headers=headers, json={"source": None})
    assert cleared.json()["source"] is None and len(snapshot(store)[1]) == len(replaced) - 1


def test_a_listed_version_waits_for_review_then_is_public_and_in_the_catalogue(client, store, developer, xpi, run_jobs):
    _, headers = developer
    upload = validated_upload(client, headers, run_jobs, xpi("1.0"), channel="listed")
    created = client.post(f"{API}/addon/", headers=headers, json={
        "name": {"en-US": "Tab Wrangler Deluxe"}, "summary": "Keeps tabs tidy.",
        "categories": {"firefox": ["tabs"]}, "version": {"upload": upload, "license": "MIT"},
    })
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "nominated"
    version_id = created.json()["version"]["id"]
    run_jobs()
    assert version_status(client, headers, GUID, version_id).json()["file"]["status"] == "unreviewed"
    assert client.get("/api/v4/addons/search/?q=Wrangler").json()["count"] == 0
    assert client.get(f"{API}/addon/{GUID}/").status_code == 401

    with store.db.session() as session:
        approve(session, session.get(Version, version_id), None, "Looks fine.")
    run_jobs()
    version = version_status(client, headers, GUID, version_id).json()
    assert version["file"]["status"] == "public" and version["reviewed"]
    results = client.get("/api/v4/addons/search/?q=Wrangler").json()["results"]
    assert [result["guid"] for result in results] == [GUID]
    public = client.get(f"{API}/addon/{GUID}/").json()  # anyone's now
    assert public["status"] == "public" and public["current_version"]["file"]["status"] == "public"
    assert "approval_notes" not in version_status(client, {}, GUID, version_id).json()
    assert download(client, store, {}, version["file"]["url"], GUID) == version["file"]["hash"]


def test_a_rejected_version_shows_disabled_and_the_notes_to_its_owner_only(client, store, developer, xpi, run_jobs, other):
    _, headers = developer
    upload = validated_upload(client, headers, run_jobs, xpi("1.0"), channel="listed")
    version_id = client.put(f"{API}/addon/{GUID}/", headers=headers,
                            json={"version": {"upload": upload}}).json()["version"]["id"]
    with store.db.session() as session:
        reject(session, session.get(Version, version_id), None, "Remote code is not allowed.")
    version = version_status(client, headers, GUID, version_id).json()
    assert version["file"]["status"] == "disabled" and version["reviewer_notes"] == "Remote code is not allowed."
    assert version_status(client, other, GUID, version_id).status_code == 403
    assert version_status(client, {}, GUID, version_id).status_code == 401


def test_unlisted_versions_are_unknown_to_all_but_the_owner(client, store, developer, xpi, run_jobs, other):
    _, headers = developer
    upload = validated_upload(client, headers, run_jobs, xpi("1.0"), channel="listed")
    listed = client.put(f"{API}/addon/{GUID}/", headers=headers, json={"version": {"upload": upload}}).json()
    with store.db.session() as session:
        approve(session, session.get(Version, listed["version"]["id"]), None)
    upload = validated_upload(client, headers, run_jobs, xpi("2.0"))
    unlisted = client.post(f"{API}/addon/{GUID}/versions/", headers=headers, json={"upload": upload}).json()
    assert unlisted["channel"] == "unlisted"
    run_jobs()
    assert version_status(client, headers, GUID, "2.0").json()["file"]["status"] == "public"
    for stranger in (other, {}):
        assert version_status(client, stranger, GUID, "2.0").status_code == 404
        assert version_status(client, stranger, GUID, "1.0").status_code == 200
        assert "latest_unlisted_version" not in client.get(f"{API}/addon/{GUID}/", headers=stranger).json()
    assert client.get(f"{API}/addon/{GUID}/", headers=headers).json()["latest_unlisted_version"]["version"] == "2.0"


def test_patch_updates_the_metadata_and_the_catalogue_document(client, developer, existing, other):
    _, headers = developer
    response = client.patch(f"{API}/addon/{existing}", headers=headers, json={
        "name": "Better Name", "summary": {"fr": "Résumé"}, "homepage": {"en-US": "https://example.org/"},
        "support_email": "help@example.org", "tags": ["tabs"], "unknown_field": 1, "version": {"upload": "ignored"},
    })
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["name"] == {"en-US": "Better Name"} and body["summary"] == {"fr": "Résumé"}
    assert body["homepage"] == {"en-US": "https://example.org/"} and body["tags"] == ["tabs"]
    assert "version" not in body
    assert client.get(f"/api/v4/addons/addon/{existing}/", headers=headers).json()["name"]["en-US"] == "Better Name"

    invalid = client.patch(f"{API}/addon/{existing}/", headers=headers, json={"categories": {"firefox": ["nope"]}})
    assert (invalid.status_code, invalid.json()) == (400, {"categories": ["Invalid category name."]})
    too_long = client.patch(f"{API}/addon/{existing}/", headers=headers, json={"name": "x" * 51, "summary": 5})
    assert too_long.status_code == 400 and set(too_long.json()) == {"name", "summary"}
    not_a_link = client.patch(f"{API}/addon/{existing}/", headers=headers, json={"homepage": "javascript:alert(1)"})
    assert (not_a_link.status_code, not_a_link.json()) == (400, {"homepage": ["Enter a valid URL."]})
    nameless = client.patch(f"{API}/addon/{existing}/", headers=headers, json={"name": None})
    assert (nameless.status_code, nameless.json()) == (400, {"name": ["This field may not be blank."]})
    assert client.get(f"{API}/addon/{existing}/", headers=headers).json()["name"] == {"en-US": "Better Name"}
    assert client.patch(f"{API}/addon/{existing}/", headers=other, json={"name": "Mine"}).status_code == 403


# Refusals ---------------------------------------------------------------------------------------

def test_unknown_missing_and_foreign_uploads_are_400s_in_v5_shape(client, store, developer, xpi, run_jobs, other, existing):
    _, headers = developer
    theirs = validated_upload(client, other, run_jobs, xpi("2.0"))
    before = snapshot(store)
    unknown = uuid.uuid4().hex
    cases = [
        (f"{API}/addon/", {}, {"version": ["This field is required."]}),
        (f"{API}/addon/", {"version": {}}, {"version": {"upload": ["This field is required."]}}),
        (f"{API}/addon/", {"version": {"upload": unknown}},
         {"version": {"upload": [f"Object with uuid={unknown} does not exist."]}}),
        (f"{API}/addon/", {"version": {"upload": theirs}}, {"version": {"upload": ["Upload is not valid."]}}),
        (f"{API}/addon/{GUID}/versions/", {"upload": unknown}, {"upload": [f"Object with uuid={unknown} does not exist."]}),
        (f"{API}/addon/{GUID}/versions/", {}, {"upload": ["This field is required."]}),
    ]
    for url, body, expected in cases:
        response = client.post(url, headers=headers, json=body)
        assert (response.status_code, response.json()) == (400, expected), url
    # Someone else's upload is not even theirs to look at.
    assert client.get(f"{API}/upload/{theirs}/", headers=headers).status_code == 404
    assert client.get(f"{API}/upload/not-a-uuid/", headers=headers).status_code == 404
    assert snapshot(store) == before


def test_an_upload_not_yet_valid_is_refused(client, store, developer, xpi, run_jobs):
    _, headers = developer
    pending = send_upload(client, headers, xpi("1.0")).json()["uuid"]
    refused = client.put(f"{API}/addon/{GUID}/", headers=headers, json={"version": {"upload": pending}})
    assert (refused.status_code, refused.json()) == (400, {"version": {"upload": ["Upload is not valid."]}})

    invalid = send_upload(client, headers, xpi("1.0", name=None)).json()
    run_jobs()
    status = client.get(invalid["url"], headers=headers).json()
    assert status["processed"] and not status["valid"] and status["validation"]["errors"] >= 1
    before = snapshot(store)
    refused = client.post(f"{API}/addon/", headers=headers, json={"version": {"upload": invalid["uuid"]}})
    assert (refused.status_code, refused.json()) == (400, {"version": {"upload": ["Upload is not valid."]}})
    assert snapshot(store) == before


def test_duplicates_mismatches_and_reuse_are_refused_with_amos_text(client, store, developer, xpi, run_jobs, existing):
    _, headers = developer
    again = validated_upload(client, headers, run_jobs, xpi("1.0"))
    before = snapshot(store)
    duplicate = client.post(f"{API}/addon/{GUID}/versions/", headers=headers, json={"upload": again})
    assert (duplicate.status_code, duplicate.json()) == (400, {"version": ["Version 1.0 already exists."]})
    nested = client.put(f"{API}/addon/{GUID}/", headers=headers, json={"version": {"upload": again}})
    assert (nested.status_code, nested.json()) == (400, {"version": {"version": ["Version 1.0 already exists."]}})
    taken = client.post(f"{API}/addon/", headers=headers, json={"version": {"upload": again}})
    assert (taken.status_code, taken.json()) == (400, {"version": {"upload": ["Duplicate add-on ID found."]}})
    assert snapshot(store) == before

    other_id = validated_upload(client, headers, run_jobs, xpi("2.0", guid="else@example.org"))
    before = snapshot(store)
    mismatch = client.post(f"{API}/addon/{GUID}/versions/", headers=headers, json={"upload": other_id})
    assert mismatch.status_code == 400 and "does not match the ID of your add-on" in mismatch.json()["upload"][0]
    wrong_url = client.put(f"{API}/addon/third@example.org/", headers=headers, json={"version": {"upload": other_id}})
    assert wrong_url.status_code == 400 and "does not match the ID in the URL" in wrong_url.json()["version"]["upload"][0]
    assert snapshot(store) == before

    used = client.get(f"{API}/addon/{GUID}/", headers=headers).json()["latest_unlisted_version"]
    first_upload = store.db.session
    with first_upload() as session:
        used_uuid = session.scalar(select(Upload.uuid).where(Upload.version_id == used["id"]))
    reused = client.post(f"{API}/addon/{GUID}/versions/", headers=headers, json={"upload": used_uuid})
    assert (reused.status_code, reused.json()) == (400, {"upload": ["This upload has already been submitted."]})


def test_someone_elses_addon_is_403_and_unknown_ones_404(client, store, developer, xpi, run_jobs, other, existing):
    upload = validated_upload(client, other, run_jobs, xpi("2.0"))
    before = snapshot(store)
    assert client.post(f"{API}/addon/{GUID}/versions/", headers=other, json={"upload": upload}).status_code == 403
    refused = client.put(f"{API}/addon/{GUID}/", headers=other, json={"version": {"upload": upload}})
    assert (refused.status_code, refused.json()) == (403, {"detail": "You do not have permission to perform this action."})
    assert client.patch(f"{API}/addon/{GUID}/versions/1.0/", headers=other, json={"approval_notes": "x"}).status_code == 403
    assert client.get(f"{API}/addon/{GUID}/", headers=other).status_code == 403  # unlisted only
    assert client.post(f"{API}/addon/nobody@example.org/versions/", headers=other, json={"upload": upload}).status_code == 404
    assert client.get(f"{API}/addon/nobody@example.org/").json() == {"detail": "Not found."}
    assert snapshot(store) == before


def test_bad_packages_and_fields_are_400s_and_leave_nothing(client, store, developer, xpi, run_jobs, existing):
    _, headers = developer
    before = snapshot(store)
    not_zip = send_upload(client, headers, b"this is not a zip")
    assert (not_zip.status_code, not_zip.json()) == (400, {"detail": "Invalid or corrupted file."})
    missing = client.post(f"{API}/upload/", headers=headers, data={"channel": "unlisted"})
    assert (missing.status_code, missing.json()) == (400, {"detail": 'Missing "upload" key in multipart file data.'})
    channel = send_upload(client, headers, xpi("1.1"), channel="beta")
    assert (channel.status_code, channel.json()) == (400, {"channel": ['"beta" is not a valid choice.']})
    not_json = client.post(f"{API}/addon/", headers={**headers, "Content-Type": "application/json"}, content=b"{nope")
    assert not_json.status_code == 400 and not_json.json()["detail"].startswith("JSON parse error")
    assert snapshot(store) == before

    upload = validated_upload(client, headers, run_jobs, xpi("1.1"))
    before = snapshot(store)
    bad_fields = client.post(f"{API}/addon/{GUID}/versions/", headers=headers, data={
        "upload": upload, "license": "WTFPL", "compatibility": "seamonkey",
    }, files={"source": ("source.zip", SOURCE_ZIP, "application/zip")})
    assert (bad_fields.status_code, bad_fields.json()) == (400, {
        "license": ["License with slug=WTFPL does not exist."], "compatibility": ["Invalid app specified"]})
    bad_source = client.post(f"{API}/addon/{GUID}/versions/", headers=headers, data={"upload": upload},
                             files={"source": ("source.exe", b"MZ", "application/octet-stream")})
    assert bad_source.status_code == 400 and bad_source.json()["source"][0].startswith("Unsupported file type")
    bad_compat = client.patch(f"{API}/addon/{GUID}/versions/1.0/", headers=headers,
                              json={"compatibility": {"firefox": {"min": "not.a.version!"}}})
    assert (bad_compat.status_code, bad_compat.json()) == (400, {"compatibility": ["Unknown app version specified"]})
    assert snapshot(store) == before


def test_credentials_are_required(client, store, developer, xpi):
    _, headers = developer
    before = snapshot(store)
    for response in (
        send_upload(client, {}, xpi()),
        client.post(f"{API}/addon/", json={"version": {"upload": uuid.uuid4().hex}}),
        client.get(f"{API}/upload/{uuid.uuid4().hex}/"),
        client.patch(f"{API}/addon/{GUID}/", json={}),
    ):
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}
        assert response.headers["www-authenticate"].startswith("JWT")
    assert send_upload(client, {"Authorization": "JWT garbage"}, xpi()).status_code == 401
    assert snapshot(store) == before


def test_an_edit_made_from_a_stale_read_is_refused_not_lost(client, store, developer, existing):
    """Two developers edit one add-on at once: the edit made from the older read must not undo
    the other. Simulated deterministically with two sessions, then raced for real over HTTP."""
    with pytest.raises(StaleDataError), store.db.session() as second:
        theirs = second.get(Addon, existing)
        with store.db.session() as first:
            first.get(Addon, existing).summary = {"en-US": "Mine"}
        theirs.summary = {"fr": "Le leur"}
    with store.db.session() as session:
        assert session.get(Addon, existing).summary == {"en-US": "Mine"}

    _, headers = developer
    locales = ["de", "fr", "it", "es", "nl", "pt-BR", "pl", "sv-SE"]
    with ThreadPoolExecutor(len(locales)) as pool:
        answers = list(pool.map(lambda locale: (locale, client.patch(
            f"{API}/addon/{existing}/", headers=headers, json={"summary": {locale: f"Summary in {locale}"}})), locales))
    assert {response.status_code for _, response in answers} <= {200, 409}
    conflicts = [response.json() for _, response in answers if response.status_code == 409]
    assert all(body == {"detail": "A concurrent request changed this add-on; check it and try again."}
               for body in conflicts)
    summary = client.get(f"{API}/addon/{existing}/", headers=headers).json()["summary"]
    assert {locale for locale, response in answers if response.status_code == 200} <= set(summary)
