"""What this process measures, for `GET /metrics` (Prometheus' text format).

Counts that live in the database (jobs, uploads, the review queue) are read from it when scraped
(api/metrics.py), so they are the same whichever process answers. What only a process sees is
kept here: its requests and the signatures its workers made. A worker running as a separate
`addonhub worker` process keeps its own, which that process does not serve.
"""

from prometheus_client import Counter, Histogram

REQUESTS = Counter("addonhub_requests", "Requests answered, by route template and status.",
                   ["method", "route", "status"])
REQUEST_SECONDS = Histogram("addonhub_request_duration_seconds", "Time to answer a request, by route template.",
                            ["method", "route"])
SIGNING_SECONDS = Histogram("addonhub_signing_duration_seconds", "Time to sign one package.",
                            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
