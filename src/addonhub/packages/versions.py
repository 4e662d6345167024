"""Add-on version strings: what AMO and addons-linter accept (reference, section 5)."""

import re

MAX_LENGTH = 100
_STRICT_PART = re.compile(r"^(0|[1-9][0-9]{0,8})$")
_TOOLKIT = (re.compile(r"^(\d+\.?){1,3}\.(\d+([A-Za-z]+(-?\d+)?))$"), re.compile(r"^\d+(?:\.\d+){0,2}buildid\d{8}\.\d{6}$"))


def is_strict(version: str) -> bool:
    """1 to 4 dot-separated numbers without leading zeros, at most 9 digits each (MV3's rule)."""
    parts = version.split(".")
    return len(version) <= MAX_LENGTH and 1 <= len(parts) <= 4 and all(_STRICT_PART.match(p) for p in parts)


def is_toolkit(version: str) -> bool:
    """The older toolkit style (1.0b2, 4.1pre1): still accepted for MV2, with a warning."""
    return len(version) <= MAX_LENGTH and any(pattern.match(version) for pattern in _TOOLKIT)
