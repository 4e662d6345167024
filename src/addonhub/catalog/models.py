"""Catalogue tables. Translated fields are JSON objects keyed by locale."""

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text,
    UniqueConstraint, func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addonhub.accounts.models import User
from addonhub.catalog.constants import AddonStatus, Channel, FileStatus
from addonhub.db import Base

Translations = dict[str, str]


def _new_product_id() -> str:
    return str(uuid.uuid4())


class Addon(Base):
    __tablename__ = "addons"

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(255), unique=True)
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    # The product id the Edge publish API knows this add-on by.
    edge_product_id: Mapped[str] = mapped_column(String(36), unique=True, default=_new_product_id)
    # Its id in the Chromium family (32 letters a-p), which its signing key gives; null until it has
    # one (distribution.chromium keeps the key and sets this).
    chromium_id: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    type: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default=AddonStatus.INCOMPLETE)
    # Disabled by its developer; a store-side disable is status "disabled".
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    default_locale: Mapped[str] = mapped_column(String(10), default="en-US")

    name: Mapped[Translations] = mapped_column(JSON, default=dict)
    summary: Mapped[Translations] = mapped_column(JSON, default=dict)
    description: Mapped[Translations] = mapped_column(JSON, default=dict)
    developer_comments: Mapped[Translations] = mapped_column(JSON, default=dict)
    homepage: Mapped[Translations] = mapped_column(JSON, default=dict)
    support_url: Mapped[Translations] = mapped_column(JSON, default=dict)
    support_email: Mapped[Translations] = mapped_column(JSON, default=dict)
    eula: Mapped[Translations] = mapped_column(JSON, default=dict)
    privacy_policy: Mapped[Translations] = mapped_column(JSON, default=dict)
    contributions_url: Mapped[str | None] = mapped_column(String(1024))
    icon_url: Mapped[str | None] = mapped_column(String(1024))

    requires_payment: Mapped[bool] = mapped_column(Boolean, default=False)
    is_experimental: Mapped[bool] = mapped_column(Boolean, default=False)
    is_source_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # Dictionaries and language packs: the locale they serve, and how to tell same-locale ones apart.
    target_locale: Mapped[str | None] = mapped_column(String(20))
    locale_disambiguation: Mapped[str | None] = mapped_column(String(255))

    average_daily_users: Mapped[int] = mapped_column(BigInteger, default=0)
    weekly_downloads: Mapped[int] = mapped_column(BigInteger, default=0)
    hotness: Mapped[float] = mapped_column(Float, default=0.0)
    ratings_count: Mapped[int] = mapped_column(Integer, default=0)
    ratings_text_count: Mapped[int] = mapped_column(Integer, default=0)
    ratings_average: Mapped[float] = mapped_column(Float, default=0.0)
    ratings_bayesian_average: Mapped[float] = mapped_column(Float, default=0.0)

    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    last_updated: Mapped[datetime | None] = mapped_column(DateTime)
    modified: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    # The newest public listed version; null while there is none.
    current_version_id: Mapped[int | None] = mapped_column(
        # Deferrable: an import inserts an add-on before the version it names (importer.py).
        ForeignKey("versions.id", use_alter=True, ondelete="SET NULL", deferrable=True, initially="IMMEDIATE"),
        index=True,
    )

    current_version: Mapped["Version | None"] = relationship(foreign_keys=[current_version_id], post_update=True)
    versions: Mapped[list["Version"]] = relationship(
        back_populates="addon", foreign_keys="Version.addon_id", cascade="all, delete-orphan",
        order_by="Version.id",
    )
    authors: Mapped[list["AddonUser"]] = relationship(
        back_populates="addon", cascade="all, delete-orphan", order_by="AddonUser.position"
    )
    categories: Mapped[list["AddonCategory"]] = relationship(cascade="all, delete-orphan")
    tags: Mapped[list["AddonTag"]] = relationship(cascade="all, delete-orphan", order_by="AddonTag.tag")
    featured_placements: Mapped[list["FeaturedPlacement"]] = relationship(cascade="all, delete-orphan")
    previews: Mapped[list["Preview"]] = relationship(cascade="all, delete-orphan", order_by="Preview.position")
    promotions: Mapped[list["PromotedAddon"]] = relationship(cascade="all, delete-orphan")

    # Counts the row's changes: an update made from a stale read (two developers editing at once)
    # matches no row and fails, rather than silently undoing the other's edit.
    row_version: Mapped[int] = mapped_column(Integer, server_default="1")

    __table_args__ = (Index("ix_addons_guid_lower", func.lower(guid)),)
    __mapper_args__ = {"version_id_col": row_version}

    @property
    def is_deleted(self) -> bool:
        return self.status == AddonStatus.DELETED

    @property
    def is_disabled_by_mozilla(self) -> bool:
        return self.status == AddonStatus.DISABLED

    @property
    def default_name(self) -> str:
        """Its name in its default locale, else in any, else its slug: how the store's tools name it."""
        return self.name.get(self.default_locale) or next(iter(self.name.values()), None) or self.slug


