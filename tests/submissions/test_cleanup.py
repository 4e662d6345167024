"""Clean-up and check: uploads that never became a version expire, orphans and unfinished writes
go after a grace period, nothing a row points at is ever removed, and `check` finds what a crash
(or a disk) left inconsistent."""

import json
import os
import subprocess
import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from addonhub.catalog.models import File, Version
from addonhub.cleanup import CLEANUP_JOB, CleanupPolicy, clean_up
from addonhub.edge.models import EdgeDraft
from addonhub.integrity import BLOB_WITHOUT_ROW, HASH_MISMATCH, JOB_FAILED, JOB_STUCK, ROW_WITHOUT_BLOB, check_store
from addonhub.jobs import FAILED, QUEUED, RUNNING, Job, Periodic, Worker, enqueue, schedule
from addonhub.submissions.models import Upload
from addonhub.workflows import periodic_jobs
from tests.factories import addon_record
from tests.submissions.test_signing_api import put
from tests.test_cli import ADDONHUB

POLICY = CleanupPolicy(upload_retention=timedelta(days=7), grace=timedelta(hours=24))
V5 = "/api/v5/addons"


def age_uploads(store, days: float = 8, **where) -> None:
    """Sets uploads' arrival back by `days` (all of them, or those matching `where`)."""
    with store.db.session() as session:
        session.execute(update(Upload).filter_by(**where).values(
            created=datetime.utcnow() - timedelta(days=days)))


def age_blob(store, key: str, hours: float = 48) -> None:
    path = store.blobs.root / key
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def upload_keys(store) -> set[str]:
    with store.db.session() as session:
        return set(session.scalars(select(Upload.blob_key)))


def v5_upload(client, headers, data: bytes) -> str:
    response = client.post(f"{V5}/upload/", headers=headers, data={"channel": "unlisted"},
                           files={"upload": ("addon.xpi", data, "application/x-xpinstall")})
    assert response.status_code == 201, response.text
    return response.json()["uuid"]


@pytest.fixture
def signed(client, developer, xpi, run_jobs):
    """test@example.org 1.0, signed through the signing API: its upload has a version and its file a blob."""
    _, headers = developer
    assert put(client, headers, xpi("1.0")).status_code == 201
    run_jobs()
    return headers


def test_old_uploads_without_a_version_expire_and_polling_them_is_a_404(store, client, signed, xpi, run_jobs):
    headers = signed
    old = v5_upload(client, headers, xpi("2.0"))
    recent = v5_upload(client, headers, xpi("3.0"))
    invalid = put(client, headers, xpi("4.0", name=None)).json()  # fails validation: no version
    run_jobs()
    assert client.get(f"{V5}/upload/{old}/", headers=headers).status_code == 200
    status_url = invalid["url"]
    assert client.get(status_url, headers=headers).status_code == 200
    age_uploads(store)
    age_uploads(store, days=1, uuid=recent)
    before = upload_keys(store)

    report = clean_up(store.db, store.blobs, POLICY)

    assert report.uploads.count == 2 and report.uploads.bytes > 0
    assert client.get(f"{V5}/upload/{old}/", headers=headers).status_code == 404
    assert client.get(status_url, headers=headers).status_code == 404
    assert client.get(f"{V5}/upload/{recent}/", headers=headers).status_code == 200
    kept = upload_keys(store)
    assert len(kept) == 2 and kept < before  # 1.0's upload (it has a version) and the recent one
    assert all(store.blobs.exists(key) for key in kept)
    assert not any(store.blobs.exists(key) for key in before - kept)
    # Idempotent: nothing more to do, and the signed add-on is untouched.
    assert clean_up(store.db, store.blobs, POLICY).total.count == 0
    assert check_store(store.db, store.blobs) == []


def test_nothing_a_file_a_source_or_a_draft_points_at_expires(store, load, account, xpi):
    load(addon_record("kept"))
    user_id, _ = account("owner@example.org")
    payload = xpi("1.0")
    with store.db.session() as session:
        version = session.scalar(select(Version))
        keys = {}
        for name in ("file", "source", "draft", "none"):
            keys[name] = store.blobs.put_chunks(f"uploads/{name}", iter([payload])).key
            session.add(Upload(user_id=user_id, purpose="await-version", filename="a.xpi", blob_key=keys[name],
                               size=len(payload), sha256="0" * 64))
        session.flush()
        version.files[0].storage_key = keys["file"]
        version.source_key = keys["source"]
        draft_upload = session.scalar(select(Upload.id).where(Upload.blob_key == keys["draft"]))
        session.add(EdgeDraft(addon_id=version.addon_id, upload_id=draft_upload))
    age_uploads(store, days=30)
    report = clean_up(store.db, store.blobs, POLICY)
    assert report.uploads.count == 1
    assert upload_keys(store) == {keys["file"], keys["source"], keys["draft"]}
    assert all(store.blobs.exists(keys[name]) for name in ("file", "source", "draft"))
    assert not store.blobs.exists(keys["none"])


