"""series conflicts and alarms

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 18:04:05.879271
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sitroom.store.types import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alarms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("place", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("observed", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("raised_at", UtcDateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=120), nullable=True),
        sa.Column("acknowledged_reason", sa.Text(), nullable=True),
        sa.Column("closed_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarms")),
        sa.UniqueConstraint("measure", "place", "day", "method", name="uq_alarms_key"),
    )
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.create_index("ix_alarms_state_day", ["state", "day"], unique=False)

    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("place", sa.String(length=64), nullable=False),
        sa.Column("nature", sa.String(length=8), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("inputs", sa.String(length=64), nullable=False),
        sa.Column("computed_at", UtcDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
        sa.UniqueConstraint("measure", "place", name="uq_series_measure_place"),
    )
    op.create_table(
        "conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("winner_refs", sa.JSON(), nullable=False),
        sa.Column("loser_refs", sa.JSON(), nullable=False),
        sa.Column("gap", sa.Float(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["series.id"],
            name=op.f("fk_conflicts_series_id_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflicts")),
    )
    with op.batch_alter_table("conflicts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conflicts_series_id"), ["series_id"], unique=False)

    op.create_table(
        "series_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("estimate", sa.Float(), nullable=False),
        sa.Column("lower80", sa.Float(), nullable=False),
        sa.Column("upper80", sa.Float(), nullable=False),
        sa.Column("lower95", sa.Float(), nullable=False),
        sa.Column("upper95", sa.Float(), nullable=False),
        sa.Column("mark", sa.String(length=12), nullable=False),
        sa.Column("shaped_by", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["series.id"],
            name=op.f("fk_series_days_series_id_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_days")),
    )
    with op.batch_alter_table("series_days", schema=None) as batch_op:
        batch_op.create_index("ix_series_days_series_day", ["series_id", "day"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("series_days", schema=None) as batch_op:
        batch_op.drop_index("ix_series_days_series_day")

    op.drop_table("series_days")
    with op.batch_alter_table("conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflicts_series_id"))

    op.drop_table("conflicts")
    op.drop_table("series")
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.drop_index("ix_alarms_state_day")

    op.drop_table("alarms")
