"""The notes for certification in a publish request, from whatever body a client sends.

The reference says plain text; the usage guide's curl sample sends a form `certificationNotes=...`;
shipped clients send JSON `{"notes": ...}` or `{}`, a form `notes=...`, raw text labelled as a
form, the malformed literal `{ "notes"="..." }`, or nothing. Every one is accepted: a recognised
structure gives its notes field, anything else is taken as the text itself. No body is refused
for its shape, since notes are optional.
"""

import json
import re
from urllib.parse import parse_qsl

NOTE_FIELDS = ("notes", "certificationNotes")
FORM_TYPE = "application/x-www-form-urlencoded"
# `{ "notes"="..." }` and its variants (`:` or `=`, any spacing): what one client writes by hand.
_HANDWRITTEN = re.compile(r'^\s*\{\s*"(notes|certificationNotes)"\s*[=:]\s*"(?P<text>.*)"\s*\}\s*$', re.DOTALL)
MAX_FORM_FIELDS = 64


def certification_notes(content_type: str | None, body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    if not text.strip():
        return ""
    stripped = text.strip()
    if stripped.startswith(("{", "\"")):
        notes = _from_json(stripped)
        if notes is not None:
            return notes
        handwritten = _HANDWRITTEN.match(stripped)
        if handwritten:
            return handwritten.group("text").replace('\\"', '"')
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type == FORM_TYPE:
        notes = _from_form(text)
        if notes is not None:
            return notes
    return text


def _from_json(text: str) -> str | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for name in NOTE_FIELDS:
            if isinstance(value.get(name), str):
                return value[name]
        return ""  # `{}`, or an object without notes: a publish with no notes
    return None


def _from_form(text: str) -> str | None:
    """The notes field of a form; None when the body is not a form with one (raw text sent with
    the form's Content-Type, which must then be taken whole)."""
    try:
        fields = dict(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS))
    except ValueError:
        return None
    for name in NOTE_FIELDS:
        if name in fields:
            return fields[name]
    return None
