"""figures and incidents: the content ref is unique per scope (the readers of the record), not
across every record, so that a writer's record is never a duplicate of one they cannot read

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# domain.accounts.storage_scope, as SQL over the stored owner and sharing.
_SCOPES = (
    "UPDATE {table} SET scope = 'org:' || CAST(organisation_id AS VARCHAR) "
    "WHERE sharing = 'restricted' AND organisation_id IS NOT NULL",
    "UPDATE {table} SET scope = 'user:' || entered_by "
    "WHERE sharing = 'restricted' AND organisation_id IS NULL",
)


def upgrade() -> None:
    for table in ("figures", "incidents"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("scope", sa.String(length=80), server_default="shared", nullable=False)
            )
        for statement in _SCOPES:
            op.execute(statement.format(table=table))
    # SQLite rebuilds the table without the constraint; the index takes over its name.
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.drop_constraint("uq_figures_ref", type_="unique")
    op.create_index("uq_figures_ref", "figures", ["ref", "scope"], unique=True)
    op.drop_index("uq_incidents_ref", table_name="incidents")
    op.create_index("uq_incidents_ref", "incidents", ["ref", "scope"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_incidents_ref", table_name="incidents")
    op.create_index("uq_incidents_ref", "incidents", ["ref"], unique=True)
    op.drop_index("uq_figures_ref", table_name="figures")
    with op.batch_alter_table("figures", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_figures_ref", ["ref"])
    for table in ("figures", "incidents"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("scope")
