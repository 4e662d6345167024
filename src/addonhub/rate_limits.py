"""Submission rate limits per account and per client address (AMO's defaults in Settings).

Only submissions count (uploads, new versions, changes); reads are never limited. Counting is
done by the `limits` library: in this process by default, or in a shared store (Redis,
Memcached...) when several processes serve one store.
"""

import math
import time

from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from addonhub.config import Settings


class SubmissionThrottle:
    def __init__(self, settings: Settings):
        self.limiter = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))
        self.per_user = parse_many(settings.submission_rate_per_user)
        self.per_ip = parse_many(settings.submission_rate_per_ip)

    def wait_for(self, user_id: int, ip: str | None) -> int | None:
        """Counts one submission; returns the seconds to wait instead when a limit is reached
        (the refused attempt is not counted)."""
        checks = [(limit, "user", str(user_id)) for limit in self.per_user]
        checks += [(limit, "ip", ip) for limit in self.per_ip if ip]
        waits = []
        for limit, *identifiers in checks:
            if not self.limiter.test(limit, "submissions", *identifiers):
                reset = self.limiter.get_window_stats(limit, "submissions", *identifiers).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        if waits:
            return max(waits)
        for limit, *identifiers in checks:
            self.limiter.hit(limit, "submissions", *identifiers)
        return None
