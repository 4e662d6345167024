"""Ratings, their flags, and each add-on's counts per score (the histogram)."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addonhub.accounts.models import User
from addonhub.catalog.models import Addon, Version
from addonhub.db import Base

SCORES = (1, 2, 3, 4, 5)


class Rating(Base):
    """A user's rating of an add-on (a score, and a review when it has a body), or, with
    reply_to set, the developer's reply to one (a body, no score). Deleting only marks it, so
    that moderators can still read what was removed."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The version rated; kept when the version goes, as AMO keeps the rating.
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="SET NULL"))
    # One reply per rating: replying again edits it.
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id", ondelete="CASCADE"), unique=True)
    score: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    modified: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), onupdate=func.now())

    addon: Mapped[Addon] = relationship()
    user: Mapped[User] = relationship()
    version: Mapped[Version | None] = relationship()
    reply_to: Mapped["Rating | None"] = relationship(remote_side=[id], back_populates="reply")
    reply: Mapped["Rating | None"] = relationship(back_populates="reply_to", uselist=False)

    __table_args__ = (
        # The rule "one rating per user per add-on", kept by the database too, so that two requests
        # racing each other cannot both write one.
        Index("ix_ratings_one_per_user", "addon_id", "user_id", unique=True,
              sqlite_where=text("reply_to_id IS NULL AND NOT is_deleted"),
              postgresql_where=text("reply_to_id IS NULL AND NOT is_deleted")),
        Index("ix_ratings_addon_created", "addon_id", "created"),
    )

    @property
    def is_reply(self) -> bool:
        return self.reply_to_id is not None


class RatingFlag(Base):
    """A user's report that a rating needs a moderator's look; one per user and rating."""

    __tablename__ = "rating_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    flag: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    __table_args__ = (UniqueConstraint("rating_id", "user_id"),)


class RatingAggregate(Base):
    """How many of an add-on's ratings gave each score: the histogram, read without counting."""

    __tablename__ = "rating_aggregates"

    addon_id: Mapped[int] = mapped_column(ForeignKey("addons.id", ondelete="CASCADE"), primary_key=True)
    count_1: Mapped[int] = mapped_column(Integer, default=0)
    count_2: Mapped[int] = mapped_column(Integer, default=0)
    count_3: Mapped[int] = mapped_column(Integer, default=0)
    count_4: Mapped[int] = mapped_column(Integer, default=0)
    count_5: Mapped[int] = mapped_column(Integer, default=0)

    def grouped(self) -> dict[str, int]:
        """AMO's grouped_ratings: the count for each score, keyed by the score as a string."""
        return {str(score): getattr(self, f"count_{score}") for score in SCORES}
