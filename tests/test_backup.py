"""Backing up a store while it serves, checking the archive, and restoring it into a new store
that serves the same bytes, takes the same credentials and signs with the same root."""

import hashlib
import shutil
import sqlite3
import tarfile
import threading
import time

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from addonhub.accounts.edge_credentials import issue_edge_credentials
from addonhub.accounts.models import User
from addonhub.api.app import create_app
from addonhub.backup import backup, verify
from addonhub.config import Settings
from addonhub.store import Store
from tests.interop.conftest import LiveStore
from tests.packages.builders import extension, manifest
from tests.submissions.conftest import developer, jwt_headers, xpi  # noqa: F401 (fixtures)
from tests.submissions.test_signing_api import put
from tests.test_cli import run


def _signed_addon(client, developer, xpi, run_jobs) -> dict:
    """Submits an add-on and lets it be signed; returns its file as the status shows it."""
    _, headers = developer
    status = put(client, headers, xpi()).json()
    run_jobs()
    [file] = client.get(status["url"], headers=headers).json()["files"]
    assert file["signed"]
    return file


@pytest.mark.cli
def test_a_restored_store_serves_the_same_bytes_takes_the_same_keys_and_has_the_same_root(
        tmp_path, store, client, developer, jwt_headers, xpi, run_jobs):
    user_id, headers = developer
    file = _signed_addon(client, developer, xpi, run_jobs)
    original = client.get(file["download_url"], headers=headers)
    with store.db.session() as session:
        edge = issue_edge_credentials(session, session.get(User, user_id))

    archive = tmp_path / "store.tar"
    result = run("backup", "--data-dir", str(store.settings.data_dir), str(archive))
    assert result.stdout.startswith(f"Backed up {store.settings.data_dir} to {archive}: database of ")
    assert result.stderr == ""  # not a terminal: no progress
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        members = {member.name: member for member in tar}
    assert {"manifest.json", "addonhub.sqlite3", "secret_key", "api_key_encryption_key",
            "signing/ca/root.pem", "signing/ca/intermediate.key"} <= members.keys()
    assert {member.mode for member in members.values()} == {0o600}
    assert "sound backup" in run("backup", "verify", str(archive)).stdout

    restored = tmp_path / "restored"
    assert "Restored the backup of " in run("restore", "--data-dir", str(restored), str(archive)).stdout
    assert run("signing", "export-root", "--data-dir", str(restored)).stdout == \
        run("signing", "export-root", "--data-dir", str(store.settings.data_dir)).stdout

    with TestClient(create_app(Store(Settings(data_dir=restored))), base_url="http://store.test") as again:
        # A new token, signed with the AMO key whose secret the restored store must decrypt.
        download = again.get(file["download_url"], headers=jwt_headers(user_id))
        assert download.status_code == 200
        assert download.content == original.content
        assert download.headers["x-target-digest"] == original.headers["x-target-digest"] == file["hash"]
        products = again.get("/v1/products", headers={"Authorization": f"ApiKey {edge.api_key}",
                                                       "X-ClientID": edge.client_id})
        assert products.status_code == 200, products.text


def test_a_blob_deleted_between_the_database_copy_and_the_blob_copy_is_reported(
        tmp_path, store, client, developer, xpi, run_jobs):
    _signed_addon(client, developer, xpi, run_jobs)
    from addonhub.catalog.models import File
    with store.db.session() as session:
        [key] = session.query(File.storage_key).one()

    def delete_once_the_database_is_copied(stage, done, total):
        if stage == "database" and done == total:
            store.blobs.delete(key)

    summary = backup(store.settings, tmp_path / "b.tar", delete_once_the_database_is_copied)
    assert summary.missing_blobs == [key]
    check = verify(tmp_path / "b.tar")
    assert check.problems == [] and check.missing_blobs == [key]


def _package(tmp_path, guid: str) -> bytes:
    data = manifest(version="1.0", browser_specific_settings={"gecko": {"id": guid}})
    return extension(tmp_path / f"{guid}.xpi", data, **{"background.js": "console.log(1);"}).read_bytes()


def _jwt(amo: dict) -> dict:
    now = int(time.time())
    token = jwt.encode({"iss": amo["jwt_issuer"], "iat": now, "exp": now + 60}, amo["jwt_secret"], algorithm="HS256")
    return {"Authorization": f"JWT {token}"}


