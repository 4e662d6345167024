"""Package upload, publish and their operations in both Edge contracts: v1 (Bearer, the 2021
reference's statuses and Location paths) and v1.1 (ApiKey, as shipped). A publish puts the draft in
the shared review queue; approval makes the product In the Store and findable in the catalogue,
rejection makes it Failed with the reviewer's notes."""

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from addonhub.accounts.edge_credentials import issue_edge_credentials
from addonhub.accounts.service import create_user
from addonhub.api.app import create_app
from addonhub.catalog.models import Version
from addonhub.config import Settings
from addonhub.edge.models import EdgeDraft, EdgeOperation
from addonhub.edge.products import create_product
from addonhub.signing.crx3 import verify_crx3
from addonhub.store import Store
from addonhub.submissions.models import Upload
from addonhub.submissions.review import approve, reject
from tests.packages.builders import chromium_extension, package

ZIP = {"Content-Type": "application/zip"}
V1_UPLOAD_IN_PROGRESS = "The package upload is in progress. Please check the status after some time."
V1_UPLOAD_SUCCESS = "Package upload successfully completed. Please proceed with publishing."
V1_UPLOAD_FAILED = "The package upload failed. Please fix the errors and make the request again."
V1_NOTHING_TO_PUBLISH = "There is no draft available to publish. Please update the draft before publishing."
V1_CONFLICT = ("There is another in-review submission for this product. Please wait for that submission to be "
               "completed before triggering a new publish.")
V1_IN_REVIEW = ("The draft has been successfully submitted and is in review. The review may take up to 7 business "
                "days.")
V1_FAILED = "The operation failed due to an unknown error. Please re-trigger the publish call."
V11_KEYS = {"id", "createdTime", "lastUpdatedTime", "status", "message", "errorCode", "errors"}
EDGE_ERROR_KEYS = {"id", "message", "errorCode", "errors"}


@pytest.fixture
def chromium_zip(tmp_path):
    """A valid package's bytes: chromium_zip(version="1.0.0", name="Tab Tamer")."""
    def chromium_zip(version: str = "1.0.0", name: str = "Tab Tamer") -> bytes:
        return chromium_extension(tmp_path / f"edge-{version}.zip", version, name).read_bytes()
    return chromium_zip


@pytest.fixture
def bearer(get_token):
    def bearer(owner) -> dict:
        return {"Authorization": f"Bearer {get_token(owner)}"}
    return bearer


def upload(client, headers, product_id, body: bytes, method: str = "POST", prefix: str = "/v1", content_type=ZIP):
    return client.request(method, f"{prefix}/products/{product_id}/submissions/draft/package",
                          headers={**headers, **(content_type or {})}, content=body)


def upload_status(client, headers, product_id, operation, prefix: str = "/v1"):
    return client.get(f"{prefix}/products/{product_id}/submissions/draft/package/operations/{operation}", headers=headers)


def publish(client, headers, product_id, prefix: str = "/v1", extra_headers: dict | None = None, **body):
    return client.post(f"{prefix}/products/{product_id}/submissions", headers={**headers, **(extra_headers or {})},
                       **body)


def publish_status(client, headers, product_id, operation, prefix: str = "/v1"):
    return client.get(f"{prefix}/products/{product_id}/submissions/operations/{operation}", headers=headers)


def accepted(response) -> str:
    """The Location of a 202 with no body and no Content-Type, as every client accepts it."""
    assert response.status_code == 202, response.text
    assert response.content == b"" and "content-type" not in response.headers
    return response.headers["location"]


def edge_error(response, status: int, error_code: str | None = None) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == EDGE_ERROR_KEYS
    if error_code is not None:
        assert body["errorCode"] == error_code
    return body["message"]


def product_status(client, headers) -> list[str]:
    return [product["status"] for product in client.get("/v1/products", headers=headers).json()]


def listed_version(store, version: str = "1.0.0") -> Version:
    with store.db.session() as session:
        return session.scalar(select(Version).where(Version.version == version).options(selectinload(Version.files)))