class AddonUser(Base):
    """An author of an add-on; listed authors are shown publicly, all of them may manage it (owners
    its authors too: catalog.authors)."""

    __tablename__ = "addon_users"

    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    # "owner" or "developer" (catalog.authors.ROLES): only owners manage authors and delete the add-on.
    role: Mapped[str] = mapped_column(String(16), default="owner", server_default="owner")

    addon: Mapped[Addon] = relationship(back_populates="authors")
    user: Mapped[User] = relationship()


class AddonCategory(Base):
    __tablename__ = "addon_categories"

    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True)
    application: Mapped[str] = mapped_column(String(16), primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (Index("ix_addon_categories_lookup", "application", "slug"),)


class AddonTag(Base):
    __tablename__ = "addon_tags"

    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)


class FeaturedPlacement(Base):
    """An add-on featured for one application, in one language or (locale null) in all."""

    __tablename__ = "featured_placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), index=True)
    application: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str | None] = mapped_column(String(10))

    __table_args__ = (UniqueConstraint("addon_id", "application", "locale"),)


class PromotedAddon(Base):
    """An add-on in one of AMO's promoted groups (constants.PROMOTED_GROUPS), approved for one
    application: a row per group and application, as AMO approves each on its own."""

    __tablename__ = "promoted_addons"

    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True)
    group: Mapped[str] = mapped_column(String(16), primary_key=True)
    application: Mapped[str] = mapped_column(String(16), primary_key=True)

    # The promoted filter looks add-ons up by group.
    __table_args__ = (Index("ix_promoted_addons_group", "group", "application"),)


class Preview(Base):
    __tablename__ = "previews"

    id: Mapped[int] = mapped_column(primary_key=True)
    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    caption: Mapped[Translations] = mapped_column(JSON, default=dict)
    image_url: Mapped[str] = mapped_column(String(1024))
    thumbnail_url: Mapped[str] = mapped_column(String(1024))
    image_size: Mapped[list[int]] = mapped_column(JSON, default=list)
    thumbnail_size: Mapped[list[int]] = mapped_column(JSON, default=list)


class License(Base):
    __tablename__ = "licenses"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[Translations] = mapped_column(JSON, default=dict)
    text: Mapped[Translations] = mapped_column(JSON, default=dict)
    url: Mapped[str | None] = mapped_column(String(1024))


class Version(Base):
    __tablename__ = "versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(10), default=Channel.LISTED)
    # A deleted version stays so that its version string can never be reused.
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    license_id: Mapped[int | None] = mapped_column(ForeignKey("licenses.id"))
    release_notes: Mapped[Translations] = mapped_column(JSON, default=dict)
    is_strict_compatibility_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    reviewed: Mapped[datetime | None] = mapped_column(DateTime)
    reviewer_notes: Mapped[str | None] = mapped_column(Text)
    # What the developer told reviewers, and where the source code they sent is kept.
    approval_notes: Mapped[str | None] = mapped_column(Text)
    source_key: Mapped[str | None] = mapped_column(String(512))

    addon: Mapped[Addon] = relationship(back_populates="versions", foreign_keys=[addon_id])
    license: Mapped[License | None] = relationship()
    compatibility: Mapped[list["VersionCompatibility"]] = relationship(cascade="all, delete-orphan")
    files: Mapped[list["File"]] = relationship(back_populates="version", cascade="all, delete-orphan", order_by="File.id")

    __table_args__ = (UniqueConstraint("addon_id", "version"),)


