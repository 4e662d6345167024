"""Abuse reports in AMO's JSON shape, stored form (links as paths, rendered per request)."""

from addonhub.abuse.models import AbuseReport
from addonhub.abuse.service import CLIENT_FIELDS


def report_object(report: AbuseReport) -> dict:
    reporter = report.reporter
    addon = report.addon
    return {
        "reporter": None if reporter is None else {
            "id": reporter.id, "name": reporter.display_name or reporter.username, "username": reporter.username,
            "url": f"/user/{reporter.id}/"},
        "addon": {"guid": report.guid, "id": addon.id if addon else None, "slug": addon.slug if addon else None},
        "message": report.message,
        "reason": report.reason,
        **{name: report.client.get(name) for name in CLIENT_FIELDS},
    }
