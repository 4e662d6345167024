"""Operation statuses and `Location` headers in each of the Edge dialect's two contracts.

v1 (Bearer, the 2021 reference): `Location` is the reference's path; statuses are IN-PROGRESS,
SUCCESS, FAILED for uploads and NOTHING-TO-PUBLISH, CONFLICT, IN-REVIEW, FAILED for publishes,
each with the reference's message word for word; `errors` only when there are some.

v1.1 (ApiKey, as shipped): `Location` is the bare operation id; statuses are InProgress,
Succeeded, Failed, and every object has all of id, createdTime, lastUpdatedTime, status, message,
errorCode and errors (a client indexes each key), with the shipped API's messages and nulls.
"""

from datetime import datetime

from addonhub.api.edge.auth import Dialect
from addonhub.edge.models import (
    FAILED, IN_PROGRESS, IN_PROGRESS_SUBMISSION, NO_MODULES_UPDATED, SUBMISSION_REJECTED,
    SUBMISSION_VALIDATION_ERROR, SUCCEEDED, UPLOAD, EdgeOperation,
)
from addonhub.edge.operations import Outcome
from addonhub.edge.submissions import PACKAGE_FILENAME

# v1: the reference's texts.
V1_UPLOAD = {
    IN_PROGRESS: ("IN-PROGRESS", "The package upload is in progress. Please check the status after some time."),
    SUCCEEDED: ("SUCCESS", "Package upload successfully completed. Please proceed with publishing."),
    FAILED: ("FAILED", "The package upload failed. Please fix the errors and make the request again."),
}
V1_NOTHING_TO_PUBLISH = ("NOTHING-TO-PUBLISH",
                         "There is no draft available to publish. Please update the draft before publishing.")
V1_CONFLICT = ("CONFLICT", "There is another in-review submission for this product. Please wait for that "
                           "submission to be completed before triggering a new publish.")
V1_IN_REVIEW = ("IN-REVIEW", "The draft has been successfully submitted and is in review. The review may take up "
                             "to 7 business days.")
V1_FAILED = ("FAILED", "The operation failed due to an unknown error. Please re-trigger the publish call.")
# The reference has no in-progress publish status; the edge-publish job usually decides within a
# second, and this says the same as the upload's.
V1_PUBLISH_IN_PROGRESS = ("IN-PROGRESS", "The publish request is in progress. Please check the status after some time.")

# v1.1: the shipped API's statuses and failure texts.
V11_STATUS = {IN_PROGRESS: "InProgress", SUCCEEDED: "Succeeded", FAILED: "Failed"}
V11_PUBLISH_FAILURES = {
    NO_MODULES_UPDATED: "Can't publish extension since there are no updates, please try again after updating "
                        "the package.",
    IN_PROGRESS_SUBMISSION: "Can't publish extension as your extension submission is in progress. Please try "
                            "again later.",
    SUBMISSION_VALIDATION_ERROR: "Can't publish extension as the submission did not pass validation. Fix the "
                                 "errors and try to publish again.",
    SUBMISSION_REJECTED: "The submission was rejected in review. Fix what the reviewer's notes say and publish "
                         "a new package.",
}
V11_UPLOAD_FAILED = "The package upload failed. Please fix the errors and make the request again."


def location(dialect: Dialect, product_id: str, operation: EdgeOperation) -> str:
    if dialect is Dialect.V1_1:
        return operation.id
    if operation.kind == UPLOAD:
        return f"/products/{product_id}/submissions/draft/package/operations/{operation.id}"
    return f"/products/{product_id}/submissions/operations/{operation.id}"


def status_object(dialect: Dialect, operation: EdgeOperation, outcome: Outcome) -> dict:
    if dialect is Dialect.V1_1:
        return _v11(operation, outcome)
    status, message = _v1_upload(outcome) if operation.kind == UPLOAD else _v1_publish(outcome)
    body = {"id": operation.id, "status": status, "message": message}
    if outcome.state == FAILED and outcome.errors:
        body["errors"] = outcome.errors
    return body


def _v1_upload(outcome: Outcome) -> tuple[str, str]:
    return V1_UPLOAD[outcome.state]


def _v1_publish(outcome: Outcome) -> tuple[str, str]:
    if outcome.state == IN_PROGRESS:
        return V1_PUBLISH_IN_PROGRESS
    if outcome.state != FAILED:
        return V1_IN_REVIEW
    return {NO_MODULES_UPDATED: V1_NOTHING_TO_PUBLISH, IN_PROGRESS_SUBMISSION: V1_CONFLICT}.get(
        outcome.error_code, V1_FAILED)


def _v11(operation: EdgeOperation, outcome: Outcome) -> dict:
    body = {
        "id": operation.id,
        "createdTime": _timestamp(operation.created),
        "lastUpdatedTime": _timestamp(outcome.updated),
        "status": V11_STATUS[outcome.state],
        "message": None,
        "errorCode": None,
        "errors": None,
    }
    if outcome.state == IN_PROGRESS:
        return body
    if outcome.state != FAILED:
        body["errorCode"] = ""
        body["message"] = (f"Successfully updated package to {PACKAGE_FILENAME}" if operation.kind == UPLOAD
                           else f"Successfully created submission with ID {operation.version_id}")
        return body
    body["errorCode"] = outcome.error_code
    if operation.kind == UPLOAD:
        body["message"] = V11_UPLOAD_FAILED
    else:
        body["message"] = V11_PUBLISH_FAILURES.get(outcome.error_code, outcome.detail or "The publish failed.")
    body["errors"] = [{"message": error["message"], "id": error["id"]} for error in outcome.errors] or None
    return body


def _timestamp(moment: datetime) -> str:
    # UTC, as the shipped API's timestamps are; JavaScript's Date and Python's fromisoformat read it.
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
