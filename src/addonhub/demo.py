"""The demo store of `make run`: the demo catalogue with a real package for each of its versions,
and an Edge product published through the Edge flow. Like `workflows`, a place that puts the parts
together, not a domain.

The catalogue's public files are signed by the store's CA with the pipeline's own signing
(submissions.pipeline.sign_into_file), so their downloads, update manifests and latest links
serve XPIs Firefox verifies; files awaiting review get their unsigned package, which approving
them signs as it signs any upload. The Edge product goes the way a client's package goes (upload,
validation, draft, publish, review, CRX), its jobs run here rather than by a server's workers.
"""

import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.accounts.models import User
from addonhub.blobs import BlobStore
from addonhub.catalog.constants import PUBLIC_FILE_STATUSES, FileStatus
from addonhub.catalog.demo_data import demo_catalogue
from addonhub.catalog.demo_packages import (
    write_demo_chromium_package,
    write_demo_package,
)
from addonhub.catalog.importer import import_catalogue
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon, File, Version
from addonhub.edge.products import create_product
from addonhub.edge.submissions import receive_package, request_publish
from addonhub.jobs import Worker
from addonhub.signing.ca import SigningCA
from addonhub.store import Store
from addonhub.submissions.pipeline import sign_into_file
from addonhub.submissions.review import approve
from addonhub.submissions.uploads import Submitter, new_upload_key
from addonhub.submissions.versions import package_filename
from addonhub.workflows import give_up_handlers, handlers

DEMO_PRODUCT_NAME = "Demo Edge Product"
DEMO_PRODUCT_VERSION = "1.0.0"
# Files a reviewer has yet to decide on: they hold the developer's unsigned package.
AWAITING_REVIEW = (FileStatus.NOMINATED, FileStatus.UNREVIEWED)


def load_demo_catalogue(session: Session, blobs: BlobStore, signing_ca: Callable[[], SigningCA]) -> dict[str, int]:
    """Imports the demo catalogue and gives its versions their packages, in the caller's transaction."""
    counts = import_catalogue(session, demo_catalogue())
    session.flush()
    files = session.scalars(select(File).join(Version).where(
        File.status.in_(PUBLIC_FILE_STATUSES + AWAITING_REVIEW), Version.is_deleted.is_(False)).order_by(File.id))
    changed: dict[int, Addon] = {}
    for file in files:
        _add_package(blobs, signing_ca, file)
        changed[file.version.addon_id] = file.version.addon
        counts["packages"] = counts.get("packages", 0) + 1
    for addon in changed.values():  # the detail objects show each file's size, hash and link
        reindex(session, addon)
    return counts


def _add_package(blobs: BlobStore, signing_ca: Callable[[], SigningCA], file: File) -> None:
    """Writes the file's generated package and stores it: signed when the file is public, as it
    is when submitted and not yet reviewed."""
    version = file.version
    addon = version.addon
    file.filename = package_filename(addon, version.version)
    with tempfile.TemporaryDirectory(dir=blobs.scratch_dir()) as scratch:
        unsigned = write_demo_package(addon, version, file.permissions or [], Path(scratch) / file.filename)
        if file.status in PUBLIC_FILE_STATUSES:
            sign_into_file(blobs, signing_ca(), file, unsigned, addon.guid)
            return
        stored = blobs.put_file(new_upload_key(), unsigned)
    file.storage_key, file.is_signed = stored.key, False
    file.size, file.hash = stored.size, f"sha256:{stored.sha256}"


def publish_demo_product(store: Store, developer_id: int, reviewer_id: int) -> str:
    """The Edge product id of the developer's product, in the store with its CRX: its package uploaded, validated,
    published and approved by the reviewer, each step's jobs run before the next."""
    with store.db.session() as session:
        developer = session.get(User, developer_id)
        product = create_product(session, developer, DEMO_PRODUCT_NAME)
        with tempfile.TemporaryDirectory(dir=store.blobs.scratch_dir()) as scratch:
            package = write_demo_chromium_package(DEMO_PRODUCT_NAME, DEMO_PRODUCT_VERSION, Path(scratch) / "demo.zip")
            blob = store.blobs.put_file(new_upload_key(), package)
        receive_package(session, Submitter(developer, None), product, blob)
        product_id = product.id
    _run_jobs(store)
    with store.db.session() as session:
        request_publish(session, Submitter(session.get(User, developer_id), None), session.get(Addon, product_id),
                        "The demo store's Edge product.")
    _run_jobs(store)
    with store.db.session() as session:
        product = session.get(Addon, product_id)
        [version] = product.versions
        approve(session, version, session.get(User, reviewer_id))
    _run_jobs(store)
    with store.db.session() as session:
        return session.get(Addon, product_id).edge_product_id


def _run_jobs(store: Store) -> None:
    Worker(store.db, handlers(store), give_up=give_up_handlers()).drain(wait_for_others=True)
