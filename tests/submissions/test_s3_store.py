"""A store whose blobs are in a real S3-compatible server: a package goes in through the signing
API, is validated and signed from the bucket, and comes out streamed (with HEAD, ranges and ETags
as from local files) or by a redirect to a presigned URL; `check`, clean-up and backups see the
bucket; listing images are kept there and served by the store."""

import hashlib
import io
import random
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from addonhub.accounts.models import User
from addonhub.api.app import create_app
from addonhub.backup import backup, restore, verify
from addonhub.catalog import images
from addonhub.catalog.models import Addon
from addonhub.cleanup import clean_up
from addonhub.config import Settings
from addonhub.integrity import BLOB_WITHOUT_ROW, UNFINISHED_WRITE, check_store
from addonhub.s3_blobs import PART_SIZE
from addonhub.signing.verify import verify_xpi
from addonhub.store import Store
from tests.catalog.test_images import image_bytes
from tests.factories import addon_record
from tests.packages.builders import extension, manifest
from tests.submissions.test_cleanup import POLICY
from tests.submissions.test_signing_api import put
from tests.test_blobs_s3 import kill_a_writer_midway


@pytest.fixture
def store(store_settings, s3_server, request) -> Store:
    """The test store with its blobs in the bucket; `indirect` True turns presigned downloads on."""
    return Store(store_settings(blob_url=s3_server.blob_url(),
                                blob_presigned_downloads=getattr(request, "param", False)))


def signed_file(client, headers, xpi, run_jobs, package: bytes | None = None) -> dict:
    status = put(client, headers, package or xpi()).json()
    run_jobs()
    [file] = client.get(status["url"], headers=headers).json()["files"]
    assert file["signed"]
    return file


def test_a_package_is_validated_signed_and_served_from_the_bucket(client, store, developer, xpi, run_jobs):
    _, headers = developer
    file = signed_file(client, headers, xpi, run_jobs)
    url = file["download_url"]

    download = client.get(url, headers=headers)
    assert download.status_code == 200 and download.headers["content-type"] == "application/x-xpinstall"
    assert file["hash"] == "sha256:" + hashlib.sha256(download.content).hexdigest()
    signed = store.settings.data_dir / "downloaded.xpi"
    signed.write_bytes(download.content)
    assert verify_xpi(signed, store.signing_ca.root_pem(), "test@example.org") == []
    # The upload and the signed file are in the bucket; nothing is on this machine.
    assert [info.key.split("/")[0] for info in store.blobs.list()] == ["files", "uploads"]
    assert not (store.settings.data_dir / "blobs").exists() and list(store.blobs.leftovers()) == []

    head = client.head(url, headers=headers)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(download.content))
    etag = download.headers["etag"]
    part = client.get(url, headers={**headers, "Range": "bytes=0-3"})
    assert part.status_code == 206 and part.content == download.content[:4] == b"PK\x03\x04"
    assert part.headers["content-range"] == f"bytes 0-3/{len(download.content)}"
    assert client.get(url, headers={**headers, "Range": "bytes=4-", "If-Range": etag}).content == download.content[4:]
    assert client.get(url, headers={**headers, "Range": "bytes=4-", "If-Range": '"other"'}).content == download.content
    several = client.get(url, headers={**headers, "Range": "bytes=0-1,10-11"})
    assert several.status_code == 206 and several.headers["content-type"].startswith("multipart/byteranges")
    assert download.content[10:12] in several.content
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304


def test_a_package_larger_than_a_part_goes_up_in_parts_and_comes_back_whole(tmp_path, client, store, developer,
                                                                           xpi, run_jobs):
    _, headers = developer
    noise = random.Random(14).randbytes(PART_SIZE + 1024 * 1024)  # incompressible: the package is as large
    package = extension(tmp_path / "large.xpi", manifest(browser_specific_settings={"gecko": {"id": "test@example.org"}}),
                        **{"background.js": "console.log(1);", "data.bin": noise}).read_bytes()
    file = signed_file(client, headers, xpi, run_jobs, package)

    download = client.get(file["download_url"], headers=headers)
    assert "sha256:" + hashlib.sha256(download.content).hexdigest() == file["hash"]
    assert len(download.content) > PART_SIZE
    [upload] = store.blobs.list("uploads/")
    assert upload.size == len(package)


