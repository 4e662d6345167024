"""An upload: one package a developer sent, and what validating it found."""

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from addonhub.catalog.constants import Channel
from addonhub.db import Base

# What follows an upload's successful validation (its `purpose`).
AUTO_VERSION = "auto-version"    # a version is made from it at once (AMO's signing API)
AWAIT_VERSION = "await-version"  # its uploader asks for a version in a second call (AMO's v5 API)
PRODUCT_DRAFT = "product-draft"  # it becomes its product's draft, a version once published (Edge)


def _new_uuid() -> str:
    return uuid.uuid4().hex


class Upload(Base):
    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(32), unique=True, default=_new_uuid)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(16))
    # Which browser family the package is validated for: firefox or chromium.
    target: Mapped[str] = mapped_column(String(16), default="firefox")
    channel: Mapped[str] = mapped_column(String(10), default=Channel.UNLISTED)
    # The add-on id it was sent for (URL or manifest); the add-on once one exists.
    guid: Mapped[str | None] = mapped_column(String(255))
    addon_id: Mapped[int | None] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), index=True)
    # The manifest's version string, read when the upload arrived.
    version: Mapped[str | None] = mapped_column(String(255))
    filename: Mapped[str] = mapped_column(String(255))
    blob_key: Mapped[str] = mapped_column(String(512))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    processed: Mapped[bool] = mapped_column(Boolean, default=False)
    valid: Mapped[bool] = mapped_column(Boolean, default=False)
    validation: Mapped[dict | None] = mapped_column(JSON)
    # The version made from this upload, once there is one.
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="SET NULL"), index=True)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    # Ids compare case-insensitively, as AMO's do.
    __table_args__ = (Index("ix_uploads_guid_version", func.lower(guid), version),)
