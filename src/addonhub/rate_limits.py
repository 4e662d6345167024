"""Rate limits on submissions and log-ins, per account and per client address, in named scopes.

A scope is one budget: the dialects say which scope a request counts against (AMO's uploads,
AMO's add-on and version writes, Edge's submissions...), so that one kind of request never uses up
another's, as AMO and Edge each count their own. Reads are never counted. Counting is done by the
`limits` library: in this process by default, or in a shared store (Redis, Memcached...) when
several processes serve one store.
"""

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
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


class SubmissionThrottle:
    def __init__(self, storage: str, scopes: dict[str, ScopeLimits]):
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage))
        self.scopes = scopes

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
        for limit, *identifiers in self._checks(scope, account, ip):
            if not self.limiter.test(limit, scope, *identifiers):
                reset = self.limiter.get_window_stats(limit, scope, *identifiers).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits) if waits else None

    def count(self, scope: str, account: int | str, ip: str | None) -> None:
        for limit, *identifiers in self._checks(scope, account, ip):
            self.limiter.hit(limit, scope, *identifiers)

    def _checks(self, scope: str, account: int | str, ip: str | None) -> list[tuple]:
        limits = self.scopes[scope]
        checks = [(limit, "user", str(account)) for limit in limits.per_user]
        return checks + [(limit, "ip", ip) for limit in limits.per_ip if ip]
