"""the live pipeline: stale series marks, the record of each recomputation, and on
PostgreSQL the job queue's own tables (procrastinate's schema, as that version ships it)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sitroom.store.types import UtcDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stale_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("place", sa.String(length=64), nullable=False),
        sa.Column("marked_at", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("retry_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stale_series")),
    )
    op.create_index(
        "ix_stale_series_measure_place", "stale_series", ["measure", "place"], unique=False
    )
    op.create_table(
        "pipeline_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=120), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=False),
        sa.Column("figures_up_to", UtcDateTime(), nullable=True),
        sa.Column("series_computed", sa.Integer(), nullable=False),
        sa.Column("alarm_ids", sa.JSON(), nullable=False),
        sa.Column("notified_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_runs")),
    )
    op.create_index("ix_pipeline_runs_finished_at", "pipeline_runs", ["finished_at"])
    # Series stored before the pipeline existed were computed on demand: mark every series
    # with figures once, so that the first run brings them all up to date.
    op.execute(
        "INSERT INTO stale_series (measure, place, marked_at, attempts) "
        "SELECT f.measure, f.place, COALESCE(MAX(b.imported_at), CURRENT_TIMESTAMP), 0 "
        "FROM figures f LEFT JOIN import_batches b ON b.id = f.import_batch_id "
        "GROUP BY f.measure, f.place"
    )
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        op.execute(sa.text(SchemaManager.get_schema()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("events", "periodic_defers", "jobs", "workers"):
            op.execute(f"DROP TABLE IF EXISTS procrastinate_{table} CASCADE")
    op.drop_index("ix_pipeline_runs_finished_at", table_name="pipeline_runs")
    op.drop_table("pipeline_runs")
    op.drop_index("ix_stale_series_measure_place", table_name="stale_series")
    op.drop_table("stale_series")