class VersionCompatibility(Base):
    """The application versions a version supports; the *_int columns make range filters indexable."""

    __tablename__ = "version_compatibility"

    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True)
    application: Mapped[str] = mapped_column(String(16), primary_key=True)
    min: Mapped[str] = mapped_column(String(32))
    max: Mapped[str] = mapped_column(String(32))
    min_int: Mapped[int] = mapped_column(BigInteger)
    max_int: Mapped[int] = mapped_column(BigInteger)


class File(Base):
    __tablename__ = "files"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    # Where the bytes live in blob storage; null for files imported as metadata only.
    storage_key: Mapped[str | None] = mapped_column(String(512))
    hash: Mapped[str | None] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(16), default=FileStatus.UNREVIEWED)
    platform: Mapped[str] = mapped_column(String(16), default="all")
    is_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_webextension: Mapped[bool] = mapped_column(Boolean, default=True)
    is_restart_required: Mapped[bool] = mapped_column(Boolean, default=False)
    is_mozilla_signed_extension: Mapped[bool] = mapped_column(Boolean, default=False)
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    optional_permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    host_permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    version: Mapped[Version] = relationship(back_populates="files")


class ReplacementAddon(Base):
    """A suggested replacement for a legacy add-on: a guid, or a path on the store (collections)."""

    __tablename__ = "replacement_addons"

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(255), unique=True)
    replacement_guids: Mapped[list[str]] = mapped_column(JSON, default=list)


class CompatOverride(Base):
    __tablename__ = "compat_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    addon_guid: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    # [{addon_min_version, addon_max_version, applications: [{name, id, guid, min_version, max_version}]}]
    version_ranges: Mapped[list[dict]] = mapped_column(JSON, default=list)


class AddonDocument(Base):
    """The read model: per add-on, the columns listings filter and sort on, and (in
    AddonDocumentBody) its serialized detail object with all translations and store-relative
    links. Rebuilt whenever the add-on changes, so that the API answers detail and search
    requests without the normalized tables. The body has its own table to keep these rows
    narrow: scans and counts over them read a few pages per thousand add-ons, not one each."""

    __tablename__ = "addon_documents"

    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True)
    # Public, listed, not disabled, with a current version: what search and listings may show.
    is_listed: Mapped[bool] = mapped_column(Boolean, index=True)
    type: Mapped[str] = mapped_column(String(16))
    average_daily_users: Mapped[int] = mapped_column(BigInteger)
    weekly_downloads: Mapped[int] = mapped_column(BigInteger)
    bayesian_rating: Mapped[float] = mapped_column(Float)
    hotness: Mapped[float] = mapped_column(Float)
    created: Mapped[datetime] = mapped_column(DateTime)
    last_updated: Mapped[datetime] = mapped_column(DateTime)
    name_sort: Mapped[str] = mapped_column(String(255))
    # In the recommended group: what the "recommended" sort puts first.
    is_recommended: Mapped[bool] = mapped_column(Boolean, server_default="0")

    __table_args__ = (
        Index("ix_documents_users", "is_listed", "average_daily_users"),
        Index("ix_documents_downloads", "is_listed", "weekly_downloads"),
        Index("ix_documents_created", "is_listed", "created"),
        Index("ix_documents_updated", "is_listed", "last_updated"),
        Index("ix_documents_rating", "is_listed", "bayesian_rating"),
        Index("ix_documents_name", "is_listed", "name_sort"),
        Index("ix_documents_recommended_users", "is_listed", "is_recommended", "average_daily_users"),
    )


class AddonDocumentApp(Base):
    """The applications (and version ranges) the add-on's current version supports: the read
    model's copy, so that filtering listings by application never reads the wide add-on rows."""

    __tablename__ = "addon_document_apps"

    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True)
    application: Mapped[str] = mapped_column(String(16), primary_key=True)
    min_int: Mapped[int] = mapped_column(BigInteger)
    max_int: Mapped[int] = mapped_column(BigInteger)


class AddonDocumentBody(Base):
    __tablename__ = "addon_document_bodies"

    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class CatalogueRevision(Base):
    """One row: a counter raised in the transaction of every change a page can show (each
    reindex(), a developer's reply), so that a cache of pages knows, with one read, whether what
    it holds is still what the catalogue says."""
    __tablename__ = "catalogue_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
