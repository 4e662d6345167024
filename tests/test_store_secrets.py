"""Where a store's secrets live (store_secrets.py). Shared (ADDONHUB_ENCRYPTION_KEY set): two
stores as two processes on two hosts run them, one database and a data directory each, sign,
verify, and accept each other's sessions, links, API keys and Edge tokens, and neither data
directory holds a secret; an embedded store turned shared keeps its own; secrets of another store
are refused at start. The embedded default's files are tested where they are used (tests/signing,
tests/accounts, tests/test_backup.py)."""

import shutil
import time
import uuid
from pathlib import Path

import jwt
import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from pydantic import ValidationError

from addonhub.accounts.edge_credentials import issue_edge_credentials
from addonhub.accounts.keys import KEY_FILE, issue_key
from addonhub.accounts.models import User
from addonhub.accounts.passwords import set_password
from addonhub.accounts.service import create_user
from addonhub.api.amo.rendering import outgoing_signature
from addonhub.api.app import create_app
from addonhub.config import Settings
from addonhub.signing.verify import verify_xpi
from addonhub.signing.xpi import sign_xpi
from addonhub.store import Store
from addonhub.store_secrets import SECRET_KEY, StoreSecretsError
from tests.signing.packages import make_xpi
from tests.web.conftest import PASSWORD, log_in
from tests.web.test_accounts import signed_in_as

KEY = Fernet.generate_key().decode()
SECRET_FILES = (SECRET_KEY, KEY_FILE, "signing")


@pytest.fixture
def database_url(tmp_path, store_template) -> str:
    """A migrated database without any secret beside it: the shared one."""
    shutil.copy(store_template / "addonhub.sqlite3", tmp_path / "shared.sqlite3")
    return f"sqlite:///{tmp_path / 'shared.sqlite3'}"


def shared_store(data_dir: Path, database_url: str, key: str = KEY, **settings) -> Store:
    return Store(Settings(data_dir=data_dir, database_url=database_url, encryption_key=key, **settings))


@pytest.fixture
def two_hosts(tmp_path, database_url):
    return (shared_store(tmp_path / "host-a", database_url, signup="open"),
            shared_store(tmp_path / "host-b", database_url, signup="open"))


def test_each_host_signs_what_the_other_verifies(two_hosts, tmp_path):
    first, second = two_hosts
    assert first.secrets.root_pem() is None  # none made yet: the first host to sign makes it, for all
    assert second.signing_ca.root_pem() == first.secrets.root_pem() == first.signing_ca.root_pem()
    for signer, verifier in (two_hosts, reversed(two_hosts)):
        output = tmp_path / "signed.xpi"
        output.unlink(missing_ok=True)
        sign_xpi(signer.signing_ca, make_xpi(tmp_path / "unsigned.xpi"), "demo@example.org", output)
        assert verify_xpi(output, verifier.secrets.root_pem(), "demo@example.org") == []
    for store in two_hosts:
        assert not [name for name in SECRET_FILES if (store.settings.data_dir / name).exists()]


def test_a_session_opened_on_one_host_is_signed_in_on_the_other(two_hosts):
    first, second = (TestClient(create_app(store), base_url="http://store.test") for store in two_hosts)
    with two_hosts[0].db.session() as session:
        user = create_user(session, "pat@example.org")
        user.display_name = "Pat"
        set_password(user, PASSWORD)
    assert log_in(first).status_code == 303
    second.cookies = first.cookies
    assert signed_in_as(second) == "Pat"


def test_links_api_keys_and_edge_tokens_of_one_host_work_on_the_other(two_hosts):
    first, second = two_hosts
    client = TestClient(create_app(second), base_url="http://store.test")
    url = "https://example.com/help"
    followed = client.get(f"/outgoing/{outgoing_signature(first.secret_key, url)}/{url}", follow_redirects=False)
    assert (followed.status_code, followed.headers["location"]) == (302, url)

    with first.db.session() as session:
        user = create_user(session, "dev@example.org", "developer", username="dev")
        amo = issue_key(session, first.key_cipher, user)
        edge = issue_edge_credentials(session, session.get(User, user.id))
    now = int(time.time())
    claims = {"iss": amo.issuer, "iat": now, "exp": now + 60}
    # Authenticated, the developer learns there is no such upload; with another secret, who they are not.
    no_upload = f"/api/v5/addons/upload/{uuid.uuid4().hex}/"
    signed = jwt.encode(claims, amo.secret, algorithm="HS256")
    assert client.get(no_upload, headers={"Authorization": f"JWT {signed}"}).status_code == 404
    forged = jwt.encode(claims, "0" * 64, algorithm="HS256")
    assert client.get(no_upload, headers={"Authorization": f"JWT {forged}"}).status_code == 401

    issued = TestClient(create_app(first), base_url="http://store.test").post("/tenant/oauth2/v2.0/token", data={
        "client_id": edge.client_id, "client_secret": edge.client_secret, "grant_type": "client_credentials",
        "scope": "https://api.addons.microsoftedge.microsoft.com/.default"})
    bearer = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    assert client.get("/v1/products", headers=bearer).status_code == 200


