import os
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from addonhub.accounts.service import create_user, issue_token
from addonhub.api.app import create_app
from addonhub.catalog.importer import import_catalogue
from addonhub.config import Settings
from addonhub.db import Database
from addonhub.jobs import Worker
from addonhub.signing.ca import SigningCA
from addonhub.store import Store
from addonhub.workflows import give_up_handlers, handlers


# Which database the `store` fixture family gives: SQLite files (the default) or databases in a
# throwaway PostgreSQL cluster (ADDONHUB_TEST_DATABASE=postgresql; make test runs some directories so).
TEST_DATABASE = os.environ.get("ADDONHUB_TEST_DATABASE", "sqlite")
if TEST_DATABASE not in ("sqlite", "postgresql"):
    raise pytest.UsageError(f"ADDONHUB_TEST_DATABASE must be sqlite or postgresql, not {TEST_DATABASE!r}")
# The PostgreSQL database every test's database is a copy of (CREATE DATABASE ... TEMPLATE).
MIGRATED_TEMPLATE = "migrated_template"


@pytest.fixture(scope="session")
def store_template(tmp_path_factory, request) -> Path:
    """The slow parts of a data directory, made once: the migrated database (migrating takes
    about a quarter of a second) and a signing CA (its 4096-bit root takes a second or more).
    The secret keys are cheap and stay each store's own. On PostgreSQL the migrated database is
    the cluster's MIGRATED_TEMPLATE, and the directory holds no database."""
    data_dir = tmp_path_factory.mktemp("store-template")
    if TEST_DATABASE == "postgresql":
        server = request.getfixturevalue("postgres_server")
        database = Database(server.url(server.create_database(MIGRATED_TEMPLATE)))
        database.migrate()
    else:
        database = Database(Settings(data_dir=data_dir).effective_database_url)
        database.migrate()
        with database.engine.connect() as connection:
            # Out of WAL mode the database is one file, so a copy needs no -wal or -shm beside it;
            # each store's connections turn WAL back on, as they do on a new store's file.
            connection.exec_driver_sql("PRAGMA journal_mode=DELETE")
    # A template database cannot be copied while anyone is connected to it.
    database.engine.dispose()
    SigningCA.open(data_dir)
    return data_dir


@pytest.fixture
def store_settings(tmp_path, store_template, request):
    """Settings for a new test store: the template's data directory copied to tmp_path/name and,
    on PostgreSQL, a fresh copy of the migrated database (dropped after the test)."""
    def store_settings(name: str = "store", **settings) -> Settings:
        data_dir = tmp_path / name
        shutil.copytree(store_template, data_dir)
        if TEST_DATABASE == "postgresql":
            server = request.getfixturevalue("postgres_server")
            database = server.create_database(template=MIGRATED_TEMPLATE)
            request.addfinalizer(lambda: server.drop_database(database))
            settings.setdefault("database_url", server.url(database))
        return Settings(data_dir=data_dir, **settings)
    return store_settings


@pytest.fixture
def store(store_settings) -> Store:
    # The default limits: tests submit as a store's developers do; the throttle has tests of its own.
    return Store(store_settings())


def point_the_command_at(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's database where the addonhub command reads it, ADDONHUB_DATABASE_URL, as an
    operator of a store on PostgreSQL sets it: `--data-dir` alone names the directory's SQLite file."""
    monkeypatch.setenv("ADDONHUB_DATABASE_URL", store.settings.effective_database_url)


@pytest.fixture
def cli_database(store, monkeypatch):
    """point_the_command_at() the test's store."""
    point_the_command_at(store, monkeypatch)


@pytest.fixture
def client(store) -> TestClient:
    # Entered, the client runs the app's lifespan as a server does, and keeps one event loop for the
    # whole test: otherwise every request starts a thread and a loop of its own (most of its time).
    with TestClient(create_app(store), base_url="http://store.test") as client:
        yield client


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


INTEROP = Path(__file__).parent / "interop"
BROWSERS = Path(__file__).parent / "browsers"


def pytest_collection_modifyitems(items):
    # By place and by fixture, so that a new test there is marked without anyone remembering to.
    for item in items:
        if item.path.is_relative_to(INTEROP):
            item.add_marker(pytest.mark.interop)
        if item.path.is_relative_to(BROWSERS):
            item.add_marker(pytest.mark.browser)
        if "corpus" in item.fixturenames:
            item.add_marker(pytest.mark.corpus)
        if TEST_DATABASE == "postgresql" and item.get_closest_marker("sqlite_file"):
            item.add_marker(pytest.mark.skip(reason="reads the SQLite database file, which a PostgreSQL store has not"))


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """One SeaweedFS S3 server for the session, and its credentials where boto3 looks (the
    environment), as an operator gives them to the store."""
    from tests.s3 import CLIENT_ENVIRONMENT, start_seaweed
    server = start_seaweed(tmp_path_factory.mktemp("seaweedfs"))
    environment = pytest.MonkeyPatch()
    for name, value in CLIENT_ENVIRONMENT.items():
        environment.setenv(name, value)
    yield server
    environment.undo()
    server.stop()


@pytest.fixture
def s3_store(store_settings, s3_server) -> Store:
    """The `store` of the scale-out configuration: its blobs in the S3 server, under a prefix of its own."""
    return Store(store_settings(blob_url=s3_server.blob_url()))


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL 15 cluster for the session (tests/postgres.py); each test that
    needs a database creates its own in it."""
    from tests.postgres import start_postgres
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One Debian redis-server for the session, on loopback, keeping nothing on disk."""
    from tests.redis_server import start_redis
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    """The URL of the session's Redis, emptied first, so that no test sees another's counters."""
    redis_server.client().flushdb()
    return redis_server.url()
