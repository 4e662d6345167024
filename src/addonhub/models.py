"""Every table of the store, imported in one place so that metadata and migrations see them all."""

from addonhub.abuse.models import AbuseReport  # noqa: F401
from addonhub.accounts.models import AccessToken, Invitation, User  # noqa: F401
from addonhub.activity.models import ActivityEntry  # noqa: F401
from addonhub.catalog.models import (  # noqa: F401
    Addon, AddonCategory, AddonDocument, AddonDocumentApp, AddonDocumentBody, AddonTag, AddonUser, CompatOverride, FeaturedPlacement,
    File, License, Preview, ReplacementAddon, Version, VersionCompatibility,
)
from addonhub.db import Base  # noqa: F401
from addonhub.distribution.chromium import ChromiumKey, ChromiumPackage  # noqa: F401
from addonhub.distribution.links import LinkKeyGeneration  # noqa: F401
from addonhub.distribution.usage import UpdateCheckCount  # noqa: F401
from addonhub.edge.models import EdgeDraft, EdgeOperation  # noqa: F401
from addonhub.jobs import Job  # noqa: F401
from addonhub.ratings.models import Rating, RatingAggregate, RatingFlag  # noqa: F401
from addonhub.store_secrets import StoreSecret  # noqa: F401
from addonhub.submissions.models import Upload  # noqa: F401

# The full-text index (addonhub.search) lives in tables that the migrations make in raw SQL and no
# model maps: on SQLite the FTS5 tables, the shadow tables SQLite keeps for them and their
# vocabulary, on PostgreSQL the tsvector table, and on both the side tables beside it. Comparing
# models with the database must leave them out, or it would drop them.
SEARCH_INDEX_TABLES = frozenset({
    "addon_search",
    *(f"addon_search_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")),
    "addon_search_vocab", "addon_search_names", "addon_search_ranks", "addon_search_generation",
    "addon_search_parts", *(f"addon_search_parts_{shadow}" for shadow in ("data", "idx", "docsize", "config")),
})


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's include_name hook: every table but the search index's."""
    return type_ != "table" or name not in SEARCH_INDEX_TABLES
