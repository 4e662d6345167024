"""`GET /metrics`: the process's own measures (addonhub.metrics) and the store's state as its
database tells it, in Prometheus' text format."""

import logging
import time
from datetime import datetime

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select
from starlette.responses import Response

from addonhub.api.openapi import METRICS_TEXT
from addonhub.jobs import Job, oldest_waiting_job
from addonhub.metrics import REQUEST_SECONDS, REQUESTS
from addonhub.submissions.models import Upload
from addonhub.submissions.review import review_queue_length

log = logging.getLogger("addonhub.requests")
router = APIRouter()


class StoreCollector:
    """Read at every scrape, so that every process serving the store reports the same numbers."""

    def __init__(self, store):
        self.store = store

    def collect(self):
        with self.store.db.session() as session:
            by_kind = session.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)).all()
            waiting_since = oldest_waiting_job(session)
            upload_bytes = session.scalar(select(func.coalesce(func.sum(Upload.size), 0)))
            uploads = session.scalar(select(func.count()).select_from(Upload))
            in_review = review_queue_length(session)
        jobs = GaugeMetricFamily("addonhub_jobs", "Jobs on the queue, by kind and status.", labels=["kind", "status"])
        for kind, status, count in by_kind:
            jobs.add_metric([kind, status], count)
        yield jobs
        age = (datetime.utcnow() - waiting_since).total_seconds() if waiting_since else 0.0
        yield GaugeMetricFamily("addonhub_jobs_oldest_waiting_seconds",
                                "How long the longest-waiting runnable job has waited.", value=max(0.0, age))
        yield CounterMetricFamily("addonhub_upload_bytes", "Bytes of packages uploaded.", value=upload_bytes)
        yield CounterMetricFamily("addonhub_uploads", "Packages uploaded.", value=uploads)
        yield GaugeMetricFamily("addonhub_review_queue_length", "Versions awaiting a reviewer.", value=in_review)


def store_registry(store) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)
    registry.register(StoreCollector(store))
    return registry


@router.get("/metrics", response_class=Response, responses=METRICS_TEXT)
def metrics(request: Request):
    body = generate_latest(REGISTRY) + generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def route_template(scope) -> str:
    """The template of the route that answered, with the prefix its router was included under
    (the routers' prefixes are constant: /api/v4, /v1...); "unmatched" when none did."""
    route, path = scope.get("route"), scope["path"]
    if route is None:
        return "unmatched"
    for start, char in enumerate(path):
        if char == "/" and route.path_regex.match(path[start:]):
            return path[:start] + route.path
    return route.path


class RequestMetrics:
    """Counts, times and logs every request by its route template
    (`/api/v4/addons/addon/{identifier}`), never by its path, which would make a series of every
    add-on. Installed inside the routing middlewares, so it sees the scope the router fills in."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def sending(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            record_request(scope, route_template(scope), status, time.perf_counter() - started)


def record_request(scope, route: str, status: int, seconds: float) -> None:
    """A request's count, time and log line, by its route template."""
    REQUESTS.labels(scope["method"], route, str(status)).inc()
    REQUEST_SECONDS.labels(scope["method"], route).observe(seconds)
    log.info("%s %s %s %.1f ms", scope["method"], scope["path"], status, seconds * 1000,
             extra={"method": scope["method"], "route": route, "status": status, "duration_ms": round(seconds * 1000, 1)})
