"""Application version numbers ("46.0", "128.*", "3.6a1pre2") packed into sortable integers.

Follows AMO's version_int: major, three minors, alpha/beta marker and number, pre marker and
number, so that compatibility ranges can be stored as integers and compared in SQL.
"""

import functools
import re

_VERSION = re.compile(
    r"^(?P<major>\d{1,9}|\*)"
    r"(?:\.(?P<minor1>\d{1,9}|\*))?"
    r"(?:\.(?P<minor2>\d{1,9}|\*))?"
    r"(?:\.(?P<minor3>\d{1,9}|\*))?"
    r"(?P<alpha>[ab])?(?P<alpha_ver>\d{0,9})"
    r"(?P<pre>pre)?(?P<pre_ver>\d)?$"
)
_MAJOR_MAX = 65535
_PART_MAX = 99
_MAX_INT = 2**63 - 1


def is_valid(version: str) -> bool:
    return bool(_VERSION.match(version))


@functools.lru_cache(maxsize=4096)  # a catalogue names a few application versions thousands of times
def version_int(version: str) -> int:
    """Packs an application version; an unparseable string counts as the lowest version."""
    match = _VERSION.match(version or "")
    if not match:
        match = _VERSION.match("0")
    parts = match.groupdict()

    # "3.6.*" covers every 3.6.x.y, so the parts after a wildcard are maximal too.
    numbers, wildcard = [], False
    for key, limit in (("major", _MAJOR_MAX), ("minor1", _PART_MAX), ("minor2", _PART_MAX), ("minor3", _PART_MAX)):
        value = parts[key]
        wildcard = wildcard or value == "*"
        numbers.append(limit if wildcard else min(int(value), limit) if value else 0)

    def number(key: str, limit: int) -> int:
        value = parts[key]
        return min(int(value), limit) if value else 0

    packed = "%d%02d%02d%02d%d%02d%d%02d" % (
        *numbers,
        {"a": 0, "b": 1}.get(parts["alpha"] or "", 2),
        number("alpha_ver", _PART_MAX),
        0 if parts["pre"] else 1,
        number("pre_ver", _PART_MAX),
    )
    return min(int(packed), _MAX_INT)