def decide(store, run_jobs, version: str, decision: str, notes: str | None = None) -> None:
    """A reviewer's decision, as `addonhub review approve|reject` makes it."""
    with store.db.session() as session:
        pending = session.scalar(select(Version).where(Version.version == version))
        (approve if decision == "approve" else reject)(session, pending, None, notes)
    run_jobs()


def uploaded_and_published(client, headers, product_id, package: bytes, run_jobs, **publish_body) -> str:
    """Upload, validation, publish and the edge-publish job; returns the publish operation id."""
    operation = accepted(upload(client, headers, product_id, package)).rsplit("/", 1)[-1]
    run_jobs()
    assert upload_status(client, headers, product_id, operation).json()["status"] in ("Succeeded", "SUCCESS")
    published = accepted(publish(client, headers, product_id, **publish_body)).rsplit("/", 1)[-1]
    run_jobs()
    return published


# The two contracts, end to end -------------------------------------------------------------------

def test_v1_1_upload_status_publish_status(client, store, developer, product, chromium_zip, run_jobs):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    headers = owner.api_key_headers

    operation = accepted(upload(client, headers, product_id, chromium_zip()))
    assert uuid.UUID(operation) and "/" not in operation  # the bare operation id
    status = upload_status(client, headers, product_id, operation)
    assert status.status_code == 200 and status.headers["content-type"] == "application/json"
    body = status.json()
    assert set(body) == V11_KEYS
    assert (body["id"], body["status"], body["message"], body["errorCode"], body["errors"]) == (
        operation, "InProgress", None, None, None)
    assert body["createdTime"].endswith("Z") and body["lastUpdatedTime"] == body["createdTime"]
    assert product_status(client, headers) == ["In Draft"]

    run_jobs()
    body = upload_status(client, headers, product_id, operation).json()
    assert set(body) == V11_KEYS
    assert (body["status"], body["errorCode"], body["errors"]) == ("Succeeded", "", None)
    assert body["message"].startswith("Successfully updated package to ")
    assert body["lastUpdatedTime"] >= body["createdTime"]
    assert product_status(client, headers) == ["In Draft"]  # a draft is not a submission yet

    published = accepted(publish(client, headers, product_id, json={"notes": "Tested on Edge 120."}))
    assert uuid.UUID(published)
    assert publish_status(client, headers, product_id, published).json()["status"] == "InProgress"
    run_jobs()
    body = publish_status(client, headers, product_id, published).json()
    assert set(body) == V11_KEYS
    assert (body["id"], body["status"], body["errorCode"], body["errors"]) == (published, "Succeeded", "", None)
    assert product_status(client, headers) == ["In Review"]

    version = listed_version(store)
    assert version.channel == "listed" and version.approval_notes == "Tested on Edge 120."
    assert [file.status for file in version.files] == ["unreviewed"]
    assert version.files[0].filename.endswith(".zip")


def test_v1_upload_with_put_and_the_references_statuses(client, store, developer, product, bearer, chromium_zip,
                                                        run_jobs):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    headers = bearer(owner)

    location = accepted(upload(client, headers, product_id, chromium_zip(), method="PUT", prefix="/api/v1"))
    prefix = f"/products/{product_id}/submissions/draft/package/operations/"
    assert location.startswith(prefix) and uuid.UUID(location[len(prefix):])
    operation = location[len(prefix):]
    assert upload_status(client, headers, product_id, operation, "/api/v1").json() == {
        "id": operation, "status": "IN-PROGRESS", "message": V1_UPLOAD_IN_PROGRESS}

    run_jobs()
    # The usage guide: "make GET requests to the URL in the Location header".
    followed = client.get(location, headers=headers)
    assert followed.json() == {"id": operation, "status": "SUCCESS", "message": V1_UPLOAD_SUCCESS}
    assert upload_status(client, headers, product_id, operation).json() == followed.json()

    location = accepted(publish(client, headers, product_id, prefix="/api/v1", content=b"Plain text notes.",
                                extra_headers={"Content-Type": "text/plain"}))
    prefix = f"/products/{product_id}/submissions/operations/"
    assert location.startswith(prefix)
    operation = location[len(prefix):]
    run_jobs()
    assert client.get(location, headers=headers).json() == {
        "id": operation, "status": "IN-REVIEW", "message": V1_IN_REVIEW}
    assert publish_status(client, headers, product_id, operation, "/api/v1").json()["status"] == "IN-REVIEW"
    assert product_status(client, headers) == ["In Review"]
    assert listed_version(store).approval_notes == "Plain text notes."


