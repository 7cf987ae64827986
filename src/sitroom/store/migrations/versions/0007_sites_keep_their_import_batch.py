"""sites keep the import batch that defined them, so that an upload gives them their owner

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reception_sites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_batch_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reception_sites_import_batch_id_import_batches"),
            "import_batches",
            ["import_batch_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("reception_sites", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_reception_sites_import_batch_id_import_batches"), type_="foreignkey"
        )
        batch_op.drop_column("import_batch_id")
