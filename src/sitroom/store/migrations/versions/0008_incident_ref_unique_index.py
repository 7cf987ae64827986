"""incidents: the unique ref becomes a unique index, which a large SQLite load can drop and
build once at the end (a table constraint cannot be dropped in SQLite)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 22:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite rebuilds the table without the constraint; the index takes over its name.
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_constraint("uq_incidents_ref", type_="unique")
    op.create_index("uq_incidents_ref", "incidents", ["ref"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_incidents_ref", table_name="incidents")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_incidents_ref", ["ref"])
