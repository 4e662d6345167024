"""Rate limits on submissions and log-ins, per account and per client address, in named scopes.

A scope is one budget: the dialects say which scope a request counts against (AMO's uploads,
AMO's add-on and version writes, Edge's submissions...), so that one kind of request never uses up
another's, as AMO and Edge each count their own. Reads are never counted. Counting is done by the
`limits` library: in this process by default ("memory://"), or in a Redis ("redis://host:6379/0")
that every process serving one store shares, so that a budget holds across all of them.
"""

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError, StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


@dataclass(frozen=True)
class ScopeLimits:
    per_user: list[RateLimitItem]
    per_ip: list[RateLimitItem]

    @classmethod
    def parse(cls, per_user: str, per_ip: str) -> "ScopeLimits":
        """From the `limits` notation: "30/minute;300/hour"."""
        return cls(parse_many(per_user), parse_many(per_ip))


class ThrottleUnavailable(RuntimeError):
    """The shared counters cannot be reached (Redis is down): nothing limited is let through
    uncounted, since log-in limits are what stand between a password and guessing."""


class SubmissionThrottle:
    def __init__(self, storage: str, scopes: dict[str, ScopeLimits]):
        try:
            # Wrapped, a storage's own errors (redis.ConnectionError...) arrive as StorageError.
            self.storage = storage_from_string(storage, wrap_exceptions=True)
        except ConfigurationError as error:
            raise ValueError(f"rate_limit_storage {storage!r}: {error}") from None
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.scopes = scopes

    def check_storage(self) -> None:
        """Raises ThrottleUnavailable unless the counters' storage answers (the heartbeat's check)."""
        if not self.storage.check():
            raise ThrottleUnavailable("the rate-limit storage does not answer")

    def wait_for(self, scope: str, user_id: int, ip: str | None) -> int | None:
        """Counts one request in `scope`; returns instead the seconds until it would pass when a
        limit is reached: the longest wait of the limits reached, since it must pass them all.
        A refused attempt is not counted, so waiting that long is always enough."""
        wait = self.wait_before(scope, user_id, ip)
        if wait is None:
            self.count(scope, user_id, ip)
        return wait

    def wait_before(self, scope: str, account: int | str, ip: str | None) -> int | None:
        """The seconds until one more attempt in `scope` would pass, or None if it passes now;
        counts nothing, for limits on failures only (log-in counts wrong passwords)."""
        waits = []
        try:
            for limit, *identifiers in self._checks(scope, account, ip):
                if not self.limiter.test(limit, scope, *identifiers):
                    reset = self.limiter.get_window_stats(limit, scope, *identifiers).reset_time
                    waits.append(max(1, math.ceil(reset - time.time())))
        except StorageError as error:
            raise ThrottleUnavailable(f"the rate-limit storage failed: {error.storage_error}") from error
        return max(waits) if waits else None

    def count(self, scope: str, account: int | str, ip: str | None) -> None:
        try:
            for limit, *identifiers in self._checks(scope, account, ip):
                self.limiter.hit(limit, scope, *identifiers)
        except StorageError as error:
            raise ThrottleUnavailable(f"the rate-limit storage failed: {error.storage_error}") from error

    def _checks(self, scope: str, account: int | str, ip: str | None) -> list[tuple]:
        limits = self.scopes[scope]
        checks = [(limit, "user", str(account)) for limit in limits.per_user]
        return checks + [(limit, "ip", ip) for limit in limits.per_ip if ip]
