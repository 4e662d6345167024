from dataclasses import dataclass

import pytest

from addonhub.accounts.edge_credentials import EdgeCredentials, issue_edge_credentials
from addonhub.accounts.models import User
from addonhub.accounts.service import create_user
from addonhub.edge.products import create_product

SHIPPED_SCOPE = "https://api.addons.microsoftedge.microsoft.com/.default"
SPEC_SCOPE = "https://addons.edge.microsoft.com/.default"


@dataclass(frozen=True)
class Developer:
    id: int
    email: str
    username: str
    edge: EdgeCredentials

    @property
    def api_key_headers(self) -> dict:
        return {"Authorization": f"ApiKey {self.edge.api_key}", "X-ClientID": self.edge.client_id}


def new_developer(store, email: str = "dev@example.org") -> Developer:
    """An account with Edge credentials, as `addonhub users create` makes it."""
    with store.db.session() as session:
        user = create_user(session, email)
        edge = issue_edge_credentials(session, user)
        return Developer(user.id, user.email, user.username, edge)


@pytest.fixture
def developer(store):
    """Creates accounts with Edge credentials: developer(email)."""
    return lambda email="dev@example.org": new_developer(store, email)


@pytest.fixture
def product(store):
    """Creates a product owned by the developer, as `addonhub products create` does; returns its id."""
    def product(owner: Developer, name: str) -> str:
        with store.db.session() as session:
            return create_product(session, session.get(User, owner.id), name).edge_product_id
    return product


@pytest.fixture
def get_token(client):
    """An access token from the token endpoint for a developer's client credentials."""
    def get_token(owner: Developer, scope: str = SHIPPED_SCOPE) -> str:
        response = client.post("/tenant-id/oauth2/v2.0/token", data={
            "client_id": owner.edge.client_id, "client_secret": owner.edge.client_secret,
            "grant_type": "client_credentials", "scope": scope,
        })
        assert response.status_code == 200, response.text
        return response.json()["access_token"]
    return get_token
