"""Alembic environment: migrations run on the connection addonhub.db.migrate hands over."""

from alembic import context

from addonhub.models import Base, include_name

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_name=include_name,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