def test_approval_puts_the_product_in_the_store_and_in_the_catalogue(client, store, developer, product, chromium_zip,
                                                                     run_jobs, tmp_path):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    headers = owner.api_key_headers
    package = chromium_zip()
    uploaded_and_published(client, headers, product_id, package, run_jobs)
    assert client.get("/api/v4/addons/search/?q=tamer").json()["count"] == 0

    decide(store, run_jobs, "1.0.0", "approve")
    assert product_status(client, headers) == ["In the Store"]
    results = client.get("/api/v4/addons/search/?q=Tab Tamer").json()["results"]
    assert [addon["name"] for addon in results] == [{"en-US": "Tab Tamer"}]
    assert results[0]["current_version"]["version"] == "1.0.0"
    [file] = results[0]["current_version"]["files"]
    download = client.get(file["url"])
    assert download.status_code == 200 and download.headers["content-type"] == "application/x-chrome-extension"
    crx = tmp_path / "downloaded.crx"
    crx.write_bytes(download.content)
    # Approved Chromium packages become a CRX3 of the package as it was sent, signed with the product's key.
    assert download.content[verify_crx3(crx).archive_offset:] == package
    assert file["url"].endswith(".crx")

    # A new draft alone does not change where the product stands.
    accepted(upload(client, headers, product_id, chromium_zip("1.1.0")))
    run_jobs()
    assert product_status(client, headers) == ["In the Store"]


def test_rejection_makes_the_product_failed_with_the_reviewers_notes(client, store, developer, product, bearer,
                                                                     chromium_zip, run_jobs):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    published = uploaded_and_published(client, owner.api_key_headers, product_id, chromium_zip(), run_jobs)
    decide(store, run_jobs, "1.0.0", "reject", "The icon is missing.")
    assert product_status(client, owner.api_key_headers) == ["Failed"]

    body = publish_status(client, owner.api_key_headers, product_id, published).json()
    assert set(body) == V11_KEYS
    assert (body["status"], body["errorCode"]) == ("Failed", "SubmissionRejected")
    assert body["errors"] == [{"id": "SubmissionRejected", "message": "The icon is missing."}]
    assert publish_status(client, bearer(owner), product_id, published).json() == {
        "id": published, "status": "FAILED", "message": V1_FAILED,
        "errors": [{"id": "SubmissionRejected", "message": "The icon is missing."}]}

    # A fixed package goes through review again.
    uploaded_and_published(client, owner.api_key_headers, product_id, chromium_zip("1.0.1"), run_jobs)
    assert product_status(client, owner.api_key_headers) == ["In Review"]
    decide(store, run_jobs, "1.0.1", "approve")
    assert product_status(client, owner.api_key_headers) == ["In the Store"]


# Publish outcomes -------------------------------------------------------------------------------

def test_nothing_to_publish(client, developer, product, bearer, chromium_zip, run_jobs):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    for shipped, headers in ((True, owner.api_key_headers), (False, bearer(owner))):
        operation = accepted(publish(client, headers, product_id)).rsplit("/", 1)[-1]
        run_jobs()
        body = publish_status(client, headers, product_id, operation).json()
        if shipped:
            assert set(body) == V11_KEYS
            assert (body["status"], body["errorCode"], body["errors"]) == ("Failed", "NoModulesUpdated", None)
            assert body["message"] == ("Can't publish extension since there are no updates, please try again after "
                                       "updating the package.")
        else:
            assert body == {"id": operation, "status": "NOTHING-TO-PUBLISH", "message": V1_NOTHING_TO_PUBLISH}

    # A draft is published once: publishing again finds nothing new.
    uploaded_and_published(client, owner.api_key_headers, product_id, chromium_zip(), run_jobs)
    operation = accepted(publish(client, bearer(owner), product_id)).rsplit("/", 1)[-1]
    run_jobs()
    assert publish_status(client, bearer(owner), product_id, operation).json()["status"] == "NOTHING-TO-PUBLISH"


