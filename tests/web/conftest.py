import re

import pytest
from fastapi.testclient import TestClient

from addonhub.accounts.models import User
from addonhub.accounts.passwords import set_password
from addonhub.accounts.service import create_user
from addonhub.api.app import create_app
from addonhub.store import Store

PASSWORD = "correct horse battery"


def csrf_of(page) -> str:
    """The CSRF token a page's form carries, as a browser would send it back."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


@pytest.fixture
def make_client(store_settings):
    """A client of a store with these settings (sign-up mode, throttles...)."""
    clients = []

    def make_client(**settings) -> TestClient:
        store = Store(store_settings(f"store{len(clients)}", **settings))
        client = TestClient(create_app(store), base_url="http://store.test")
        client.store = store
        clients.append(client)
        return client
    yield make_client
    for client in clients:
        client.close()


@pytest.fixture
def web(make_client):
    return make_client(signup="open")


@pytest.fixture
def person(web):
    """An account with a password, as `users create` and `users set-password` make it."""
    with web.store.db.session() as session:
        user = create_user(session, "pat@example.org")
        user.display_name = "Pat"
        set_password(user, PASSWORD)
        return user.id


def log_in(client, email="pat@example.org", password=PASSWORD, **extra):
    token = csrf_of(client.get("/login"))
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password, **extra},
                       follow_redirects=False)


def log_in_as(client, store, user_id: int) -> None:
    """Signs the client in as this account through the log-in page, a password set for it first
    (as `addonhub users set-password` does)."""
    client.cookies.clear()
    with store.db.session() as session:
        user = session.get(User, user_id)
        set_password(user, PASSWORD)
        email = user.email
    assert log_in(client, email).status_code == 303
