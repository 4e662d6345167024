"""Filing abuse reports (the AMO API and the web form both come here) and listing them for
reviewers."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.abuse.models import AbuseReport
from addonhub.accounts.models import User
from addonhub.catalog.models import Addon
from addonhub.catalog.service import Access, addon_access, find_addon
from addonhub.packages.validation import ADDON_ID
from addonhub.refusals import INVALID, NOT_FOUND, Refused

# AMO's reasons, with the words its form shows.
REASONS = {
    "damage": "Damages computer and/or data",
    "spam": "Creates spam or advertising",
    "settings": "Changes search / homepage / new tab page without informing user",
    "broken": "Doesn't work, breaks websites, or slows the browser down",
    "policy": "Hateful, violent, or illegal content",
    "deceptive": "Doesn't match description",
    "unwanted": "Wasn't wanted / impossible to get rid of",
    "other": "Something else",
}
# The optional client fields AMO takes, each a string of at most 255 characters.
CLIENT_FIELDS = (
    "report_entry_point", "addon_install_method", "addon_install_origin", "addon_install_source",
    "addon_install_source_url", "addon_name", "addon_signature", "addon_summary", "addon_version", "app",
    "appversion", "lang", "client_id", "install_date", "operating_system", "operating_system_version",
)
# Values outside these become "other" rather than an error, as on AMO (clients send new ones first).
LENIENT_FIELDS = {
    "addon_install_method": frozenset({
        "amwebapi", "link", "installtrigger", "install_from_file", "management_webext_api", "drag_and_drop",
        "sideload", "file_url", "url", "other", "enterprise_policy", "distribution", "system_addon",
        "temporary_addon", "sync"}),
    "addon_install_source": frozenset({
        "about_addons", "about_debugging", "about_preferences", "amo", "app_profile", "disco", "distribution",
        "extension", "enterprise_policy", "file_url", "gmp_plugin", "internal", "plugin", "rtamo", "sync",
        "system_addon", "temporary_addon", "unknown", "other"}),
}
MAX_FIELD = 255
MAX_MESSAGE = 10_000


def reporter_key(reporter: User | None, ip: str | None) -> str | int:
    """Whom the abuse throttle counts a report against: the account, else the address (anyone may
    report, and a visitor without an account is counted apart from any account)."""
    return reporter.id if reporter else f"anonymous:{ip}"


def reported_addon(session: Session, identifier: str, reporter: User | None) -> tuple[Addon | None, str]:
    """The add-on named by id, slug or guid, and its guid; a guid the store does not know (or
    does not show the reporter) is accepted with no add-on, anything else unknown is a 404."""
    addon = find_addon(session, identifier)
    if addon_access(addon, reporter) == Access.ALLOWED:
        return addon, addon.guid
    if ADDON_ID.match(identifier) and len(identifier) <= MAX_FIELD:
        return None, identifier
    raise Refused(NOT_FOUND, "No Addon matches the given query.")


def file_report(session: Session, identifier: str, message: str, reason: str | None, client: dict[str, str],
                reporter: User | None, ip: str | None) -> AbuseReport:
    if not message.strip():
        raise Refused(INVALID, "This field may not be blank.", field="message")
    if len(message) > MAX_MESSAGE:
        raise Refused(INVALID, f"Ensure this field has no more than {MAX_MESSAGE} characters.", field="message")
    if reason is not None and reason not in REASONS:
        raise Refused(INVALID, f'"{reason}" is not a valid choice.', field="reason")
    for name, value in client.items():
        if name not in CLIENT_FIELDS:
            raise ValueError(f"not a client field: {name}")
        if len(value) > MAX_FIELD:
            raise Refused(INVALID, f"Ensure this field has no more than {MAX_FIELD} characters.", field=name)
    client = {name: ("other" if name in LENIENT_FIELDS and value not in LENIENT_FIELDS[name] else value)
              for name, value in client.items()}
    addon, guid = reported_addon(session, identifier, reporter)
    report = AbuseReport(addon_id=addon.id if addon else None, guid=guid, reporter_id=reporter.id if reporter else None,
                         ip=ip, message=message, reason=reason, client=client)
    session.add(report)
    session.flush()
    session.refresh(report)
    return report


def reports(session: Session, addon: Addon | None = None, limit: int = 50) -> list[AbuseReport]:
    """Newest first; beside an add-on in the reviewer console, or all of them."""
    query = select(AbuseReport)
    if addon is not None:
        query = query.where((AbuseReport.addon_id == addon.id) | (AbuseReport.guid == addon.guid))
    return list(session.scalars(query.order_by(AbuseReport.created.desc(), AbuseReport.id.desc()).limit(limit)))
