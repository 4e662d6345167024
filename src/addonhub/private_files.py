"""Secrets kept in the data directory: files readable only by the owner, created whole once."""

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's content, or, on first use, `make()` written to a private (0600) temporary file
    and linked into place, so that a process starting at the same time reads either nothing or
    the whole file, and only one content ever wins."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(make())
                file.flush()
                os.fsync(file.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another process created it first; theirs is the one
        finally:
            temporary.unlink(missing_ok=True)
    return path.read_bytes().strip()