@pytest.mark.parametrize("store", [True], indirect=True)
def test_presigned_downloads_redirect_to_the_bucket_for_a_few_minutes(client, store, developer, xpi, run_jobs):
    _, headers = developer
    file = signed_file(client, headers, xpi, run_jobs)

    redirect = client.get(file["download_url"], headers=headers, follow_redirects=False)
    assert redirect.status_code == 302 and redirect.headers["x-target-digest"] == file["hash"]
    location = redirect.headers["location"]
    assert location.startswith(store.settings.blob_url.split("?endpoint_url=")[1].split("&")[0])
    fetched = httpx.get(location)
    assert fetched.status_code == 200 and "sha256:" + hashlib.sha256(fetched.content).hexdigest() == file["hash"]
    assert fetched.headers["content-type"] == "application/x-xpinstall"
    filename = httpx.URL(file["download_url"]).path.rsplit("/", 1)[1]
    assert fetched.headers["content-disposition"] == f"attachment; filename*=utf-8''{filename}"
    assert "X-Amz-Expires=300" in location

    signature = location.rsplit("X-Amz-Signature=", 1)[1][:64]
    tampered = location.replace(signature, signature[::-1])
    assert httpx.get(tampered).status_code == 403
    assert httpx.get(location.replace("files%2F", "uploads%2F").replace("files/", "uploads/")).status_code == 403
    # The client's copy is still current: no redirect.
    unchanged = client.get(file["download_url"], headers={**headers, "If-None-Match": redirect.headers["etag"]})
    assert unchanged.status_code == 304
    # Strangers are refused before any URL is made.
    assert client.get(file["download_url"], follow_redirects=False).status_code == 401


def test_check_and_clean_up_find_killed_writes_and_orphans_in_the_bucket(client, store, developer, xpi, run_jobs):
    _, headers = developer
    file = signed_file(client, headers, xpi, run_jobs)
    store.blobs.put_chunks("uploads/orphan", iter([b"no row names me"]))
    [signed_key] = [info.key for info in store.blobs.list("files/")]
    kill_a_writer_midway(store.settings.data_dir, store.settings.blob_url, signed_key)

    problems = {(problem.kind, problem.subject.split("?")[0]) for problem in check_store(store.db, store.blobs)}
    assert (BLOB_WITHOUT_ROW, "uploads/orphan") in problems
    assert (UNFINISHED_WRITE, "uploads/killed.xpi") in problems
    assert {kind for kind, _ in problems} == {BLOB_WITHOUT_ROW, UNFINISHED_WRITE}  # the signed file is sound

    assert clean_up(store.db, store.blobs, POLICY).total.count == 0  # all of it within the grace period
    later = datetime.now(timezone.utc) + POLICY.grace + timedelta(hours=1)
    report = clean_up(store.db, store.blobs, POLICY, now=later)
    assert (report.orphans.count, report.unfinished.count) == (1, 2)  # the orphan; the upload and the scratch copy
    assert list(store.blobs.leftovers()) == [] and not store.blobs.exists("uploads/orphan")
    assert client.get(file["download_url"], headers=headers).status_code == 200


# backup() copies the SQLite file: it covers the embedded default, not a store on PostgreSQL.
@pytest.mark.sqlite_file
def test_a_backup_reads_the_bucket_and_a_restore_fills_another(tmp_path, client, store, developer, xpi, run_jobs,
                                                              s3_server):
    _, headers = developer
    file = signed_file(client, headers, xpi, run_jobs)
    original = client.get(file["download_url"], headers=headers).content

    summary = backup(store.settings, tmp_path / "store.tar")
    assert summary.blobs == 2 and summary.missing_blobs == [] and verify(summary.archive).problems == []

    settings = Settings(data_dir=tmp_path / "restored", blob_url=s3_server.blob_url())
    assert restore(settings, summary.archive).problems == []
    restored = Store(settings)
    assert sorted(info.key for info in restored.blobs.list()) == sorted(info.key for info in store.blobs.list())
    with TestClient(create_app(restored), base_url="http://store.test") as copy:
        assert copy.get(file["download_url"], headers=headers).content == original


@pytest.mark.parametrize("store", [True], indirect=True)
def test_listing_images_are_kept_in_the_bucket_and_served_by_the_store_itself(client, store, load):
    """Even with presigned downloads on: a redirect would bring the bucket's headers, not the
    image type, nosniff and the year's caching."""
    load(addon_record("bucketed"))
    with store.db.session() as session:
        addon = session.scalar(select(Addon).where(Addon.slug == "bucketed"))
        editor = session.scalar(select(User).where(User.username == "author"))
        images.set_icon(session, store.blobs, addon, image_bytes((256, 256)), editor)
        preview = images.add_screenshot(session, store.blobs, addon, image_bytes((3000, 1500), "JPEG"), "", editor)
        session.flush()
        icon_url, full_url = addon.icon_url, preview.image_url
    assert sorted(info.key.removeprefix("images/").split("-", 1)[1] for info in store.blobs.list("images/")) == [
        "full.jpg", "icon-128.png", "icon-32.png", "icon-64.png", "thumb.jpg"]
    for url, media_type, size in ((icon_url, "image/png", (64, 64)), (full_url, "image/jpeg", (2400, 1200))):
        answer = client.get(url, follow_redirects=False)
        assert answer.status_code == 200 and answer.headers["content-type"] == media_type
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert Image.open(io.BytesIO(answer.content)).size == size
    assert [problem for problem in check_store(store.db, store.blobs) if problem.subject.startswith("images/")] == []
