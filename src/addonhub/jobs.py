"""A durable job queue in the database, and the workers that run it.

A job is enqueued in the same transaction as the change that needs it, so it exists exactly
when that change does. A worker claims a job with a conditional update (safe with several
workers, on SQLite and PostgreSQL alike), runs its handler in one transaction that also marks
the job done, and on failure records the error and retries with backoff. A worker killed
mid-job leaves nothing committed; the job is claimed again once its lease runs out, or at once
by the next worker on the same host when the dead one's process is gone.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, and_, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from addonhub.db import Base, Database

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
Handler = Callable[[Session, dict], None]


def utcnow() -> datetime:
    return datetime.utcnow()


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    worker: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_jobs_runnable", "status", "run_after"),)


def enqueue(session: Session, kind: str, payload: dict, max_attempts: int = 5) -> Job:
    """Adds a job to the caller's transaction: it runs only if that transaction commits."""
    job = Job(kind=kind, payload=payload, max_attempts=max_attempts, status=QUEUED, run_after=utcnow())
    session.add(job)
    session.flush()
    return job


def _process_is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Worker:
    def __init__(self, db: Database, handlers: dict[str, Handler], lease_seconds: int = 600):
        self.db, self.handlers = db, handlers
        self.lease = timedelta(seconds=lease_seconds)
        self.host = socket.gethostname()
        self.name = f"{self.host}:{os.getpid()}:{threading.get_ident()}"

    def reclaim_orphans(self) -> int:
        """Requeues jobs left running by dead workers of this host (a crash, a kill -9)."""
        with self.db.session() as session:
            running = session.scalars(select(Job).where(Job.status == RUNNING, Job.worker.like(f"{self.host}:%"))).all()
            orphans = [job for job in running if not _process_is_alive(int(job.worker.split(":")[1]))]
            for job in orphans:
                job.status, job.worker, job.lease_until = QUEUED, None, None
            return len(orphans)

    def _claim(self) -> Job | None:
        now = utcnow()
        runnable = or_(and_(Job.status == QUEUED, Job.run_after <= now),
                       and_(Job.status == RUNNING, Job.lease_until < now))
        with self.db.session() as session:
            for job_id in session.scalars(select(Job.id).where(runnable).order_by(Job.id).limit(5)).all():
                claimed = session.execute(
                    update(Job).where(Job.id == job_id, runnable)
                    .values(status=RUNNING, worker=self.name, lease_until=now + self.lease, attempts=Job.attempts + 1)
                )
                if claimed.rowcount == 1:
                    session.commit()
                    return session.get(Job, job_id)
        return None

    def run_once(self) -> bool:
        """Runs one runnable job, if there is one; says whether it did."""
        job = self._claim()
        if job is None:
            return False
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            with self.db.session() as session:
                handler(session, dict(job.payload))
                self._finish(session, job.id, DONE)
        except Exception as error:  # a failing job must never stop the worker
            log.exception("job %s (%s) failed", job.id, job.kind)
            self._failed(job, error)
        return True

    def _finish(self, session: Session, job_id: int, status: str, error: str | None = None) -> None:
        session.execute(update(Job).where(Job.id == job_id).values(
            status=status, finished=utcnow(), lease_until=None, last_error=error))

    def _failed(self, job: Job, error: Exception) -> None:
        message = f"{type(error).__name__}: {error}"
        with self.db.session() as session:
            if job.attempts >= job.max_attempts:
                self._finish(session, job.id, FAILED, message)
            else:
                backoff = timedelta(seconds=min(300, 2 ** job.attempts))
                session.execute(update(Job).where(Job.id == job.id).values(
                    status=QUEUED, worker=None, lease_until=None, last_error=message, run_after=utcnow() + backoff))

    def run_until(self, stop: threading.Event, idle_wait: float = 0.25) -> None:
        """Runs jobs until `stop` is set, waiting a little whenever none is runnable."""
        while not stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # the database may be briefly unavailable; never let the worker die
                log.exception("worker %s could not claim a job", self.name)
                ran = False
            if not ran:
                stop.wait(idle_wait)

    def drain(self, timeout: float = 30.0) -> None:
        """Runs jobs until none is runnable (for the CLI and tests)."""
        deadline = time.monotonic() + timeout
        while self.run_once() and time.monotonic() < deadline:
            pass


class WorkerThreads:
    """Workers running in threads of this process (what `addonhub serve` uses)."""

    def __init__(self, db: Database, handlers: dict[str, Handler], count: int):
        self.stop_event = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(db, handlers), name=f"worker-{n}", daemon=True)
                        for n in range(count)]

    def _run(self, db: Database, handlers: dict[str, Handler]) -> None:
        worker = Worker(db, handlers)
        worker.reclaim_orphans()
        worker.run_until(self.stop_event)

    def start(self) -> "WorkerThreads":
        for thread in self.threads:
            thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout)
