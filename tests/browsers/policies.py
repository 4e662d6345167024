"""Enterprise policy files for the test browsers, where Debian's builds read them, removed afterwards.

The locations are the machine's (shared notes section 2 and 3): writing them needs root, and a
file that was there before the test is put back as it was. Every browser on the machine reads
them, so two test runs at once (two checkouts, CI jobs on one host) take turns: a run holds
POLICY_LOCK while its policies are in place, else each would see the other's add-ons and one
could put back the other's file as "what was there".
"""

import contextlib
import fcntl
import json
import os
import tempfile
from pathlib import Path

CHROMIUM_POLICY_DIR = Path("/etc/chromium/policies/managed")
FIREFOX_POLICY_FILE = Path("/etc/firefox/policies/policies.json")
POLICY_LOCK = Path(tempfile.gettempdir()) / "addonhub-browser-policies.lock"


def can_write_policies() -> bool:
    """Root may write the policy directories (creating them if need be); nobody else may."""
    return os.geteuid() == 0


@contextlib.contextmanager
def machine_policies():
    """Holds the machine's browser policies for the block (waiting for another run to be done)."""
    with POLICY_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def policy_file(path: Path, policy: dict):
    """Writes `policy` as JSON to path for the block, then restores what was there (or nothing),
    and removes the directories it had to create."""
    created = [parent for parent in reversed(path.parents) if not parent.exists()]
    previous = path.read_bytes() if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(policy, indent=2))
    try:
        yield path
    finally:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(previous)
        for directory in reversed(created):
            with contextlib.suppress(OSError):  # not empty: something else put a file there meanwhile
                directory.rmdir()


def chromium_policy(name: str, policy: dict):
    """Chromium merges every file of its managed directory; ours is named after the test."""
    return policy_file(CHROMIUM_POLICY_DIR / f"{name}.json", policy)


def firefox_policy(policy: dict):
    """Firefox reads one policies.json: the test's replaces any other for its duration."""
    return policy_file(FIREFOX_POLICY_FILE, policy)
