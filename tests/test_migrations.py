import ast

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from addonhub.config import Settings
from addonhub.db import MIGRATIONS_DIR
from addonhub.store import Store


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


def test_no_migration_imports_the_application():
    # A migration is a snapshot of its day: live code changes under it and would change what it does.
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [name for name in names if name.split(".")[0] == "addonhub"], path.name