def test_publishing_while_a_submission_is_in_review_is_a_conflict(client, store, developer, product, bearer,
                                                                  chromium_zip, run_jobs):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    headers = owner.api_key_headers
    uploaded_and_published(client, headers, product_id, chromium_zip("1.0.0"), run_jobs)
    conflicting = uploaded_and_published(client, headers, product_id, chromium_zip("1.1.0"), run_jobs)

    body = publish_status(client, headers, product_id, conflicting).json()
    assert (body["status"], body["errorCode"]) == ("Failed", "InProgressSubmission")
    assert body["message"] == "Can't publish extension as your extension submission is in progress. Please try again later."
    assert publish_status(client, bearer(owner), product_id, conflicting).json() == {
        "id": conflicting, "status": "CONFLICT", "message": V1_CONFLICT}
    with store.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Version)) == 1

    # The draft stays: once the review is over, it can be published.
    decide(store, run_jobs, "1.0.0", "approve")
    operation = accepted(publish(client, headers, product_id))
    run_jobs()
    assert publish_status(client, headers, product_id, operation).json()["status"] == "Succeeded"
    assert listed_version(store, "1.1.0") is not None and product_status(client, headers) == ["In Review"]


def test_a_version_string_already_used_fails_validation_at_publish(client, store, developer, product, bearer,
                                                                   chromium_zip, run_jobs):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    headers = owner.api_key_headers
    uploaded_and_published(client, headers, product_id, chromium_zip("1.0.0"), run_jobs)
    decide(store, run_jobs, "1.0.0", "approve")
    failed = uploaded_and_published(client, headers, product_id, chromium_zip("1.0.0"), run_jobs)

    body = publish_status(client, headers, product_id, failed).json()
    assert (body["status"], body["errorCode"]) == ("Failed", "SubmissionValidationError")
    assert body["errors"] == [{"id": "SubmissionValidationError", "message": "Version 1.0.0 already exists."}]
    v1 = publish_status(client, bearer(owner), product_id, failed).json()
    assert (v1["status"], v1["message"]) == ("FAILED", V1_FAILED)
    assert product_status(client, headers) == ["In the Store"]


def test_the_newest_valid_upload_is_the_draft(client, store, developer, product, chromium_zip, run_jobs):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    headers = owner.api_key_headers
    for version in ("1.0.0", "1.2.0"):
        accepted(upload(client, headers, product_id, chromium_zip(version)))
    accepted(upload(client, headers, product_id, b"not a zip"))  # a failed upload leaves the draft alone
    run_jobs()
    accepted(publish(client, headers, product_id))
    run_jobs()
    with store.db.session() as session:
        assert session.scalars(select(Version.version)).all() == ["1.2.0"]
        assert session.scalar(select(func.count()).select_from(EdgeDraft)) == 0  # published, so cleared


# Publish bodies ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body,notes", [
    ({"content": b"Plain notes.", "headers": {"Content-Type": "text/plain"}}, "Plain notes."),
    ({"content": b"No content type at all."}, "No content type at all."),
    ({"json": {"notes": "JSON notes."}}, "JSON notes."),
    ({"json": {}}, None),
    ({"data": {"notes": "Form notes."}}, "Form notes."),
    ({"data": {"certificationNotes": "text value"}}, "text value"),  # the usage guide's curl sample
    ({"content": b'{ "notes"="Handwritten \\"JSON\\"." }', "headers": {"Content-Type": "application/json"}},
     'Handwritten "JSON".'),
    ({"content": b"Raw notes & more: 100% tested",
      "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, "Raw notes & more: 100% tested"),
    ({}, None),
    ({"content": "Notes with ünïcode.".encode(), "headers": {"Content-Type": "text/plain; charset=utf-8"}},
     "Notes with ünïcode."),
])
def test_every_publish_body_a_client_sends(client, store, developer, product, chromium_zip, run_jobs, body, notes):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    body = dict(body)
    extra_headers = body.pop("headers", {})
    published = uploaded_and_published(client, owner.api_key_headers, product_id, chromium_zip(), run_jobs,
                                       extra_headers=extra_headers, **body)
    assert publish_status(client, owner.api_key_headers, product_id, published).json()["status"] == "Succeeded"
    assert listed_version(store).approval_notes == notes


