"""Accepting uploads: what developers send, recorded with the validation job that checks it.

Each dialect streams the package into blob storage, then hands it here: the signing API's
uploads are checked at once against what AMO's parse_addon checks (accept_for_signing), v5's and
Edge's are recorded as they are and judged by validation. Nothing here commits: a refused
request leaves no row, and its dialect discards the blob.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.activity import service as activity
from addonhub.blobs import BlobStore, StoredBlob
from addonhub.catalog.models import Addon, Version
from addonhub.jobs import enqueue
from addonhub.packages.archive import ArchiveLimits
from addonhub.packages.identity import PackageIdentity, PackageRejected, check_filename, read_identity
from addonhub.refusals import INVALID, Refused
from addonhub.submissions.models import AUTO_VERSION, AWAIT_VERSION, Upload
from addonhub.submissions.versions import (
    check_manifest_id, check_open_for_versions, check_version_is_new, default_channel, find_addon_by_guid,
    guid_for_new_addon, with_braces,
)

VALIDATE_JOB = "validate-upload"


@dataclass(frozen=True)
class Submitter:
    user: User
    ip: str | None


def new_upload_key() -> str:
    return f"uploads/{uuid.uuid4().hex}"


# The archives AMO takes as a version's source code.
SOURCE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar.bz2")


def new_source_key() -> str:
    """Sources are kept apart from packages: nothing in uploads/ is ever taken for one."""
    return f"sources/{uuid.uuid4().hex}"


def checked_source(blob: StoredBlob, filename: str | None) -> StoredBlob:
    """A version's source code as AMO takes it, from any dialect: a file, not empty, an archive by
    its name (reviewers unpack it)."""
    if blob.size == 0:
        raise Refused(INVALID, "The submitted file is empty.", field="source")
    if not (filename or "").lower().endswith(SOURCE_SUFFIXES):
        raise Refused(INVALID, f"Unsupported file type, please upload an archive file ({', '.join(SOURCE_SUFFIXES)}).",
                      field="source")
    return blob


def read_package_identity(blobs: BlobStore, blob: StoredBlob, filename: str | None,
                          limits: ArchiveLimits) -> PackageIdentity:
    """The id and version the package's manifest states, read at once (blocking: run in a thread)."""
    try:
        check_filename(filename)
        with blobs.local_file(blob.key) as path:
            return read_identity(path, limits)
    except PackageRejected as rejected:
        raise Refused(INVALID, rejected.message, field="upload") from None


def record_upload(session: Session, submitter: Submitter, blob: StoredBlob, filename: str, *, purpose: str,
                  channel: str, identity: PackageIdentity | None, guid: str | None = None,
                  addon: Addon | None = None, target: str = "firefox") -> Upload:
    """Records an upload and queues its validation, in the caller's transaction."""
    upload = Upload(
        uuid=blob.key.rsplit("/", 1)[-1], user_id=submitter.user.id, ip=submitter.ip, purpose=purpose,
        target=target, channel=channel, guid=guid or (identity.guid if identity else None),
        addon_id=addon.id if addon else None, version=identity.version if identity else None,
        filename=filename, blob_key=blob.key, size=blob.size, sha256=blob.sha256,
        processed=False, valid=False,
    )
    session.add(upload)
    session.flush()
    activity.record(session, activity.UPLOAD, submitter.user, addon=addon, guid=upload.guid,
                    version_string=upload.version, upload_uuid=upload.uuid, details={"target": target})
    enqueue(session, VALIDATE_JOB, {"upload_id": upload.id})
    return upload


def accept_for_signing(session: Session, submitter: Submitter, blob: StoredBlob, filename: str,
                       identity: PackageIdentity, url_guid: str | None, url_version: str | None,
                       asked_channel: str | None) -> Upload:
    """An upload that becomes a version as soon as it validates (AMO's signing API), refused at
    once when its manifest does not fit the URL or the add-on it names, when the add-on is not
    the submitter's or takes no versions, or when its version string is taken."""
    version = url_version if url_version is not None else identity.version
    if version != identity.version:
        raise Refused(INVALID, "Version does not match the manifest file.")
    addon = find_addon_by_guid(session, with_braces(session, url_guid, identity.guid)) if url_guid else None
    if addon is None:
        # Without a URL id, a manifest id that is taken is someone's add-on: a duplicate.
        guid = guid_for_new_addon(session, identity.guid, url_guid, url_may_stand_in=True)
    else:
        check_open_for_versions(addon, submitter.user)
        check_manifest_id(identity.guid, addon)
        guid = addon.guid
    check_version_is_new(session, addon, version, guid)
    channel = default_channel(session, addon, asked_channel)
    return record_upload(session, submitter, blob, filename, purpose=AUTO_VERSION, channel=channel,
                         identity=identity, guid=guid, addon=addon)


def find_upload(session: Session, upload_uuid: str) -> Upload | None:
    try:
        key = uuid.UUID(upload_uuid).hex
    except ValueError:
        return None
    return session.scalar(select(Upload).where(Upload.uuid == key))


def submittable_upload(session: Session, user: User, upload_uuid: str) -> Upload:
    """An upload its uploader may now make a version of (AMO's v5 API)."""
    upload = find_upload(session, upload_uuid)
    if upload is None:
        raise Refused(INVALID, f"Object with uuid={upload_uuid} does not exist.", field="upload")
    # Someone else's upload, one still being validated and an invalid one are all "not valid"
    # on AMO; only uploads that await their version are made one on request.
    if upload.user_id != user.id or upload.purpose != AWAIT_VERSION or not upload.valid:
        raise Refused(INVALID, "Upload is not valid.", field="upload")
    if upload.version_id is not None:
        raise Refused(INVALID, "This upload has already been submitted.", field="upload")
    return upload


def upload_for_version(session: Session, version: Version) -> Upload | None:
    return session.scalar(select(Upload).where(Upload.version_id == version.id))
