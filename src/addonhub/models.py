"""Every table of the store, imported in one place so that metadata and migrations see them all."""

from addonhub.accounts.models import AccessToken, User  # noqa: F401
from addonhub.catalog.models import (  # noqa: F401
    Addon, AddonCategory, AddonDocument, AddonDocumentApp, AddonDocumentBody, AddonTag, AddonUser, CompatOverride, FeaturedPlacement,
    File, License, Preview, ReplacementAddon, Version, VersionCompatibility,
)
from addonhub.db import Base  # noqa: F401
from addonhub.edge.models import EdgeDraft, EdgeOperation  # noqa: F401
from addonhub.jobs import Job  # noqa: F401
from addonhub.submissions.models import Upload  # noqa: F401
