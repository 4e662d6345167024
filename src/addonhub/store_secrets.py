"""Where a store keeps its secrets, decided in this one place from Settings.encryption_key.

A store has three: `secret_key` (HMAC key of outgoing links, link keys, web sessions and Edge
access tokens), the encryption key (Fernet: the AMO API key secrets and Chromium signing keys in
the database are encrypted with it, so that a copy of the database alone reveals none), and the
signing CA (signing/ca.py).

- The embedded default (no encryption_key): files in the data directory, each made on first use,
  readable only by the owner (private_files.py), as one host's one store needs.
- Shared (encryption_key set, by every process): the encryption key is that setting, and
  `secret_key` and the CA are rows of the `store_secrets` table, encrypted with it. Any process
  given the same database and key reads the same secrets, whatever host and data directory it
  runs in; the first to need one makes it, and a process racing it reads the winner's.

A store whose data directory already holds secrets keeps them when it turns shared: the first
process takes each file's value into the database instead of making a new one (so that the
links given out, the sessions and the signatures browsers trust stay valid). A data directory
whose secrets differ from the database's, or whose key file is not the configured key, is refused
at start: one of them belongs to another store, and going on would silently break whichever.
"""

import json
import secrets
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

from sqlalchemy import String, Text, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from addonhub.accounts.keys import KEY_FILE, KeyCipher, KeyCipherError
from addonhub.config import Settings
from addonhub.db import Base, Database
from addonhub.private_files import read_or_create
from addonhub.signing.ca import SigningCA, new_ca_pems, stored_ca_pems, stored_root_pem

SECRET_KEY = "secret_key"  # its file's name in a data directory, and its row's in the database
SIGNING_CA = "signing_ca"


class StoreSecretsError(RuntimeError):
    """The store's secrets cannot be opened as configured; said for the operator."""


class StoreSecret(Base):
    """One secret of a shared store, its value encrypted with the configured encryption key."""
    __tablename__ = "store_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value_encrypted: Mapped[str] = mapped_column(Text)


def _new_secret_key() -> str:
    return secrets.token_hex(32)


class DataDirSecrets:
    """The embedded default: files in the data directory."""

    def __init__(self, data_dir: Path):
        self._data_dir = data_dir

    # Read on first use, so that a command that needs only the CA makes no other secret.
    @cached_property
    def secret_key(self) -> bytes:
        return bytes.fromhex(read_or_create(self._data_dir / SECRET_KEY, lambda: _new_secret_key().encode()).decode())

    @cached_property
    def key_cipher(self) -> KeyCipher:
        return KeyCipher.open(self._data_dir)

    def signing_ca(self) -> SigningCA:
        return SigningCA.open(self._data_dir)

    def root_pem(self) -> bytes | None:
        return stored_root_pem(self._data_dir)


class DatabaseSecrets:
    """A shared store: the configured key, and the other secrets in the database."""

    def __init__(self, db: Database, encryption_key: bytes, data_dir: Path):
        self._db, self._data_dir = db, data_dir
        self.key_cipher = KeyCipher(encryption_key)
        key_file = data_dir / KEY_FILE
        if key_file.is_file() and key_file.read_bytes().strip() != encryption_key:
            raise StoreSecretsError(
                f"ADDONHUB_ENCRYPTION_KEY is not the key in {key_file}, which this data directory's store "
                "encrypted its secrets with: give that key, or a data directory of this store")

    @cached_property
    def secret_key(self) -> bytes:
        path = self._data_dir / SECRET_KEY
        embedded = path.read_text().strip() if path.is_file() else None
        secret_key = self._read_or_create(SECRET_KEY, lambda: embedded or _new_secret_key())
        if embedded is not None and embedded != secret_key:
            raise StoreSecretsError(f"{path} is not the secret_key in the database: "
                                    "the data directory belongs to another store")
        return bytes.fromhex(secret_key)

    def signing_ca(self) -> SigningCA:
        embedded = stored_ca_pems(self._data_dir)
        make = (lambda: _pems_json(embedded)) if embedded is not None else (lambda: _pems_json(new_ca_pems()))
        pems = _pems_of(self._read_or_create(SIGNING_CA, make))
        if embedded is not None and embedded.get("root.pem") != pems["root.pem"]:
            raise StoreSecretsError(f"the signing CA in {self._data_dir / 'signing/ca'} is not the database's: "
                                    "the data directory belongs to another store")
        return SigningCA.from_pems(pems, where="in the database")

    def root_pem(self) -> bytes | None:
        stored = self._read(SIGNING_CA)
        return _pems_of(stored)["root.pem"] if stored is not None else None

    def _read(self, name: str) -> str | None:
        try:
            with self._db.session() as session:
                stored = session.scalar(select(StoreSecret.value_encrypted).where(StoreSecret.name == name))
        except SQLAlchemyError as error:
            raise StoreSecretsError(f"the store's secrets cannot be read from its database: {error}") from None
        if stored is None:
            return None
        try:
            return self.key_cipher.decrypt(stored)
        except KeyCipherError:
            raise StoreSecretsError(f"the database's {name} cannot be decrypted with ADDONHUB_ENCRYPTION_KEY: "
                                    "it is not the key this store's secrets were encrypted with") from None

    def _read_or_create(self, name: str, make: Callable[[], str]) -> str:
        """The stored value, or on first use `make()` stored; when another process stores its
        own at the same moment, only one commits and both read that one."""
        value = self._read(name)
        if value is None:
            try:
                with self._db.session() as session:
                    session.add(StoreSecret(name=name, value_encrypted=self.key_cipher.encrypt(make())))
            except IntegrityError:
                pass  # another process stored it first; theirs is the one
            value = self._read(name)
        return value


def _pems_json(pems: dict[str, bytes]) -> str:
    return json.dumps({name: pem.decode("ascii") for name, pem in pems.items()})


def _pems_of(value: str) -> dict[str, bytes]:
    return {name: pem.encode("ascii") for name, pem in json.loads(value).items()}


def open_secrets(settings: Settings, db: Database) -> DataDirSecrets | DatabaseSecrets:
    """The store's secrets where its settings say they are (the module's docstring)."""
    if settings.encryption_key is None:
        return DataDirSecrets(settings.data_dir)
    return DatabaseSecrets(db, settings.encryption_key.get_secret_value().encode(), settings.data_dir)
