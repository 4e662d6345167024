"""The durable job queue: runs once, retries failures, survives a killed worker."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from sqlalchemy import func, select

from addonhub.accounts.models import User
from addonhub.jobs import DONE, FAILED, QUEUED, RUNNING, Job, Worker, enqueue


def make_user(session, payload):
    session.add(User(username=payload["name"], role="developer"))


def usernames(store) -> list[str]:
    with store.db.session() as session:
        return list(session.scalars(select(User.username).order_by(User.username)))


def job_row(store, job_id) -> Job:
    with store.db.session() as session:
        return session.get(Job, job_id)


def test_a_job_runs_once_and_its_effects_commit_with_it(store):
    with store.db.session() as session:
        job_id = enqueue(session, "make_user", {"name": "ada"}).id
    worker = Worker(store.db, {"make_user": make_user})
    assert worker.run_once() is True
    assert worker.run_once() is False
    assert usernames(store) == ["ada"]
    assert job_row(store, job_id).status == DONE


def test_a_job_enqueued_in_a_failed_transaction_never_exists(store):
    try:
        with store.db.session() as session:
            enqueue(session, "make_user", {"name": "ghost"})
            raise RuntimeError("the request failed")
    except RuntimeError:
        pass
    with store.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_failing_job_leaves_nothing_behind_and_is_retried_then_given_up(store):
    calls = []

    def flaky(session, payload):
        calls.append(1)
        session.add(User(username=f"half-{len(calls)}", role="developer"))
        session.flush()
        raise RuntimeError("boom")

    with store.db.session() as session:
        job_id = enqueue(session, "flaky", {}, max_attempts=2).id
    worker = Worker(store.db, {"flaky": flaky})
    assert worker.run_once()
    job = job_row(store, job_id)
    assert job.status == QUEUED and job.attempts == 1 and "boom" in job.last_error
    assert usernames(store) == []
    with store.db.session() as session:  # skip the backoff
        session.get(Job, job_id).run_after = job.created
    assert worker.run_once()
    assert job_row(store, job_id).status == FAILED
    assert usernames(store) == [] and len(calls) == 2


def test_unknown_kinds_fail_without_stopping_the_worker(store):
    with store.db.session() as session:
        enqueue(session, "nobody-handles-this", {}, max_attempts=1)
        enqueue(session, "make_user", {"name": "after"})
    worker = Worker(store.db, {"make_user": make_user})
    worker.drain()
    assert usernames(store) == ["after"]


def test_several_workers_run_each_job_exactly_once(store):
    with store.db.session() as session:
        for n in range(40):
            enqueue(session, "make_user", {"name": f"user{n:02d}"})
    workers = [Worker(store.db, {"make_user": make_user}) for _ in range(4)]
    threads = [threading.Thread(target=w.drain) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert usernames(store) == [f"user{n:02d}" for n in range(40)]


def test_a_job_of_a_killed_worker_is_run_again_by_the_next_one(store, tmp_path):
    with store.db.session() as session:
        job_id = enqueue(session, "slow", {}).id
    started = tmp_path / "started"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from addonhub.accounts.models import User
        from addonhub.config import Settings
        from addonhub.jobs import Worker
        from addonhub.store import Store

        def slow(session, payload):
            session.add(User(username="half-done", role="developer"))
            session.flush()
            Path({str(started)!r}).touch()
            time.sleep(60)

        settings = Settings(data_dir={str(store.settings.data_dir)!r}, database_url={store.settings.database_url!r})
        Worker(Store(settings).db, {{"slow": slow}}).run_once()
    """)
    process = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists()
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert job_row(store, job_id).status == RUNNING
    assert usernames(store) == []  # nothing of the half-run job is visible

    def finish_quickly(session, payload):
        make_user(session, {"name": "done"})

    worker = Worker(store.db, {"slow": finish_quickly})
    assert worker.reclaim_orphans() == 1
    worker.drain()
    assert job_row(store, job_id).status == DONE
    assert usernames(store) == ["done"]


def test_a_job_failing_on_its_last_attempt_gets_its_give_up_handler(store):
    def broken(_session, _payload):
        raise RuntimeError("always")

    given_up = []
    with store.db.session() as session:
        job_id = enqueue(session, "broken", {"n": 1}, max_attempts=1).id
    worker = Worker(store.db, {"broken": broken},
                    give_up={"broken": lambda session, payload, error: given_up.append((payload, error))})
    worker.run_once()
    assert job_row(store, job_id).status == FAILED
    assert given_up == [({"n": 1}, "RuntimeError: always")]


def test_a_worker_whose_lease_was_taken_over_does_not_commit_its_run(store):
    with store.db.session() as session:
        job_id = enqueue(session, "make_user", {"name": "late"}).id
    slow = Worker(store.db, {})

    def make_user_then_lose_the_lease(session, payload):
        # Meanwhile the lease ran out and another worker claimed the job.
        with store.db.session() as other:
            other.get(Job, job_id).worker = "elsewhere:1:x:1"
        make_user(session, payload)

    slow.handlers = {"make_user": make_user_then_lose_the_lease}
    slow.run_once()
    assert usernames(store) == []  # rolled back: the other claimant's run is the one that counts
    assert job_row(store, job_id).status == RUNNING


def test_a_job_left_running_by_an_earlier_process_with_our_pid_is_an_orphan(store):
    """A restarted container is pid 1 again: the pid alone cannot tell the dead claimant apart."""
    import socket
    with store.db.session() as session:
        job = enqueue(session, "make_user", {"name": "again"})
        job.status, job.worker = RUNNING, f"{socket.gethostname()}:{os.getpid()}:deadbeef:1"
    worker = Worker(store.db, {"make_user": make_user})
    assert worker.reclaim_orphans() == 1
    worker.drain()
    assert usernames(store) == ["again"]


def test_drain_can_wait_for_a_job_that_another_worker_runs(store):
    """As `addonhub demo` beside a running server needs: the server's worker may take its job."""
    started, release = threading.Event(), threading.Event()

    def slow(session, payload):
        started.set()
        release.wait(10)
        make_user(session, payload)

    with store.db.session() as session:
        enqueue(session, "slow", {"name": "ada"})
    # Built in its thread, as a server's worker threads are: a worker is named after its thread.
    other = threading.Thread(target=lambda: Worker(store.db, {"slow": slow}).run_once())
    other.start()
    assert started.wait(10)
    Worker(store.db, {"slow": slow}).drain()
    assert usernames(store) == []  # drain alone does not wait for it
    threading.Timer(0.3, release.set).start()
    Worker(store.db, {"slow": slow}).drain(wait_for_others=True)
    assert usernames(store) == ["ada"]
    other.join()
