"""AMO API keys: issuers, secrets, rotation, and secrets that a copy of the database does not reveal."""

import base64
import re
import shutil
import stat

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from alembic.config import Config as AlembicConfig
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from addonhub.accounts.keys import (
    KEY_FILE, KeyCipher, KeyCipherError, active_key, active_key_for_user, issue_key, key_secret, revoke_keys,
    rotate_key,
)
from addonhub.accounts.models import APIKey, User
from addonhub.accounts.service import AccountError, create_user
from addonhub.config import Settings
from addonhub.db import MIGRATIONS_DIR, make_engine
from addonhub.store import Store


def make_user(store, email: str = "dev@example.org") -> int:
    with store.db.session() as session:
        return create_user(session, email).id


def issue(store, user_id: int, rotate: bool = False):
    with store.db.session() as session:
        user = session.get(User, user_id)
        return (rotate_key if rotate else issue_key)(session, store.key_cipher, user)


def test_issuer_and_secret_have_amos_format(store):
    user_id = make_user(store)
    credentials = issue(store, user_id)
    match = re.fullmatch(r"user:(\d+):(\d+)", credentials.issuer)
    assert match and int(match[1]) == user_id and 0 <= int(match[2]) <= 999
    assert re.fullmatch(r"[0-9a-f]{64}", credentials.secret)
    assert credentials.as_amo_json() == {"jwt_issuer": credentials.issuer, "jwt_secret": credentials.secret}


def test_secrets_and_issuers_are_unique(store):
    user_ids = [make_user(store, f"dev{n}@example.org") for n in range(5)]
    issued = [issue(store, user_id) for user_id in user_ids]
    issued += [issue(store, user_ids[0], rotate=True) for _ in range(20)]
    assert len({c.secret for c in issued}) == len(issued)
    assert len({c.issuer for c in issued}) == len(issued)


def test_an_issuer_is_never_reused_even_past_a_thousand_keys(store, monkeypatch):
    monkeypatch.setattr("addonhub.accounts.keys.ISSUER_NUMBERS", 3)
    user_id = make_user(store)
    issuers = [issue(store, user_id, rotate=True).issuer for _ in range(6)]
    assert len(set(issuers)) == 6
    assert {int(i.rsplit(":", 1)[1]) for i in issuers} == {0, 1, 2, 3, 4, 5}


def test_rotation_revokes_the_old_key(store):
    user_id = make_user(store)
    first = issue(store, user_id)
    second = issue(store, user_id, rotate=True)
    with store.db.session() as session:
        assert active_key(session, first.issuer) is None
        current = active_key(session, second.issuer)
        assert current.user_id == user_id and key_secret(store.key_cipher, current) == second.secret
        assert active_key_for_user(session, session.get(User, user_id)).issuer == second.issuer
        rows = session.execute(select(APIKey.issuer, APIKey.is_active, APIKey.revoked)
                               .where(APIKey.user_id == user_id).order_by(APIKey.id)).all()
    assert [(issuer, active) for issuer, active, _ in rows] == [(first.issuer, False), (second.issuer, True)]
    assert rows[0].revoked is not None and rows[1].revoked is None


def test_one_active_key_per_user(store):
    user_id = make_user(store)
    issue(store, user_id)
    with pytest.raises(AccountError, match="already has an active API key"):
        issue(store, user_id)
    # The database refuses a second active key too, whatever the code does.
    with pytest.raises(IntegrityError):
        with store.db.session() as session:
            session.add(APIKey(user_id=user_id, issuer=f"user:{user_id}:5000", secret_encrypted="x", is_active=True))


def test_revoking_leaves_the_user_without_a_key_until_rotation(store):
    user_id = make_user(store)
    credentials = issue(store, user_id)
    with store.db.session() as session:
        assert revoke_keys(session, session.get(User, user_id)) == 1
        assert revoke_keys(session, session.get(User, user_id)) == 0
        assert active_key(session, credentials.issuer) is None
    assert issue(store, user_id).issuer != credentials.issuer


def test_lookups_of_odd_issuers_find_nothing(store):
    with store.db.session() as session:
        for issuer in (None, 12, ["user:1:1"], {"a": 1}, "", "user:1:1' OR 1=1 --"):
            assert active_key(session, issuer) is None


