"""api_tokens: scope, expiry and the token that minted each; login_failures for the throttle;
indexes that let the newest incidents, incident totals and figures be read without a sort

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sitroom.store.types import UtcDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=8), server_default="write", nullable=False)
        )
        batch_op.add_column(sa.Column("expires_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("made_by_token_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_api_tokens_made_by_token_id_api_tokens",
            "api_tokens",
            ["made_by_token_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_api_tokens_made_by_token_id", ["made_by_token_id"], unique=False)
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_failures"),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"], unique=False)
    op.drop_index("ix_incidents_section_day", table_name="incidents")
    op.drop_index("ix_incidents_country_day", table_name="incidents")
    for name, columns in WIDER_INDEXES.items():
        op.create_index(name, "incidents", columns, unique=False)
    op.create_index("ix_incidents_day", "incidents", ["day", "id"], unique=False)
    op.create_index("ix_figures_period_start", "figures", ["period_start", "id"], unique=False)


WIDER_INDEXES = {
    "ix_incidents_section_day": ["section", "day", "category"],
    "ix_incidents_country_day": ["country", "day", "section", "category"],
    "ix_incidents_day_section": ["day", "section", "category"],
}


def downgrade() -> None:
    op.drop_index("ix_figures_period_start", table_name="figures")
    op.drop_index("ix_incidents_day", table_name="incidents")
    for name in WIDER_INDEXES:
        op.drop_index(name, table_name="incidents")
    op.create_index("ix_incidents_section_day", "incidents", ["section", "day"], unique=False)
    op.create_index("ix_incidents_country_day", "incidents", ["country", "day"], unique=False)
    op.drop_index("ix_login_failures_key_at", table_name="login_failures")
    op.drop_table("login_failures")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_api_tokens_made_by_token_id")
        batch_op.drop_constraint("fk_api_tokens_made_by_token_id_api_tokens", type_="foreignkey")
        batch_op.drop_column("made_by_token_id")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scope")