def test_notes_past_the_limit_are_refused(client, developer, product):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    response = publish(client, owner.api_key_headers, product_id, content=b"x" * (64 * 1024 + 1))
    edge_error(response, 413, "PayloadTooLarge")  # SIZE_LIMIT_EXCEEDED names packages


# Upload requests --------------------------------------------------------------------------------

@pytest.mark.parametrize("content_type", [None, "text/plain", "application/octet-stream", "application/zipx",
                                          "multipart/form-data; boundary=x"])
def test_the_package_must_be_sent_as_application_zip(client, store, developer, product, chromium_zip, content_type):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    response = upload(client, owner.api_key_headers, product_id, chromium_zip(),
                      content_type={"Content-Type": content_type} if content_type else None)
    assert "Content-Type: application/zip" in edge_error(response, 400, "BadRequest")
    assert_nothing_recorded(store)


@pytest.mark.parametrize("content_type", ["application/zip; charset=binary", "Application/ZIP", " application/zip "])
def test_application_zip_in_any_spelling(client, developer, product, chromium_zip, content_type):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    accepted(upload(client, owner.api_key_headers, product_id, chromium_zip(),
                    content_type={"Content-Type": content_type}))


def test_no_package_is_a_400(client, store, developer, product):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    for method in ("POST", "PUT"):
        response = upload(client, owner.api_key_headers, product_id, b"", method=method)
        assert "no package" in edge_error(response, 400, "BadRequest")
    assert_nothing_recorded(store)


def test_a_chunked_body_without_content_length(client, store, developer, product, chromium_zip, run_jobs):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    package = chromium_zip()
    sent_headers = {}

    def chunks():
        for start in range(0, len(package), 100):
            yield package[start:start + 100]

    def record(request):
        sent_headers.update(request.headers)

    client.event_hooks["request"].append(record)
    operation = accepted(client.post(f"/v1/products/{product_id}/submissions/draft/package",
                                     headers={**owner.api_key_headers, **ZIP}, content=chunks()))
    assert sent_headers.get("transfer-encoding") == "chunked" and "content-length" not in sent_headers
    run_jobs()
    assert upload_status(client, owner.api_key_headers, product_id, operation).json()["status"] == "Succeeded"
    with store.db.session() as session:
        assert session.scalar(select(Upload.size)) == len(package)


def test_a_package_over_the_size_limit_is_a_413(tmp_path):
    limited, client, headers, product_id = own_store(tmp_path / "limited", upload_max_bytes=1024)
    headers = {**headers, **ZIP}
    oversized = b"PK" + b"\0" * 2000

    declared = client.post(f"/v1/products/{product_id}/submissions/draft/package", headers=headers, content=oversized)
    assert edge_error(declared, 413, "SIZE_LIMIT_EXCEEDED") == "Zip file size must not exceed 1024 bytes."
    chunked = client.post(f"/v1/products/{product_id}/submissions/draft/package", headers=headers,
                          content=iter([oversized[:1000], oversized[1000:]]))
    edge_error(chunked, 413, "SIZE_LIMIT_EXCEEDED")
    assert_nothing_recorded(limited)


def test_the_default_limit_is_the_references_500_mb(client, developer, product):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    # A declared length past the limit is refused before anything is read.
    response = client.post(f"/v1/products/{product_id}/submissions/draft/package",
                           headers={**owner.api_key_headers, **ZIP, "Content-Length": str(600 * 1024 * 1024)},
                           content=b"")
    assert edge_error(response, 413, "SIZE_LIMIT_EXCEEDED") == "Zip file size must not exceed 500MB."


