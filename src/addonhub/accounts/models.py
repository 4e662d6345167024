from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, Text, func, text
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
    # An argon2 hash (accounts.passwords); None until the account sets a password, and so cannot
    # log in on the web (the API's credentials are separate).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Disabled by an admin (accounts.administration): no log-in, no session, no credential works.
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    tokens: Mapped[list["AccessToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")
    api_keys: Mapped[list["APIKey"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_reviewer(self) -> bool:
        return self.role in ("reviewer", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def shown_name(self) -> str:
        """What others see the account called: its display name, else its username."""
        return self.display_name or self.username


class AccessToken(Base):
    """A bearer token for the API and the web pages; only its SHA-256 is stored."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    user: Mapped[User] = relationship(back_populates="tokens")


class APIKey(Base):
    """An AMO API key: the JWT issuer (`user:<id>:<n>`) and its HS256 secret, stored encrypted with
    the store's key file (accounts.keys.KeyCipher). A user has at most one active key; revoked keys
    stay, so that their issuers are never handed out again."""

    __tablename__ = "api_keys"
    __table_args__ = (
        Index("ix_api_keys_one_active_per_user", "user_id", unique=True,
              sqlite_where=text("is_active"), postgresql_where=text("is_active")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(64), unique=True)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    revoked: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="api_keys")


class EdgeCredential(Base):
    """Edge Add-ons API credentials: a client id (public, like a user name), and a client secret
    (OAuth, the v1 API) and an API key (the v1.1 API) of which only SHA-256 digests are stored
    (accounts.edge_credentials). A user has at most one active set; revoked ones stay, so that a
    client id is never handed out again. The rows go with their user through the foreign key's
    ON DELETE CASCADE: User has no relationship to them."""

    __tablename__ = "edge_credentials"
    __table_args__ = (
        Index("ix_edge_credentials_one_active_per_user", "user_id", unique=True,
              sqlite_where=text("is_active"), postgresql_where=text("is_active")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    client_secret_sha256: Mapped[str] = mapped_column(String(64))
    api_key_sha256: Mapped[str] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    revoked: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class Invitation(Base):
    """An invitation to sign up with one e-mail address (`addonhub users invite`). Only the SHA-256
    of its token is kept; it works once (`used` is set in a conditional update) and until
    `expires`."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    expires: Mapped[datetime] = mapped_column(DateTime)
    used: Mapped[datetime | None] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
