"""A submission survives the server being killed (kill -9): a job accepted before the crash,
and a job killed in the middle of its step, both end with the version signed after a restart,
and nothing half-done is ever visible."""

import hashlib
import os
import sqlite3
import time

import httpx

from tests.interop.clients import amo_auth_header
from tests.interop.packages import ADDON_ID, manifest, xpi

STATUS = "/api/v4/addons/{guid}/versions/{version}/"


def submit(store, user, package, version="1.0"):
    with package.open("rb") as stream:
        response = httpx.put(store.base_url + STATUS.format(guid=ADDON_ID, version=version), headers=amo_auth_header(user),
                             files={"upload": (package.name, stream, "application/x-xpinstall")}, timeout=60)
    assert response.status_code == 201, response.text
    return response.json()


def wait_until_signed(store, user, version="1.0", timeout=60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = httpx.get(store.base_url + STATUS.format(guid=ADDON_ID, version=version), headers=amo_auth_header(user)).json()
        if status["active"]:
            return status
        time.sleep(0.2)
    raise AssertionError(f"not signed after {timeout} s: {status}")


def assert_downloads_verified(store, user, status, tmp_path):
    """The signed file downloads whole (the hash the status gives) and `addonhub verify` accepts it."""
    [file] = status["files"]
    download = httpx.get(file["download_url"], headers=amo_auth_header(user))
    assert download.status_code == 200
    assert file["hash"] == "sha256:" + hashlib.sha256(download.content).hexdigest()
    signed = tmp_path / "signed.xpi"
    signed.write_bytes(download.content)
    store.cli("verify", str(signed), "--id", ADDON_ID)


def query(store, sql):
    with sqlite3.connect(store.data_dir / "addonhub.sqlite3", timeout=10) as connection:
        return connection.execute(sql).fetchall()


def test_an_accepted_submission_completes_after_a_crash_and_restart(live_store_factory, tmp_path):
    store = live_store_factory(env={"ADDONHUB_WORKERS": "0"})  # nothing runs the job before the crash
    user = store.create_user("dev@example.org")
    submit(store, user, xpi(tmp_path / "addon.xpi", manifest()))
    store.kill()
    store.env["ADDONHUB_WORKERS"] = "1"
    store.start()
    assert_downloads_verified(store, user, wait_until_signed(store, user), tmp_path)


def test_a_worker_killed_mid_job_leaves_nothing_half_done_and_the_job_is_retried(live_store_factory, tmp_path):
    store = live_store_factory()
    user = store.create_user("dev@example.org")
    # Incompressible content makes validation and signing take long enough to be caught running.
    package = xpi(tmp_path / "big.xpi", manifest(), files={"data/blob.bin": os.urandom(48 * 1024 * 1024)})
    submit(store, user, package)
    deadline = time.monotonic() + 30
    while not query(store, "SELECT id FROM jobs WHERE status = 'running'"):
        assert time.monotonic() < deadline, query(store, "SELECT kind, status, last_error FROM jobs")
        time.sleep(0.005)
    store.kill()

    # Whatever step was cut short left nothing visible: no version yet, or a version whose file
    # is neither signed nor public (the signing step commits both at once).
    files = query(store, "SELECT status, is_signed FROM files")
    assert files in ([], [("unreviewed", 0)])
    assert query(store, "SELECT status FROM jobs WHERE status = 'running'") == [("running",)]

    store.start()
    assert_downloads_verified(store, user, wait_until_signed(store, user), tmp_path)
    assert query(store, "SELECT count(*) FROM versions") == [(1,)]
