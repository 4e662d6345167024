"""Parsing manifest.json as browsers and AMO accept it: a BOM and // comments are tolerated,
block comments and duplicate keys are reported, and the root must be an object."""

import json
from dataclasses import dataclass, field


@dataclass
class ParsedJSON:
    value: object = None
    # (code, message, line) for each problem; JSON_INVALID means `value` is unusable.
    problems: list[tuple[str, str, int | None]] = field(default_factory=list)


def strip_comments(text: str) -> tuple[str, bool]:
    """Blanks out // and /* */ comments outside strings, keeping line numbers; also says
    whether a block comment was seen (allowed by browsers' parsers, an error for AMO)."""
    out, i, in_string, block = [], 0, False, False
    while i < len(text):
        char = text[i]
        if in_string:
            out.append(char)
            if char == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = len(text) if end == -1 else end
            out.append(" " * (end - i))
            i = end - 1
        elif text.startswith("/*", i):
            block = True
            end = text.find("*/", i + 2)
            end = len(text) if end == -1 else end + 2
            out.append("".join(c if c == "\n" else " " for c in text[i:end]))
            i = end - 1
        else:
            out.append(char)
        i += 1
    return "".join(out), block


def parse_json(data: bytes, file_name: str) -> ParsedJSON:
    result = ParsedJSON()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.problems.append(("JSON_INVALID", f"{file_name} is not UTF-8 text.", None))
        return result
    text, had_block_comments = strip_comments(text)
    if had_block_comments:
        result.problems.append(("JSON_BLOCK_COMMENTS", f"{file_name} contains block comments.", None))
    duplicates: list[str] = []

    def no_duplicates(pairs):
        seen = {}
        for key, value in pairs:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    try:
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
