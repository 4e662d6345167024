"""What is inside a package, for a reviewer to read: its files, one file's text, and what changed
between two packages, file by file and line by line.

Everything is read through PackageArchive, so a package the store kept is read with the same
distrust as an upload. Text is what decodes as UTF-8 without NUL bytes; anything else is binary,
described by its size and never shown. Files past TEXT_LIMIT are described too: a reviewer reads
source, not bundles of megabytes, and a page must not hold them whole.
"""

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from addonhub.packages.archive import MIB, PackageArchive

TEXT_LIMIT = 1 * MIB
# Lines of context around each change, as `diff -u` shows them.
DIFF_CONTEXT = 3
ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


@dataclass(frozen=True)
class PackageFile:
    name: str
    size: int


@dataclass(frozen=True)
class FileText:
    """A file's content: its lines when it is text that can be shown, else why not."""
    name: str
    size: int
    lines: list[str] | None
    binary: bool = False
    too_large: bool = False


@dataclass
class FileChange:
    name: str
    status: str
    # The unified diff's lines after its header: (" " | "+" | "-" | "@", text).
    lines: list[tuple[str, str]] = field(default_factory=list)
    # Why the lines are not compared (binary, too large), when they are not.
    not_compared: str | None = None


def package_files(path: Path | str) -> list[PackageFile]:
    """The package's files (not directories), by name."""
    with PackageArchive(path) as archive:
        return sorted((PackageFile(entry.name, entry.size) for entry in archive.entries if not entry.is_dir),
                      key=lambda file: file.name)


def _text_of(archive: PackageArchive, name: str) -> FileText:
    size = archive.entry(name).size
    if size > TEXT_LIMIT:
        return FileText(name, size, None, too_large=True)
    content = archive.read(name)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return FileText(name, size, None, binary=True)
    if "\x00" in text:
        return FileText(name, size, None, binary=True)
    return FileText(name, size, text.splitlines())


def file_text(path: Path | str, name: str) -> FileText | None:
    """One file of the package as text to show (None when the package has no such file)."""
    with PackageArchive(path) as archive:
        return _text_of(archive, name) if name in archive else None


def compare(old_path: Path | str, new_path: Path | str, ignored: Callable[[str], bool] = lambda _name: False
            ) -> list[FileChange]:
    """Every file of either package, by name, with how it changed from the old package to the new
    and, for text, the changed lines with their context; files `ignored` names are left out (what
    the store itself adds, such as signatures, is not the developer's change)."""
    with PackageArchive(old_path) as old, PackageArchive(new_path) as new:
        names = sorted(name for name in set(old.files) | set(new.files) if not ignored(name))
        return [_change(old, new, name) for name in names]


def _change(old: PackageArchive, new: PackageArchive, name: str) -> FileChange:
    before = _text_of(old, name) if name in old else None
    after = _text_of(new, name) if name in new else None
    status = ADDED if before is None else REMOVED if after is None else None
    sides = [side for side in (before, after) if side is not None]
    if any(side.binary or side.too_large for side in sides):
        reason = "binary" if any(side.binary for side in sides) else "too large"
        if status is None:
            status = UNCHANGED if _same_bytes(old, new, name) else CHANGED
        return FileChange(name, status, not_compared=reason)
    old_lines, new_lines = (before.lines if before else []), (after.lines if after else [])
    if status is None:
        status = UNCHANGED if old_lines == new_lines and _same_bytes(old, new, name) else CHANGED
    diff = list(difflib.unified_diff(old_lines, new_lines, lineterm="", n=DIFF_CONTEXT))[2:]
    return FileChange(name, status, [("@", line) if line.startswith("@@") else (line[:1], line[1:]) for line in diff])


def _same_bytes(old: PackageArchive, new: PackageArchive, name: str) -> bool:
    """Whether the entry's bytes are the same in both (sizes first, for the common case)."""
    if old.entry(name).size != new.entry(name).size:
        return False
    return b"".join(old.chunks(name)) == b"".join(new.chunks(name))
