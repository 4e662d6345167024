"""Numbers in requests. Only ASCII digits make one: str.isdigit() also accepts "²", which int()
refuses, and "١٠٠١", which int() reads as 1001, so a path of Arabic-Indic digits would name
another row than the one it spells."""

# Database ids are 64-bit: 18 digits always fit, a longer string cannot name a row.
_MAX_DIGITS = 18


def row_id(text: str) -> int | None:
    """The id a request's text names: an ASCII decimal id of a 64-bit database row, or None."""
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_DIGITS:
        return None
    return int(text)
