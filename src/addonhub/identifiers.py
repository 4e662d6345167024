"""Identifiers in requests. Only ASCII digits make a number: str.isdigit() also accepts "²", which
int() refuses, and "١٠٠١", which int() reads as 1001, so a path of Arabic-Indic digits would name
another row than the one it spells. And no stored name holds a NUL."""

# Database ids are 64-bit: 18 digits always fit, a longer string cannot name a row.
_MAX_DIGITS = 18


def row_id(text: str) -> int | None:
    """The id a request's text names: an ASCII decimal id of a 64-bit database row, or None."""
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_DIGITS:
        return None
    return int(text)


def can_name_a_record(text: str) -> bool:
    """Whether a request's slug or guid could be one the store keeps: none holds a NUL (their
    rules refuse it), and PostgreSQL refuses a NUL in any text it is sent, so a lookup must not
    send one."""
    return "\x00" not in text
