"""Link keys: what lets a browser fetch a non-public add-on's update manifest and files.

Firefox fetches `install_url` and `update_link` without credentials, so an unlisted add-on
deployed by policy needs links that are unguessable and revocable. A link key is
HMAC-SHA256(store secret, "<guid>:<generation>"): it follows from the guid alone, so a developer
can put the keyed update URL into the very first version's manifest, before the add-on exists in
the store. Rotating the add-on's generation makes every key given out before worthless.
"""

import base64
import hashlib
import hmac

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from addonhub.db import Base

# 128 bits of the HMAC, as 22 url-safe characters: short enough for a URL, far past guessing.
_KEY_BYTES = 16


class LinkKeyGeneration(Base):
    """An add-on's current link-key generation, by guid (not by add-on id: keys exist before the
    add-on does). No row means generation 0, so that a store holds rows only for rotated keys."""

    __tablename__ = "link_key_generations"

    guid: Mapped[str] = mapped_column(String(255), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer)


def link_key(secret_key: bytes, guid: str, generation: int) -> str:
    digest = hmac.new(secret_key, f"{guid}:{generation}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_KEY_BYTES]).rstrip(b"=").decode()


def generation(session: Session, guid: str) -> int:
    return session.scalar(select(LinkKeyGeneration.generation).where(LinkKeyGeneration.guid == guid)) or 0


def current_link_key(session: Session, secret_key: bytes, guid: str) -> str:
    """The key the add-on's links carry now."""
    return link_key(secret_key, guid, generation(session, guid))


def rotate_link_key(session: Session, secret_key: bytes, guid: str) -> str:
    """Revokes every link given out for the add-on and returns the new key. An existing row is
    raised in the database (generation + 1), so that two rotations at once both take effect."""
    row = session.get(LinkKeyGeneration, guid)
    if row is None:
        row = LinkKeyGeneration(guid=guid, generation=1)
        session.add(row)
    else:
        row.generation = LinkKeyGeneration.generation + 1
    session.flush()
    session.refresh(row)
    return link_key(secret_key, guid, row.generation)


def is_valid_link_key(session: Session, secret_key: bytes, guid: str, key: str | None) -> bool:
    if not key:
        return False
    # As bytes: compare_digest refuses str with non-ASCII characters, which anyone can send.
    return hmac.compare_digest(current_link_key(session, secret_key, guid).encode(), key.encode())
