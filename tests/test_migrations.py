import ast
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, inspect, text
from sqlalchemy.schema import CreateIndex

from addonhub.catalog.importer import import_catalogue
from addonhub.config import Settings
from addonhub.db import MIGRATIONS_DIR, Database
from addonhub.models import Base, include_name
from addonhub.store import Store
from tests.factories import addon_record


def test_a_store_is_created_on_first_use_and_reopened_without_loss(tmp_path):
    settings = Settings(data_dir=tmp_path / "new" / "store")
    store = Store(settings)
    with store.db.session() as session:
        session.execute(text("INSERT INTO users (username, role) VALUES ('kept', 'developer')"))
    reopened = Store(settings)
    with reopened.db.session() as session:
        assert session.execute(text("SELECT username FROM users")).scalar_one() == "kept"
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == _head_revision()
    assert {"addons", "versions", "files", "addon_search"} <= set(inspect(reopened.db.engine).get_table_names())
    assert oct((settings.data_dir / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert oct((settings.data_dir / "api_key_encryption_key").stat().st_mode & 0o777) == "0o600"


def _head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path) -> str:
    """Every migration runs on both databases, whichever the rest of the suite uses."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    database = server.create_database()
    request.addfinalizer(lambda: server.drop_database(database))
    return server.url(database)


# Alembic cannot reflect these on SQLite; the test compares them itself.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_the_models_describe_the_schema_the_migrations_make(empty_database_url):
    database = Database(empty_database_url)
    database.migrate()
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name,
                                                               "compare_server_default": True})
        differences = compare_metadata(context, Base.metadata)
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            differences = _without_inline_foreign_key_options(connection, differences)
        assert differences == []
        # PostgreSQL's reflection sees expression indexes: compare_metadata has compared them there.
        for index in _expression_indexes() if sqlite else ():
            stored = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                                                (index.name,)).scalar()
            assert stored == str(CreateIndex(index).compile(dialect=connection.dialect))


def _without_inline_foreign_key_options(connection, differences: list) -> list:
    """SQLAlchemy reads ON DELETE and ON UPDATE only from FOREIGN KEY clauses, not from a column's
    own REFERENCES (as 0005 writes them), so it reports such a key as removed and added again:
    the pairs whose options SQLite (PRAGMA foreign_key_list) does hold as the model says are left out."""
    def signature(constraint):
        return (constraint.parent.name, tuple(constraint.column_keys),
                tuple(element.target_fullname for element in constraint.elements))

    def stored(constraint) -> bool:
        options = ((constraint.ondelete or "NO ACTION").upper(), (constraint.onupdate or "NO ACTION").upper())
        return signature(constraint)[1:] + options in _stored_foreign_keys(connection, constraint.parent.name)

    def foreign_keys(kind):
        return [difference[1] for difference in differences if isinstance(difference, tuple) and difference[0] == kind]

    removed = {signature(constraint) for constraint in foreign_keys("remove_fk")}
    explained = {signature(constraint) for constraint in foreign_keys("add_fk")
                 if signature(constraint) in removed and stored(constraint)}
    return [difference for difference in differences
            if not (isinstance(difference, tuple) and difference[0] in ("add_fk", "remove_fk")
                    and signature(difference[1]) in explained)]


def _stored_foreign_keys(connection, table: str) -> set:
    """(columns, referred columns, ON DELETE, ON UPDATE) of each foreign key SQLite enforces on the table."""
    keys = {}
    for key_id, _, referred_table, column, referred_column, on_update, on_delete, _ in \
            connection.exec_driver_sql(f"PRAGMA foreign_key_list({table})"):
        columns, referred, _, _ = keys.setdefault(key_id, ([], [], on_delete, on_update))
        columns.append(column)
        referred.append(f"{referred_table}.{referred_column}")
    return {(tuple(columns), tuple(referred), on_delete, on_update) for columns, referred, on_delete, on_update in keys.values()}


def _expression_indexes():
    return [index for table in Base.metadata.tables.values() for index in table.indexes
            if not all(isinstance(expression, Column) for expression in index.expressions)]


def test_no_migration_imports_the_application():
    # A migration is a snapshot of its day: live code changes under it and would change what it does.
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [name for name in names if name.split(".")[0] == "addonhub"], path.name


def test_processes_starting_together_on_a_new_postgresql_database_migrate_it_once(postgres_server):
    """A deployment's servers and workers all migrate as they start, and start at once."""
    url = postgres_server.url(postgres_server.create_database())
    errors = []

    def migrate():
        try:
            Database(url).migrate()
        except Exception as error:  # noqa: BLE001 (reported below, whatever it is)
            errors.append(error)

    threads = [threading.Thread(target=migrate, daemon=True) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)  # without the lock they deadlock on each other's tables
    assert not any(thread.is_alive() for thread in threads) and errors == []
    with Database(url).engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [_head_revision()]


def test_documents_on_postgresql_are_compressed_with_lz4(postgres_server):
    """pglz, PostgreSQL's default, made storing documents the costliest part of an import."""
    database = Database(postgres_server.url(postgres_server.create_database()))
    database.migrate()
    description = " ".join(f"Paragraph {number} of a long description." for number in range(200))
    with database.session() as session:
        import_catalogue(session, {"addons": [addon_record("long", description={"en-US": description})]})
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT pg_column_compression(body) FROM addon_document_bodies")).scalar_one() == "lz4"
    database.engine.dispose()
