"""Keeps the read model in step with the catalogue: call reindex() after changing an add-on."""

import orjson
from sqlalchemy import bindparam, delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from addonhub.catalog.constants import PROMOTED_GROUPS, PUBLIC_FILE_STATUSES, RECOMMENDED, REVIEWED_STATUSES, Channel
from addonhub.catalog.html import text_of
from addonhub.catalog.models import (
    Addon, AddonDocument, AddonDocumentApp, AddonDocumentBody, Version,
)
from addonhub.catalog.serializers import addon_object, promoted_groups
from addonhub.db import committed_value, execute_driver_sql, insert_rows
from addonhub.search import IndexEntry, search_index_for


def is_public_listed(version: Version) -> bool:
    return (
        version.channel == Channel.LISTED and not version.is_deleted
        and any(file.status in PUBLIC_FILE_STATUSES for file in version.files)
    )


def newest_public_listed(addon: Addon) -> Version | None:
    """What the add-on's current version is to be: its newest public listed one."""
    candidates = [version for version in addon.versions if is_public_listed(version)]
    return max(candidates, key=lambda v: (v.created, v.id)) if candidates else None


def refresh_current_version(addon: Addon) -> None:
    addon.current_version = newest_public_listed(addon)


def store_current_versions(session: Session, addons: list[Addon]) -> list[tuple[Addon, Version | None]]:
    """refresh_current_version() of flushed add-ons in one statement for all of them, in the
    database only: returns the add-ons it changed, with their new current versions, for the
    caller to give the objects. The ORM would write each as a post-update of its own (the add-on
    and its versions refer to each other), which SQLite cannot batch (its row version comes back
    through RETURNING)."""
    changed = []
    for addon in addons:
        current = newest_public_listed(addon)
        if addon.current_version_id != (current.id if current else None):
            changed.append((addon, current))
    if changed:
        session.execute(
            update(Addon.__table__).where(Addon.__table__.c.id == bindparam("addon_id"))
            .values(current_version_id=bindparam("version_id"), row_version=Addon.__table__.c.row_version + 1),
            [{"addon_id": addon.id, "version_id": current.id if current else None} for addon, current in changed],
        )
    return changed


def _store_current_versions(session: Session, addons: list[Addon]) -> None:
    for addon, current in store_current_versions(session, addons):
        set_committed_value(addon, "current_version", current)
        set_committed_value(addon, "current_version_id", current.id if current else None)
        set_committed_value(addon, "row_version", addon.row_version + 1)
        session.expire(addon, ["modified"])


def is_listed(addon: Addon) -> bool:
    """Whether the add-on may appear in public listings (search, featured, language tools...)."""
    # Deleted add-ons keep a document (admins may still look at them) but are never listed.
    return (
        addon.status in REVIEWED_STATUSES and not addon.is_disabled
        and addon.current_version is not None
    )


CURRENT_REVISION = "SELECT value FROM catalogue_revision WHERE id = 1"
_NEXT_REVISION = "UPDATE catalogue_revision SET value = value + 1 WHERE id = 1"


def catalogue_revision(engine: Engine) -> int:
    """The catalogue's revision as committed now: what a page cache compares its entries with, on
    every request."""
    return committed_value(engine, CURRENT_REVISION)


def mark_changed(session: Session) -> None:
    """Raises the catalogue's revision in the caller's transaction, so that the change and the
    new revision become visible together: a cache that reads the new revision also reads the
    change. Every change a page can show calls it (reindex() does). Run as the driver runs a
    bulk insert: during an import, it waits for no queued write (db.writes_in_background)."""
    execute_driver_sql(session.connection(), _NEXT_REVISION, ())


def search_boost(addon: Addon) -> float:
    """The factor relevance multiplies an add-on's score by for its promotions: AMO's
    `search_ranking_bump`. AMO gives one weight per distinct bump (groups sharing a bump are one
    function_score filter, so being in two of them counts once) and multiplies the weights that
    match; an add-on not currently promoted, or only in groups without a bump, keeps 1.0."""
    bumps = {PROMOTED_GROUPS[group["category"]].search_ranking_bump for group in promoted_groups(addon)}
    boost = 1.0
    for bump in bumps - {0.0}:
        boost *= bump
    return boost


def reindex(session: Session, addon: Addon) -> None:
    reindex_all(session, [addon])


def reindex_all(session: Session, addons: list[Addon], new: bool = False) -> None:
    """reindex() of many add-ons with a few statements for all of them, as an import needs.
    `new`: none of them is in the read model yet and their current versions are stored (an
    import's new add-ons), so nothing of theirs is deleted first (the deletes that find nothing
    were a twentieth of an import's time) nor is their current version worked out again."""
    session.flush()
    if not new:
        _store_current_versions(session, addons)
    # Every statement that is not a bulk insert first, so that the inserts (queued under
    # db.writes_in_background, during an import) run while the documents are built.
    mark_changed(session)
    connection = session.connection()
    ids = [addon.id for addon in addons]
    # Replaced as rows, not merged as objects: a statement a table for the whole batch.
    if not new:
        for model in (AddonDocument, AddonDocumentBody, AddonDocumentApp):
            session.execute(delete(model).where(model.addon_id.in_(ids)))
    listed = {addon.id: is_listed(addon) for addon in addons}
    index = search_index_for(connection)
    if not new:
        index.remove_addons(connection, [addon.id for addon in addons if not listed[addon.id]])
    index.index_addons(connection, [IndexEntry(
        addon.id, _names(addon), [value for value in addon.summary.values() if value],
        # Descriptions are HTML; their markup is no text to search.
        [text_of(value) for value in addon.description.values() if value],
        addon.average_daily_users, boost=search_boost(addon),
    ) for addon in addons if listed[addon.id]], new)
    documents, bodies, apps = [], [], []
    for addon in addons:
        names = _names(addon)
        documents.append({
            "addon_id": addon.id,
            "is_listed": listed[addon.id],
            "type": addon.type,
            "average_daily_users": addon.average_daily_users,
            "weekly_downloads": addon.weekly_downloads,
            "bayesian_rating": addon.ratings_bayesian_average,
            "hotness": addon.hotness,
            "created": addon.created,
            "last_updated": addon.last_updated or addon.created,
            "name_sort": (addon.name.get(addon.default_locale) or (names[0] if names else "")).lower()[:255],
            "is_recommended": any(group["category"] == RECOMMENDED for group in promoted_groups(addon)),
        })
        bodies.append({"addon_id": addon.id, "body": orjson.dumps(addon_object(addon)).decode()})
        compatibility = addon.current_version.compatibility if addon.current_version else []
        apps += [{"addon_id": addon.id, "application": c.application, "min_int": c.min_int, "max_int": c.max_int}
                 for c in compatibility]
    for model, rows in ((AddonDocument, documents), (AddonDocumentBody, bodies), (AddonDocumentApp, apps)):
        insert_rows(connection, model.__table__, rows)


def _names(addon: Addon) -> list[str]:
    return [name for name in addon.name.values() if name]
