import time

import jwt
import pytest

from addonhub.accounts.keys import issue_key
from addonhub.accounts.models import User
from tests.packages.builders import extension, manifest


@pytest.fixture
def jwt_headers(store):
    """Authorization headers for an account, signed with its AMO API key as clients sign them."""
    keys = {}

    def jwt_headers(user_id: int) -> dict:
        if user_id not in keys:
            with store.db.session() as session:
                keys[user_id] = issue_key(session, store.key_cipher, session.get(User, user_id))
        credentials = keys[user_id]
        now = int(time.time())
        token = jwt.encode({"iss": credentials.issuer, "iat": now, "exp": now + 60}, credentials.secret, algorithm="HS256")
        return {"Authorization": f"JWT {token}"}
    return jwt_headers


@pytest.fixture
def developer(account, jwt_headers):
    user_id, _ = account("dev@example.org", username="dev")
    return user_id, jwt_headers(user_id)


@pytest.fixture
def xpi(tmp_path):
    """Builds an extension package: xpi(version="1.0", guid="test@example.org", **manifest overrides)."""
    def xpi(version: str = "1.0", guid: str | None = "test@example.org", **overrides) -> bytes:
        overrides.setdefault("browser_specific_settings", {"gecko": {"id": guid}} if guid else None)
        data = manifest(version=version, **overrides)
        return extension(tmp_path / f"{guid}-{version}.xpi", data, **{"background.js": "console.log(1);"}).read_bytes()
    return xpi
