"""Alembic environment: runs on the engine sitroom hands over, never on a URL of its own."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from sitroom.store import (  # noqa: F401  (registers tables)
    account_tables,
    analysis_tables,
    assistance_tables,
    field_tables,
    notification_tables,
    pipeline_tables,
)
from sitroom.store.tables import Base

engine: Engine = context.config.attributes["engine"]


def _ours(name: str | None, type_: str, _parent: object) -> bool:
    # The job queue's tables (PostgreSQL) belong to procrastinate, which ships their schema:
    # migration 0012 applies it, and autogenerate must not read them as drift.
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_ours,
    )
    with context.begin_transaction():
        context.run_migrations()
