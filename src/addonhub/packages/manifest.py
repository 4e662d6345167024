"""Parsing manifest.json as browsers and AMO accept it: a BOM and // comments are tolerated,
block comments and duplicate keys are reported, and the root must be an object."""

import json
import re
from dataclasses import dataclass, field


@dataclass
class ParsedJSON:
    value: object = None
    # (code, message, line) for each problem; JSON_INVALID means `value` is unusable.
    problems: list[tuple[str, str, int | None]] = field(default_factory=list)


_STRING_OR_COMMENT = re.compile(r'"(?:\\.|[^"\\\n])*"|//[^\n]*|/\*.*?(?:\*/|$)', re.DOTALL)


def strip_comments(text: str) -> tuple[str, bool]:
    """Blanks out // and /* */ comments outside strings, keeping line numbers; also says
    whether a block comment was seen (allowed by browsers' parsers, an error for AMO)."""
    if "//" not in text and "/*" not in text:
        return text, False
    block = False

    def blank(match: re.Match) -> str:
        nonlocal block
        found = match.group(0)
        if found.startswith('"'):
            return found
        block = block or found.startswith("/*")
        return "".join(char if char == "\n" else " " for char in found)

    return _STRING_OR_COMMENT.sub(blank, text), block


def parse_json(data: bytes, file_name: str) -> ParsedJSON:
    result = ParsedJSON()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.problems.append(("JSON_INVALID", f"{file_name} is not UTF-8 text.", None))
        return result
    duplicates: list[str] = []

    def no_duplicates(pairs):
        seen = {}
        for key, value in pairs:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    try:
        try:
            result.value = json.loads(text, object_pairs_hook=no_duplicates)
        except json.JSONDecodeError:
            # Comments are not JSON, so only text that fails to parse can have any: strip them
            # only then (most files have none, and stripping is the slow part).
            duplicates.clear()
            text, had_block_comments = strip_comments(text)
            if had_block_comments:
                result.problems.append(("JSON_BLOCK_COMMENTS", f"{file_name} contains block comments.", None))
            result.value = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as error:
        result.problems.append(("JSON_INVALID", f"Your JSON is not valid: {error.msg}.", error.lineno))
        return result
    except RecursionError:
        result.problems.append(("JSON_INVALID", "Your JSON is nested too deeply.", None))
        return result
    for key in dict.fromkeys(duplicates):
        result.problems.append(("JSON_DUPLICATE_KEY", f'Duplicate key "{key}" in {file_name}.', None))
    return result


def gecko_settings(manifest: dict) -> dict:
    """Firefox's own keys: browser_specific_settings.gecko, or the deprecated applications.gecko."""
    for key in ("browser_specific_settings", "applications"):
        settings = manifest.get(key)
        if isinstance(settings, dict) and isinstance(settings.get("gecko"), dict):
            return settings["gecko"]
    return {}