def test_uploads_and_publishes_are_throttled_with_retry_after(tmp_path, chromium_zip):
    _store, client, headers, product_id = own_store(tmp_path / "throttled", throttle_edge_per_user="2/minute",
                                                    throttle_edge_per_ip="100/minute")
    operation = accepted(upload(client, headers, product_id, chromium_zip()))
    accepted(publish(client, headers, product_id))
    for response in (upload(client, headers, product_id, chromium_zip()), publish(client, headers, product_id)):
        message = edge_error(response, 429, "TooManyRequests")
        wait = int(response.headers["retry-after"])
        assert 1 <= wait <= 60 and message.startswith(f"Wait {wait} seconds")
    # Reading is never limited.
    assert upload_status(client, headers, product_id, operation).status_code == 200
    assert client.get("/v1/products", headers=headers).status_code == 200


# Invalid packages -------------------------------------------------------------------------------

def test_a_package_without_manifest_fails_with_manifest_file_missing(client, store, developer, product, bearer,
                                                                     tmp_path, run_jobs):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    no_manifest = package(tmp_path / "no-manifest.zip", {"background.js": "1;"}).read_bytes()
    operation = accepted(upload(client, owner.api_key_headers, product_id, no_manifest))
    run_jobs()

    assert upload_status(client, bearer(owner), product_id, operation).json() == {
        "id": operation, "status": "FAILED", "message": V1_UPLOAD_FAILED,
        "errors": [{"id": "MANIFEST_FILE_MISSING", "message": "Zip file must contain a manifest.json file."}]}
    body = upload_status(client, owner.api_key_headers, product_id, operation).json()
    assert set(body) == V11_KEYS
    assert (body["status"], body["errorCode"]) == ("Failed", "MANIFEST_FILE_MISSING")
    assert body["errors"] == [{"id": "MANIFEST_FILE_MISSING", "message": "Zip file must contain a manifest.json file."}]

    # No draft came of it.
    published = accepted(publish(client, bearer(owner), product_id)).rsplit("/", 1)[-1]
    run_jobs()
    assert publish_status(client, bearer(owner), product_id, published).json()["status"] == "NOTHING-TO-PUBLISH"


def test_other_package_problems_keep_the_validators_codes(client, developer, product, bearer, tmp_path, run_jobs):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    cases = {
        b"this is not a zip file": "BAD_ZIPFILE",
        package(tmp_path / "no-version.zip", {"manifest.json": {"manifest_version": 3, "name": "X y"}}).read_bytes():
            "MANIFEST_FIELD_REQUIRED",
    }
    for body, code in cases.items():
        operation = accepted(upload(client, owner.api_key_headers, product_id, body))
        run_jobs()
        status = upload_status(client, bearer(owner), product_id, operation).json()
        assert status["status"] == "FAILED" and status["message"] == V1_UPLOAD_FAILED
        assert code in [error["id"] for error in status["errors"]]
        assert all(error["message"] for error in status["errors"])


# Operation ids and ownership --------------------------------------------------------------------

def test_operation_ids_bare_or_inside_a_pasted_path(client, developer, product, bearer, chromium_zip, run_jobs):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    headers = bearer(owner)
    location = accepted(upload(client, headers, product_id, chromium_zip()))
    operation = location.rsplit("/", 1)[-1]
    run_jobs()
    base = f"/v1/products/{product_id}/submissions/draft/package/operations/"
    for reference in (operation, location, location.lstrip("/"), f"http://store.test/v1{location}",
                      operation.upper(), "{" + operation + "}", operation.replace("-", ""), f"{operation}/"):
        response = client.get(base + reference, headers=headers)
        assert response.status_code == 200, reference
        assert response.json()["id"] == operation and response.json()["status"] == "SUCCESS"

    published = accepted(publish(client, headers, product_id))
    run_jobs()
    response = client.get(f"/v1/products/{product_id}/submissions/operations/{published}", headers=headers)
    assert response.json()["status"] == "IN-REVIEW"
    # The v1.1 contract's clients paste the id into the path they build; a v1 Location works as well.
    response = client.get(f"/v1/products/{product_id}/submissions/operations/{published}",
                          headers=owner.api_key_headers)
    assert response.json()["status"] == "Succeeded"


