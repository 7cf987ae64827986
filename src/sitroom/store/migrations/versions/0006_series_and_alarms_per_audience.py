"""series and alarms per audience (who may see the figures they come from)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 19:55:00

Series stored before this were computed from every figure: they become the `all` audience.
The next refresh adds the narrower audiences where restricted figures exist.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience", sa.String(length=24), server_default="all"))
        batch_op.add_column(sa.Column("figure_count", sa.Integer(), server_default="0"))
    op.execute(
        "UPDATE series SET figure_count = (SELECT count(*) FROM figures AS f"
        " WHERE f.measure = series.measure AND f.place = series.place)"
    )
    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.alter_column("audience", nullable=False, server_default=None)
        batch_op.alter_column("figure_count", nullable=False, server_default=None)
        batch_op.drop_constraint("uq_series_measure_place", type_="unique")
        batch_op.create_unique_constraint(
            "uq_series_measure_place_audience", ["measure", "place", "audience"]
        )
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience", sa.String(length=24), server_default="all"))
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.alter_column("audience", nullable=False, server_default=None)
        batch_op.drop_constraint("uq_alarms_key", type_="unique")
        batch_op.create_unique_constraint(
            "uq_alarms_key", ["measure", "place", "audience", "day", "method"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM alarms WHERE audience <> 'all'")
    op.execute(
        "DELETE FROM series_days WHERE series_id IN (SELECT id FROM series WHERE audience <> 'all')"
    )
    op.execute(
        "DELETE FROM conflicts WHERE series_id IN (SELECT id FROM series WHERE audience <> 'all')"
    )
    op.execute("DELETE FROM series WHERE audience <> 'all'")
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.drop_constraint("uq_alarms_key", type_="unique")
        batch_op.create_unique_constraint("uq_alarms_key", ["measure", "place", "day", "method"])
        batch_op.drop_column("audience")
    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.drop_constraint("uq_series_measure_place_audience", type_="unique")
        batch_op.create_unique_constraint("uq_series_measure_place", ["measure", "place"])
        batch_op.drop_column("figure_count")
        batch_op.drop_column("audience")
