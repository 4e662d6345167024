from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addonhub.db import Base

ROLES = ("developer", "reviewer", "admin")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Imported authors may have no e-mail address: they cannot sign in until one is set.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="developer")
    picture_url: Mapped[str | None] = mapped_column(String(1024))
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    tokens: Mapped[list["AccessToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_reviewer(self) -> bool:
        return self.role in ("reviewer", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class AccessToken(Base):
    """A bearer token for the API and the web pages; only its SHA-256 is stored."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    user: Mapped[User] = relationship(back_populates="tokens")
