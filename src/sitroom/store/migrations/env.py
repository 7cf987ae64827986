"""Alembic environment: runs on the engine sitroom hands over, never on a URL of its own."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from sitroom.store import (  # noqa: F401  (registers tables)
    account_tables,
    analysis_tables,
    field_tables,
)
from sitroom.store.tables import Base

engine: Engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