@pytest.fixture
def live(tmp_path):
    (tmp_path / "live").mkdir()
    store = LiveStore(tmp_path / "live", {"ADDONHUB_SUBMISSION_RATE_PER_USER": "1000/minute",
                                          "ADDONHUB_SUBMISSION_RATE_PER_IP": "1000/minute"})
    store.start()
    yield store
    store.stop()


@pytest.mark.cli
def test_a_backup_taken_while_packages_are_submitted_restores_a_consistent_store(tmp_path, live):
    amo = live.create_user("dev@example.org")["amo"]
    packages = tmp_path / "packages"
    packages.mkdir()
    accepted, finished = [], threading.Event()

    def submit():
        number = 0
        while not finished.is_set() and number < 15:
            number += 1
            guid = f"concurrent-{number}@example.org"
            response = httpx.put(f"{live.base_url}/api/v4/addons/{guid}/versions/1.0/", headers=_jwt(amo),
                                 files={"upload": ("addon.xpi", _package(packages, guid), "application/x-xpinstall")})
            assert response.status_code == 201, response.text
            accepted.append(guid)

    submitting = threading.Thread(target=submit)
    submitting.start()
    try:
        while len(accepted) < 2 and submitting.is_alive():
            time.sleep(0.05)
        archive = tmp_path / "busy.tar"
        result = live.cli("backup", "--data-dir", str(live.data_dir), str(archive))
        during = len(accepted)
    finally:
        finished.set()
        submitting.join()
    assert during >= 2 and "referenced blobs gone" not in result.stdout, result.stdout + result.stderr
    assert "sound backup" in run("backup", "verify", str(archive)).stdout

    restored = tmp_path / "restored"
    run("restore", "--data-dir", str(restored), str(archive))
    blobs = Store(Settings(data_dir=restored)).blobs  # the store opens (and migrates) as a server would
    database = sqlite3.connect(restored / "addonhub.sqlite3")
    rows = database.execute("SELECT storage_key, hash FROM files WHERE storage_key IS NOT NULL").fetchall()
    rows += [(key, f"sha256:{digest}") for key, digest in database.execute("SELECT blob_key, sha256 FROM uploads")]
    assert len(rows) >= 2
    for key, digest in rows:
        assert digest == "sha256:" + hashlib.sha256(b"".join(blobs.chunks(key))).hexdigest(), key


@pytest.fixture
def archive(tmp_path, store):
    """A backup of a store with one blob (no rows refer to it: backups take every blob there is)."""
    store.blobs.put_chunks("uploads/loose/package.xpi", iter([b"x" * 10_000]))
    path = tmp_path / "store.tar"
    backup(store.settings, path)
    return path


@pytest.mark.cli
def test_verify_finds_a_corrupted_blob_and_a_truncated_archive(tmp_path, archive):
    with tarfile.open(archive) as tar:
        blob = tar.getmember("blobs/uploads/loose/package.xpi")
    corrupted = tmp_path / "corrupted.tar"
    shutil.copy(archive, corrupted)
    with corrupted.open("r+b") as file:
        file.seek(blob.offset_data + 100)
        file.write(b"y")
    result = run("backup", "verify", str(corrupted), check=False)
    assert result.returncode == 1
    assert "blobs/uploads/loose/package.xpi: its SHA-256 is not the manifest's" in result.stderr

    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[:blob.offset_data + 5000])
    result = run("backup", "verify", str(truncated), check=False)
    assert result.returncode == 1
    assert "truncated" in result.stderr and "manifest.json is missing" in result.stderr

    result = run("restore", "--data-dir", str(tmp_path / "new"), str(corrupted), check=False)
    assert result.returncode == 1 and "its SHA-256 is not the manifest's" in result.stderr
    assert not (tmp_path / "new").exists() and not list(tmp_path.glob(".new.*"))


@pytest.mark.cli
def test_restore_refuses_a_directory_that_is_not_empty_and_leaves_it_as_it_was(tmp_path, archive):
    target = tmp_path / "occupied"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = run("restore", "--data-dir", str(target), str(archive), check=False)
    assert result.returncode == 1 and "exists and is not empty" in result.stderr
    assert [path.name for path in target.iterdir()] == ["notes.txt"] and (target / "notes.txt").read_text() == "mine"

    result = run("backup", "--data-dir", str(target), str(archive), check=False)
    assert result.returncode == 1 and "already exists" in result.stderr