def test_secrets_of_the_embedded_default_stay_in_the_data_directory(tmp_path, database_url):
    first, second = (Store(Settings(data_dir=tmp_path / name, database_url=database_url)) for name in "ab")
    assert first.secret_key != second.secret_key  # each data directory is a store's secrets of its own
    assert all((first.settings.data_dir / name).is_file() for name in (SECRET_KEY, KEY_FILE))


def test_an_embedded_store_turned_shared_keeps_its_secrets(tmp_path, store_template):
    data_dir = tmp_path / "store"
    shutil.copytree(store_template, data_dir)
    embedded = Store(Settings(data_dir=data_dir))
    with embedded.db.session() as session:
        amo = issue_key(session, embedded.key_cipher, create_user(session, "dev@example.org"))
    database_url = embedded.settings.effective_database_url
    key = (data_dir / KEY_FILE).read_text().strip()

    shared = shared_store(data_dir, database_url, key)
    elsewhere = shared_store(tmp_path / "another-host", database_url, key)
    for store in (shared, elsewhere):
        assert store.secret_key == embedded.secret_key
        assert store.signing_ca.root == embedded.signing_ca.root
    with elsewhere.db.session() as session:
        from addonhub.accounts.keys import active_key, key_secret
        assert key_secret(elsewhere.key_cipher, active_key(session, amo.issuer)) == amo.secret


def test_secrets_of_another_store_are_refused(tmp_path, store_template, database_url):
    shared_store(tmp_path / "host-a", database_url)
    with pytest.raises(StoreSecretsError, match="cannot be decrypted with ADDONHUB_ENCRYPTION_KEY"):
        shared_store(tmp_path / "host-b", database_url, key=Fernet.generate_key().decode())
    other = tmp_path / "other-store"
    shutil.copytree(store_template, other)
    Store(Settings(data_dir=other))  # makes its secret files
    with pytest.raises(StoreSecretsError, match=f"is not the key in {other / KEY_FILE}"):
        shared_store(other, database_url)
    (other / KEY_FILE).write_text(KEY)
    with pytest.raises(StoreSecretsError, match="is not the secret_key in the database"):
        shared_store(other, database_url)


def test_a_process_that_loses_the_race_reads_the_winners_secret(tmp_path, database_url):
    first, second = (shared_store(tmp_path / name, database_url).secrets for name in ("a", "b"))

    def make_while_the_other_process_stores_its_own():
        second._read_or_create("example", lambda: "theirs")
        return "mine"
    assert first._read_or_create("example", make_while_the_other_process_stores_its_own) == "theirs"
    assert second._read_or_create("example", lambda: "never made") == "theirs"


def test_an_encryption_key_that_is_not_a_fernet_key_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="must be a Fernet key"):
        Settings(data_dir=tmp_path, encryption_key="hunter2")


def test_the_signing_commands_use_the_shared_ca_from_any_host(tmp_path, database_url, monkeypatch, capsys):
    from tests.signing.test_cli import run
    store = shared_store(tmp_path / "host-a", database_url)
    monkeypatch.setenv("ADDONHUB_ENCRYPTION_KEY", KEY)
    monkeypatch.setenv("ADDONHUB_DATABASE_URL", database_url)
    package, signed = make_xpi(tmp_path / "addon.xpi"), tmp_path / "signed.xpi"
    host_b = tmp_path / "host-b"
    assert run(capsys, "sign", "--data-dir", host_b, package, "--id", "demo@example.org", "-o", signed)[0] == 0
    assert verify_xpi(signed, store.signing_ca.root_pem(), "demo@example.org") == []
    assert run(capsys, "signing", "export-root", "--data-dir", host_b)[1].encode() == store.signing_ca.root_pem()
    assert run(capsys, "verify", signed, "--data-dir", tmp_path / "host-c")[0] == 0
    assert not host_b.exists() or not [name for name in SECRET_FILES if (host_b / name).exists()]
