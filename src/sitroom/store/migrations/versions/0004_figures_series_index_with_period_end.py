"""figures: period_end in the series index

Listing a series over a window filters on period_start and period_end and sorts by both (then
id); with period_end in the index SQLite and PostgreSQL test the window on index entries alone,
read only the rows inside it, and need no sort.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 18:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.drop_index("ix_figures_series")
        batch_op.create_index(
            "ix_figures_series",
            ["measure", "country", "period_start", "period_end"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.drop_index("ix_figures_series")
        batch_op.create_index(
            "ix_figures_series", ["measure", "country", "period_start"], unique=False
        )