def test_others_products_and_operations_are_404(client, developer, product, bearer, chromium_zip, run_jobs):
    owner, stranger = developer("owner@example.org"), developer("stranger@example.org")
    product_id = product(owner, "Tab Tamer")
    strangers_product = product(stranger, "Other")
    operation = accepted(upload(client, owner.api_key_headers, product_id, chromium_zip()))
    run_jobs()
    published = accepted(publish(client, owner.api_key_headers, product_id))
    run_jobs()

    for headers in (stranger.api_key_headers, bearer(stranger)):
        edge_error(upload(client, headers, product_id, chromium_zip()), 404, "NotFound")
        edge_error(publish(client, headers, product_id), 404, "NotFound")
        edge_error(upload_status(client, headers, product_id, operation), 404, "NotFound")
        edge_error(publish_status(client, headers, product_id, published), 404, "NotFound")
        # Through their own product: the operation is not theirs either.
        edge_error(upload_status(client, headers, strangers_product, operation), 404, "NotFound")
        edge_error(publish_status(client, headers, strangers_product, published), 404, "NotFound")
    # Unknown products and operations, and an operation asked for as the other kind.
    headers = owner.api_key_headers
    for unknown in (str(uuid.uuid4()), "not-a-product", "%00", "x" * 5000):
        edge_error(upload(client, headers, unknown, chromium_zip()), 404, "NotFound")
        edge_error(publish_status(client, headers, unknown, published), 404, "NotFound")
    for reference in (str(uuid.uuid4()), "nothing", "", "a/b/c", "%2F%2E%2E"):
        edge_error(upload_status(client, headers, product_id, reference), 404)
        edge_error(publish_status(client, headers, product_id, reference), 404)
    edge_error(upload_status(client, headers, product_id, published), 404, "NotFound")
    edge_error(publish_status(client, headers, product_id, operation), 404, "NotFound")


def test_every_route_needs_credentials(client, developer, product, chromium_zip):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    operation = str(uuid.uuid4())
    for response in (upload(client, {}, product_id, chromium_zip()), publish(client, {}, product_id),
                     upload_status(client, {}, product_id, operation), publish_status(client, {}, product_id, operation),
                     client.get(f"/products/{product_id}/submissions/operations/{operation}")):
        edge_error(response, 401, "Unauthorized")


def test_hostile_inputs_never_get_a_500(client, developer, product, bearer, chromium_zip):
    owner = developer()
    product_id = product(owner, "Tab Tamer")
    hostile = ["%FF", "%C0%AE", "..", "{}", "\u202e", "a" * 10000, "%00" * 10, "'; DROP TABLE addons; --",
               "00000000-0000-0000-0000-000000000000", "urn:uuid:" + str(uuid.uuid4()), "١" * 32]
    for headers in (owner.api_key_headers, bearer(owner)):
        for value in hostile:
            for response in (
                upload(client, headers, value, chromium_zip()),
                upload_status(client, headers, product_id, value),
                publish_status(client, headers, product_id, value),
                publish(client, headers, product_id, content=value.encode("utf-8", "surrogatepass"),
                        extra_headers={"Content-Type": "application/json"}),
                publish(client, headers, product_id, content=b"\xff\xfe" + value.encode(),
                        extra_headers={"Content-Type": "application/x-www-form-urlencoded"}),
            ):
                assert response.status_code < 500, (value, response.status_code, response.text)


def own_store(data_dir, **settings) -> tuple[Store, TestClient, dict, str]:
    """A store with settings of its own, an account on it with Edge credentials, and a product:
    (store, client, API key headers, product id)."""
    store = Store(Settings(data_dir=data_dir, **settings))
    with store.db.session() as session:
        user = create_user(session, "dev@example.org")
        credentials = issue_edge_credentials(session, user)
        product_id = create_product(session, user, "Tab Tamer").edge_product_id
    headers = {"Authorization": f"ApiKey {credentials.api_key}", "X-ClientID": credentials.client_id}
    return store, TestClient(create_app(store), base_url="http://store.test"), headers, product_id


def assert_nothing_recorded(store) -> None:
    with store.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Upload)) == 0
        assert session.scalar(select(func.count()).select_from(EdgeOperation)) == 0
    blobs = [path for path in store.blobs.root.rglob("*") if path.is_file()] if store.blobs.root.exists() else []
    assert blobs == []
