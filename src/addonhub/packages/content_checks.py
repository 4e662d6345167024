"""Checks on the files of a package: flagged and hidden files, oversized text files, and
dangerous code patterns, found by reading the code, never by running it.

Code checks are bounded for hostile packages: line numbers are counted once per pass (linear),
at most MAX_MESSAGES_PER_CODE messages of a code are listed, then one more says how many were
left out, and past the validation's time budget the remaining files are skipped, with a warning
naming them.
"""

import re
import time
from pathlib import PurePosixPath

from addonhub.packages.archive import MIB, ArchiveError, PackageArchive
from addonhub.packages.report import Report

FLAGGED_EXTENSIONS = frozenset({".class", ".dll", ".dylib", ".exe", ".jar", ".sh", ".so", ".swf"})
FLAGGED_NAMES = frozenset({"thumbs.db", ".ds_store"})
FLAGGED_SUFFIXES = (".orig", ".old", "~")
# Magic numbers of executables and other binaries reviewers want to see.
BINARY_SIGNATURES = (
    (b"MZ", "a Windows executable"), (b"\x7fELF", "an ELF executable"), (b"#!", "a script with an interpreter line"),
    (b"\xca\xfe\xba\xbe", "a Java class or Mach-O binary"), (b"\xfe\xed\xfa\xce", "a Mach-O binary"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O binary"), (b"\xce\xfa\xed\xfe", "a Mach-O binary"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O binary"), (b"FWS", "a Flash file"), (b"CWS", "a Flash file"),
)
RESERVED_NAMES = frozenset({"mozilla-recommendation.json"})
PARSED_EXTENSIONS = frozenset({".js", ".mjs", ".jsm", ".css", ".html", ".htm", ".xhtml", ".json"})
MAX_PARSED_SIZE = 5 * MIB
_PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
_CODE_SUFFIXES = (".js", ".mjs", ".jsm") + _PAGE_SUFFIXES
SIGNATURE_MANIFEST = "META-INF/manifest.mf"
# addons-linter lists every match; past this a report is no longer read, only stored.
MAX_MESSAGES_PER_CODE = 100
_LISTED_NAMES = 5

# Each pattern starts with a literal word, which lets the regex engine skip ahead to it: that is
# what keeps this fast on megabytes of minified script. What must (not) come before the word is
# checked on the match: a property access ("."), or not part of a longer name.
_AFTER_DOT, _STANDALONE, _STANDALONE_CALL = ".", "standalone", "standalone, not a method"
_JS_PATTERNS = tuple((code, re.compile(pattern), before, message) for code, pattern, before, message in (
    ("DANGEROUS_EVAL", r"eval\s*\(", _STANDALONE_CALL, "eval() can run any string as code."),
    ("DANGEROUS_EVAL", r"new\s+Function\s*\(", _STANDALONE, "The Function constructor can run any string as code."),
    ("NO_IMPLIED_EVAL", r"set(?:Timeout|Interval)\s*\(\s*[\"'`]", _STANDALONE,
     "setTimeout and setInterval with a string run it as code."),
    ("UNSAFE_VAR_ASSIGNMENT", r"innerHTML\s*\+?=(?!=)", _AFTER_DOT, "Writing innerHTML can inject unsanitized markup."),
    ("UNSAFE_VAR_ASSIGNMENT", r"outerHTML\s*\+?=(?!=)", _AFTER_DOT, "Writing outerHTML can inject unsanitized markup."),
    ("UNSAFE_VAR_ASSIGNMENT", r"insertAdjacentHTML\s*\(", _AFTER_DOT, "insertAdjacentHTML can inject unsanitized markup."),
    ("NO_DOCUMENT_WRITE", r"document\s*\.\s*write(?:ln)?\s*\(", _STANDALONE, "Use of document.write is discouraged."),
))


def _preceded_as_required(text: str, start: int, before: str) -> bool:
    previous = text[start - 1] if start else " "
    if before == _AFTER_DOT:
        return previous == "."
    identifier = previous.isalnum() or previous in "_$"
    return not identifier and not (before == _STANDALONE_CALL and previous == ".")


_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SCRIPT_SRC = re.compile(r"""\bsrc\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""", re.IGNORECASE)
_SCRIPT_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_EXECUTABLE_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}


