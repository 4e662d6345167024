"""Mozilla's Dockerflow endpoints, for load balancers and operators.

- `/__lbheartbeat__`: the process answers (nothing else is looked at, so a slow database never
  takes a healthy process out of a load balancer).
- `/__heartbeat__`: the store works: its database answers, its blob store takes and gives back a
  blob, its rate-limit storage (Redis, when shared) answers, and its job queue is being worked
  (no job has waited past JOBS_WAITING_TOO_LONG). 200 with
  every check "ok", else 503 naming what failed and why.
- `/__version__`: the version running, and its commit when it runs from a git checkout.
"""

import logging
import secrets
import subprocess
from datetime import datetime, timedelta
from functools import cache
from importlib.metadata import version
from pathlib import Path

from fastapi import APIRouter, Request

from addonhub.api.responses import JSONResponse
from addonhub.jobs import oldest_waiting_job

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
# Jobs are claimed within a second when workers run; ten minutes of waiting means none does.
JOBS_WAITING_TOO_LONG = timedelta(minutes=10)


@router.api_route("/__lbheartbeat__", methods=["GET", "HEAD"])  # load balancers often probe with HEAD
def lbheartbeat():
    return JSONResponse({"status": "ok"})


def _database(store) -> None:
    with store.db.session() as session:
        session.connection().exec_driver_sql("SELECT 1")


def _blobs(store) -> None:
    key = f"heartbeat/{secrets.token_hex(8)}"
    probe = secrets.token_bytes(16)
    store.blobs.put_chunks(key, iter([probe]))
    try:
        if b"".join(store.blobs.chunks(key)) != probe:
            raise RuntimeError("the blob store gave back other bytes than it was given")
    finally:
        store.blobs.delete(key)


def _rate_limits(store) -> None:
    store.submission_throttle.check_storage()


def _jobs(store) -> None:
    with store.db.session() as session:
        since = oldest_waiting_job(session)
    if since is not None and datetime.utcnow() - since > JOBS_WAITING_TOO_LONG:
        raise RuntimeError(f"a job has waited since {since:%Y-%m-%dT%H:%M:%SZ}: are workers running?")


CHECKS = {"database": _database, "blobs": _blobs, "rate_limits": _rate_limits, "jobs": _jobs}


@router.api_route("/__heartbeat__", methods=["GET", "HEAD"])
def heartbeat(request: Request):
    store = request.app.state.store
    checks, details = {}, {}
    for name, check in CHECKS.items():
        try:
            check(store)
            checks[name] = "ok"
        except Exception as error:  # a failing check is the answer, not an error of this endpoint
            log.warning("heartbeat check %s failed: %s", name, error)
            checks[name], details[name] = "error", f"{type(error).__name__}: {error}"
    failed = bool(details)
    return JSONResponse({"status": "error" if failed else "ok", "checks": checks, "details": details},
                        status_code=503 if failed else 200)


@cache
def _commit() -> str | None:
    try:
        result = subprocess.run(["git", "-C", str(Path(__file__).parent), "rev-parse", "HEAD"],
                                capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None  # not a git checkout (an installed package)
    return result.stdout.strip()


@router.get("/__version__")
def version_info():
    return JSONResponse({"source": "addonhub", "version": version("addonhub"), "commit": _commit()})
