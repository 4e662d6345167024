"""Checks on the files of a package: flagged and hidden files, oversized text files, and
dangerous code patterns, found by reading the code, never by running it."""

import re
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
SIGNATURE_MANIFEST = "META-INF/manifest.mf"

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


def check_code(archive: PackageArchive, report: Report) -> None:
    for name in archive.files:
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in (".js", ".mjs", ".jsm", ".html", ".htm", ".xhtml") or archive.entry(name).size > MAX_PARSED_SIZE:
            continue
        try:
            text = archive.read(name).decode("utf-8", errors="replace")
        except ArchiveError:
            continue  # already reported by check_files
        if suffix in (".html", ".htm", ".xhtml"):
            _check_html(name, text, report)
        else:
            _check_script(name, text, report, first_line=1)


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _check_script(name: str, text: str, report: Report, first_line: int) -> None:
    for code, pattern, before, message in _JS_PATTERNS:
        for match in pattern.finditer(text):
            if _preceded_as_required(text, match.start(), before):
                report.warning(code, message, file=name, line=first_line + _line_of(text, match.start()) - 1)


def _check_html(name: str, text: str, report: Report) -> None:
    for match in _SCRIPT_TAG.finditer(text):
        attributes, body = match.group(1), match.group(2)
        line = _line_of(text, match.start())
        remote = _SCRIPT_SRC.search(attributes)
        if remote:
            report.warning("REMOTE_SCRIPT", f"Remote script {remote.group(1)} is not allowed by the add-on policies.",
                           file=name, line=line)
        script_type = (_SCRIPT_TYPE.search(attributes).group(1) if _SCRIPT_TYPE.search(attributes) else "").lower()
        if body.strip() and "src" not in attributes.lower() and script_type in _EXECUTABLE_SCRIPT_TYPES:
            report.warning("INLINE_SCRIPT", "Inline scripts are blocked by the extension content security policy.",
                           file=name, line=line)
            _check_script(name, body, report, first_line=_line_of(text, match.start(2)))