def test_old_orphans_and_unfinished_writes_go_fresh_ones_stay_and_a_dry_run_removes_nothing(store):
    blobs = store.blobs
    for key in ("uploads/old-orphan", "files/1/ab/old.xpi", "uploads/fresh-orphan"):
        blobs.put_chunks(key, iter([b"x" * 10]))
    partial = blobs.writer("sources/abandoned")
    partial.write(b"half")
    partial.file.flush()
    (blobs.scratch_dir() / "crashed-signing.xpi").write_bytes(b"y" * 5)
    for key in ("uploads/old-orphan", "files/1/ab/old.xpi"):
        age_blob(store, key)
    for info in list(blobs.leftovers()):
        age_blob(store, info.key)

    dry = clean_up(store.db, blobs, POLICY, dry_run=True)
    assert (dry.orphans.count, dry.orphans.bytes, dry.unfinished.count, dry.unfinished.bytes) == (2, 20, 2, 9)
    assert len(list(blobs.list())) == 3 and len(list(blobs.leftovers())) == 2

    done = clean_up(store.db, blobs, POLICY)
    assert done == dry
    assert [info.key for info in blobs.list()] == ["uploads/fresh-orphan"]
    assert list(blobs.leftovers()) == []


def test_the_periodic_job_is_queued_once_however_many_workers_start(store):
    periodic = Periodic("tick", timedelta(hours=1))
    ran = []
    workers = [Worker(store.db, {"tick": lambda session, payload: ran.append(1)}, periodic=[periodic])
               for _ in range(4)]
    start = threading.Barrier(len(workers))

    def start_worker(worker):
        start.wait()
        worker.schedule_periodic()

    threads = [threading.Thread(target=start_worker, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with store.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == "tick")) == 1
    workers[0].drain()
    assert ran == [1]
    # Done: the next one is queued for an interval after it finished, not to run now.
    assert schedule(store.db, periodic) is True
    assert schedule(store.db, periodic) is False
    assert workers[0].run_once() is False
    with store.db.session() as session:
        queued = session.scalar(select(Job).where(Job.kind == "tick", Job.status == QUEUED))
        assert queued.run_after > datetime.utcnow() + timedelta(minutes=59)


def test_the_clean_up_job_is_registered_and_runs(store, run_jobs):
    [cleanup] = [job for job in periodic_jobs(store.settings) if job.kind == CLEANUP_JOB]
    store.blobs.put_chunks("uploads/orphan", iter([b"z"]))
    age_blob(store, "uploads/orphan")
    assert schedule(store.db, cleanup)
    run_jobs()
    assert not store.blobs.exists("uploads/orphan")


def test_check_reports_each_kind_of_problem(store, client, signed, xpi, run_jobs):
    assert check_store(store.db, store.blobs) == []
    with store.db.session() as session:
        file = session.scalar(select(File))
        upload = session.scalar(select(Upload))
        file_key, upload_key, file_id, upload_uuid = file.storage_key, upload.blob_key, file.id, upload.uuid
        stuck = enqueue(session, "sign-version", {"version_id": 1})
        stuck.status, stuck.worker, stuck.lease_until = RUNNING, "elsewhere:1:x:1", datetime.utcnow() - timedelta(hours=1)
        failed = enqueue(session, "validate-upload", {"upload_id": 1})
        failed.status, failed.last_error = FAILED, "RuntimeError: boom"
    store.blobs.delete(file_key)
    store.blobs.put_chunks(upload_key, iter([b"not the package"]))
    store.blobs.put_chunks("sources/stray", iter([b"12345"]))

    problems = {(problem.kind, problem.subject) for problem in check_store(store.db, store.blobs)}

    assert problems == {(ROW_WITHOUT_BLOB, f"file {file_id}"), (HASH_MISMATCH, f"upload {upload_uuid}"),
                        (BLOB_WITHOUT_ROW, "sources/stray"), (JOB_STUCK, f"job {stuck.id} (sign-version)"),
                        (JOB_FAILED, f"job {failed.id} (validate-upload)")}


@pytest.mark.cli
def test_the_commands_report_and_exit_by_what_they_found(store, tmp_path):
    def addonhub(*args, data_dir=store.settings.data_dir):
        return subprocess.run([ADDONHUB, *args, "--data-dir", str(data_dir)], capture_output=True, text=True,
                              timeout=60)

    clean = addonhub("check")
    assert clean.returncode == 0 and clean.stdout.strip() == "No problems found.", clean.stderr
    store.blobs.put_chunks("uploads/stray", iter([b"x" * 7]))
    found = addonhub("check", "--json")
    assert found.returncode == 1
    report = json.loads(found.stdout)
    assert report["problems"] == [{"kind": BLOB_WITHOUT_ROW, "subject": "uploads/stray", "size": 7,
                                   "detail": report["problems"][0]["detail"]}]
    assert report["summary"][BLOB_WITHOUT_ROW] == 1
    age_blob(store, "uploads/stray")
    dry = addonhub("cleanup", "--dry-run")
    assert dry.returncode == 0 and "Would remove 1 orphan blobs: 7 bytes" in dry.stdout
    assert store.blobs.exists("uploads/stray")
    done = addonhub("cleanup")
    assert "Removed 1 orphan blobs: 7 bytes" in done.stdout and "Removed 1 blobs in all" in done.stdout
    assert addonhub("check").returncode == 0
    assert addonhub("check", data_dir=tmp_path / "none").returncode == 2