def database_bytes(store) -> bytes:
    """Every byte of the database as a copy of it would hold them: the file and its WAL."""
    directory = store.settings.data_dir
    return b"".join(path.read_bytes() for path in sorted(directory.glob("addonhub.sqlite3*")))


def secret_forms(secret: str) -> list[bytes]:
    raw = bytes.fromhex(secret)
    forms = [secret.encode(), secret.upper().encode(), raw, secret.encode("utf-16-le")]
    for encoded in (secret.encode(), raw):
        forms += [base64.b64encode(encoded), base64.urlsafe_b64encode(encoded),
                  base64.b64encode(encoded).rstrip(b"="), base64.b32encode(encoded)]
    # Any 16-character run of the hex, in case only a part leaked.
    forms += [secret[i:i + 16].encode() for i in range(0, 64, 16)]
    return forms


@pytest.mark.sqlite_file
def test_the_database_does_not_contain_the_secret_in_any_form(store):
    user_id = make_user(store)
    issued = [issue(store, user_id)] + [issue(store, user_id, rotate=True) for _ in range(3)]
    for flushed in (False, True):
        if flushed:
            with store.db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        data = database_bytes(store)
        assert b"user:%d:" % user_id in data  # the issuers are there: the search does look
        for credentials in issued:
            for form in secret_forms(credentials.secret):
                assert form not in data, form


@pytest.mark.sqlite_file
def test_a_copy_of_the_database_alone_cannot_decrypt_the_secrets(store, tmp_path):
    user_id = make_user(store)
    credentials = issue(store, user_id)
    with store.db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    shutil.copy(store.settings.data_dir / "addonhub.sqlite3", copy_dir / "addonhub.sqlite3")
    copy = Store(Settings(data_dir=copy_dir))
    with copy.db.session() as session:
        stored = active_key(session, credentials.issuer)
        assert stored is not None
        with pytest.raises(KeyCipherError):
            key_secret(copy.key_cipher, stored)
        # With the original key file, it can.
        assert key_secret(KeyCipher.open(store.settings.data_dir), stored) == credentials.secret


def test_the_key_file_is_private_made_once_and_reused(tmp_path):
    data_dir = tmp_path / "store"
    first = KeyCipher.open(data_dir)
    path = data_dir / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = path.read_bytes()
    second = KeyCipher.open(data_dir)
    assert path.read_bytes() == content
    assert second.decrypt(first.encrypt("a" * 64)) == "a" * 64
    assert [p.name for p in data_dir.iterdir()] == [KEY_FILE]  # no temporary file left behind
    with pytest.raises(KeyCipherError):
        KeyCipher.open(tmp_path / "elsewhere").decrypt(first.encrypt("a" * 64))


def test_the_keys_of_a_deleted_user_go_with_it(store):
    user_id = make_user(store)
    credentials = issue(store, user_id)
    with store.db.session() as session:
        session.delete(session.get(User, user_id))
    with store.db.session() as session:
        assert active_key(session, credentials.issuer) is None
        assert session.scalar(select(APIKey.id)) is None


def test_an_existing_store_is_upgraded_and_its_accounts_can_get_keys(tmp_path):
    """A store made before API keys existed (revision 0003) opens, migrates and rotates in a key."""
    settings = Settings(data_dir=tmp_path / "old")
    settings.prepare_data_dir()
    engine = make_engine(settings.effective_database_url)
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(text("INSERT INTO users (email, username, role) "
                                "VALUES ('old@example.org', 'old', 'developer')"))
    engine.dispose()

    store = Store(settings)
    with store.db.session() as session:
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == \
            ScriptDirectory.from_config(config).get_current_head()
        user = session.scalar(select(User).where(User.email == "old@example.org"))
        assert active_key_for_user(session, user) is None
        credentials = rotate_key(session, store.key_cipher, user)
    with store.db.session() as session:
        assert active_key(session, credentials.issuer).user.email == "old@example.org"

    # And back down and up again.
    with store.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
        assert "api_keys" not in {row[0] for row in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        command.upgrade(config, "head")
