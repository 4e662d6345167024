"""One row per thing done: a submission, a validation outcome, a review decision, a listing edit,
a credential change. Rows keep their text when the add-on, version or user goes, so that the log
still says what happened."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from addonhub.db import Base


class ActivityEntry(Base):
    __tablename__ = "activity_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One of addonhub.activity.service.ACTIONS.
    action: Mapped[str] = mapped_column(String(32))
    # None is the store's operator (the CLI) or the store itself (validation).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    addon_id: Mapped[int | None] = mapped_column(ForeignKey("addons.id", ondelete="SET NULL"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="SET NULL"))
    # What the entry is about, written out: the add-on's guid, the version string, the Edge
    # product id, the user's name — readable after the rows they name are gone.
    addon_guid: Mapped[str | None] = mapped_column(String(255))
    version_string: Mapped[str | None] = mapped_column(String(255))
    user_name: Mapped[str | None] = mapped_column(String(255))
    # The upload a submission's entries came from: ties them to the add-on it creates.
    upload_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    __table_args__ = (Index("ix_activity_log_addon_created", "addon_id", "created"),)
