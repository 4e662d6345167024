from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addonhub.accounts.models import User
from addonhub.catalog.models import Addon
from addonhub.db import Base


class AbuseReport(Base):
    """A report on an add-on of this store, or on a guid the store does not know (AMO accepts
    those too: a user may report what they installed from elsewhere)."""

    __tablename__ = "abuse_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    addon_id: Mapped[int | None] = mapped_column(ForeignKey("addons.id", ondelete="SET NULL"))
    guid: Mapped[str] = mapped_column(String(255), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ip: Mapped[str | None] = mapped_column(String(45))
    message: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(32))
    # What the client told about itself and the add-on it had (AMO's optional fields, by name).
    client: Mapped[dict] = mapped_column(JSON, default=dict)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    addon: Mapped[Addon | None] = relationship()
    reporter: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_abuse_reports_addon_created", "addon_id", "created"),)
