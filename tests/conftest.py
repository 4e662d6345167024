import pytest
from fastapi.testclient import TestClient

from addonhub.accounts.service import create_user, issue_token
from addonhub.api.app import create_app
from addonhub.catalog.importer import import_catalogue
from addonhub.config import Settings
from addonhub.jobs import Worker
from addonhub.store import Store
from addonhub.workflows import give_up_handlers, handlers


@pytest.fixture
def store(tmp_path) -> Store:
    # Tests submit more often than AMO's limits allow; the throttle has tests of its own.
    return Store(Settings(data_dir=tmp_path / "store", submission_rate_per_user="1000/minute",
                          submission_rate_per_ip="1000/minute"))


@pytest.fixture
def client(store) -> TestClient:
    return TestClient(create_app(store), base_url="http://store.test")


@pytest.fixture
def run_jobs(store):
    """Runs every queued job (validation, signing, publishing), as the server's workers would."""
    def run_jobs():
        Worker(store.db, handlers(store), give_up=give_up_handlers()).drain()
    return run_jobs


@pytest.fixture
def load(store):
    """Imports records into the test store."""
    def load(*records, **extra):
        with store.db.session() as session:
            import_catalogue(session, {"addons": list(records), **extra})
    return load


@pytest.fixture
def account(store):
    """Creates an account and returns (user id, headers authenticating as it)."""
    def account(email: str, role: str = "developer", username: str | None = None):
        with store.db.session() as session:
            user = create_user(session, email, role, username=username)
            token = issue_token(session, user)
        return user.id, {"Authorization": f"Bearer {token}"}
    return account