def check_files(archive: PackageArchive, report: Report) -> None:
    if SIGNATURE_MANIFEST in archive:
        report.warning("ALREADY_SIGNED", "The package is already signed; signing replaces its signature.",
                       file=SIGNATURE_MANIFEST)
    for name in archive.files:
        path = PurePosixPath(name)
        lowered = path.name.lower()
        if lowered in RESERVED_NAMES:
            report.error("RESERVED_FILENAME", f"{path.name} is a reserved file name.", file=name)
        if name.startswith("__MACOSX/") or any(part.startswith(".") for part in path.parts):
            report.warning("HIDDEN_FILE", "Hidden file flagged.", file=name)
        elif lowered in FLAGGED_NAMES or lowered.endswith(FLAGGED_SUFFIXES):
            report.warning("FLAGGED_FILE", "Flagged file name found.", file=name)
        if path.suffix.lower() in FLAGGED_EXTENSIONS:
            report.warning("FLAGGED_FILE_EXTENSION", f"Flagged file extension {path.suffix} found.", file=name)
        entry = archive.entry(name)
        head = _read_through(archive, name, report)
        kind = next((label for magic, label in BINARY_SIGNATURES if head.startswith(magic)), None)
        if kind:
            report.notice("FLAGGED_FILE_TYPE", f"The file is {kind}.", file=name)
        if path.suffix.lower() in PARSED_EXTENSIONS and entry.size > MAX_PARSED_SIZE:
            report.error("FILE_TOO_LARGE", f"The file is {entry.size} bytes; files to review must be under "
                         f"{MAX_PARSED_SIZE // MIB} MB.", file=name)


def _read_through(archive: PackageArchive, name: str, report: Report) -> bytes:
    """Streams the whole entry, so that every file's size and CRC are checked; returns its start."""
    head = b""
    try:
        for chunk in archive.chunks(name):
            head = head or chunk[:8]
    except ArchiveError as error:
        report.error(error.code, error.message, file=name)
    return head


def check_code(archive: PackageArchive, report: Report, time_budget: float) -> None:
    """Checks scripts and pages; files still unchecked after `time_budget` seconds are skipped.
    check_files is not bounded so: it only streams the files, and their CRC checks must not be skipped."""
    deadline = time.monotonic() + time_budget
    warnings = _CappedWarnings(report)
    names = [name for name in archive.files if PurePosixPath(name).suffix.lower() in _CODE_SUFFIXES
             and archive.entry(name).size <= MAX_PARSED_SIZE]
    for index, name in enumerate(names):
        if time.monotonic() >= deadline:
            skipped = names[index:]
            listed = ", ".join(skipped[:_LISTED_NAMES]) + (", ..." if len(skipped) > _LISTED_NAMES else "")
            report.warning("CODE_CHECKS_SKIPPED", f"Code checks ran out of their {time_budget:g} s budget: "
                           f"{len(skipped)} files were not checked ({listed}).", file=skipped[0])
            break
        try:
            text = archive.read(name).decode("utf-8", errors="replace")
        except ArchiveError:
            continue  # already reported by check_files
        if PurePosixPath(name).suffix.lower() in _PAGE_SUFFIXES:
            _check_html(name, text, warnings)
        else:
            _check_script(name, text, 0, len(text), 1, warnings)
    warnings.summarize()


class _CappedWarnings:
    """The report's warnings, at most MAX_MESSAGES_PER_CODE of a code; the rest are only counted."""

    def __init__(self, report: Report):
        self.report = report
        self.counts: dict[str, int] = {}

    def full(self, code: str) -> bool:
        return self.counts.get(code, 0) >= MAX_MESSAGES_PER_CODE

    def warning(self, code: str, message: str, file: str, line: int) -> None:
        if not self.full(code):
            self.report.warning(code, message, file=file, line=line)
        self.counts[code] = self.counts.get(code, 0) + 1

    def summarize(self) -> None:
        for code, count in self.counts.items():
            if count > MAX_MESSAGES_PER_CODE:
                self.report.warning(code, f"{count - MAX_MESSAGES_PER_CODE} more {code} warnings were found and not "
                                    f"listed: {MAX_MESSAGES_PER_CODE} of a code are listed.")


def _check_script(name: str, text: str, start: int, end: int, first_line: int, warnings: _CappedWarnings) -> None:
    """Checks text[start:end], whose first line is `first_line`. Each pattern's matches come in
    order, so the line is counted on from the previous match rather than from the start."""
    for code, pattern, before, message in _JS_PATTERNS:
        line, counted_to = first_line, start
        for match in pattern.finditer(text, start, end):
            if not _preceded_as_required(text, match.start(), before):
                continue
            if not warnings.full(code):
                line += text.count("\n", counted_to, match.start())
                counted_to = match.start()
            warnings.warning(code, message, name, line)


def _check_html(name: str, text: str, warnings: _CappedWarnings) -> None:
    line, counted_to = 1, 0
    for match in _SCRIPT_TAG.finditer(text):
        attributes = match.group(1)
        line += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        remote = _SCRIPT_SRC.search(attributes)
        if remote:
            warnings.warning("REMOTE_SCRIPT", f"Remote script {remote.group(1)} is not allowed by the add-on policies.",
                             name, line)
        script_type = (_SCRIPT_TYPE.search(attributes).group(1) if _SCRIPT_TYPE.search(attributes) else "").lower()
        if match.group(2).strip() and "src" not in attributes.lower() and script_type in _EXECUTABLE_SCRIPT_TYPES:
            warnings.warning("INLINE_SCRIPT", "Inline scripts are blocked by the extension content security policy.",
                             name, line)
            body_line = line + text.count("\n", match.start(), match.start(2))
            _check_script(name, text, match.start(2), match.end(2), body_line, warnings)
