"""The one way the domain says no.

Every rule of the domain that a request can break raises `Refused`: a reason (which each dialect
turns into its status code), AMO's text for it (every dialect descends from AMO's vocabulary,
and the Edge API reports it inside its own error shape), and the field at fault when there is
one (the v5 API keys its errors by field). No dialect decides a rule; each only words refusals.
"""

INVALID, FORBIDDEN, NOT_FOUND, CONFLICT = "invalid", "forbidden", "not-found", "conflict"


class Refused(Exception):
    def __init__(self, reason: str, message: str, field: str | None = None):
        super().__init__(message)
        self.reason, self.message, self.field = reason, message, field
