"""assistance: request line items, offers with their version, and each offer's status moves

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 08:07:23.790292
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sitroom.store.types import UtcDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistance_offer_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_ref", sa.String(length=40), nullable=False),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_assistance_offer_events_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_offer_events")),
    )
    with op.batch_alter_table("assistance_offer_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assistance_offer_events_offer_ref"), ["offer_ref"], unique=False
        )

    op.create_table(
        "assistance_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("request", sa.String(length=40), nullable=True),
        sa.Column("provider", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("value_eur", sa.Float(), nullable=True),
        sa.Column("recipients", sa.String(length=200), nullable=False),
        sa.Column("destination", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("offered_on", sa.String(length=10), nullable=True),
        sa.Column("accepted_on", sa.String(length=10), nullable=True),
        sa.Column("dispatched_on", sa.String(length=10), nullable=True),
        sa.Column("delivered_on", sa.String(length=10), nullable=True),
        sa.Column("available_on", sa.Date(), nullable=True),
        sa.Column("delivered_quantity", sa.Float(), nullable=False),
        sa.Column("package", sa.String(length=40), nullable=True),
        sa.Column("is_package", sa.Boolean(), nullable=False),
        sa.Column("supersedes", sa.String(length=400), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("source_published", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=120), nullable=False),
        sa.Column("entered_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("sharing", sa.String(length=16), server_default="shared", nullable=False),
        sa.Column("recipient_organisation_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "delivered_quantity >= 0 AND (quantity IS NULL OR delivered_quantity <= quantity)",
            name=op.f("ck_assistance_offers_delivered_within_offered"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_assistance_offers_quantity_positive")),
        sa.CheckConstraint("value_eur >= 0", name=op.f("ck_assistance_offers_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_assistance_offers_import_batch_id_import_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_assistance_offers_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_assistance_offers_recipient_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_offers")),
        sa.UniqueConstraint("ref", name=op.f("uq_assistance_offers_ref")),
    )
    with op.batch_alter_table("assistance_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assistance_offers_provider"), ["provider"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assistance_offers_request"), ["request"], unique=False)
        batch_op.create_index(batch_op.f("ix_assistance_offers_status"), ["status"], unique=False)

    op.create_table(
        "assistance_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("request", sa.String(length=40), nullable=False),
        sa.Column("requested_on", sa.String(length=10), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("requester", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=True),
        sa.Column("destination", sa.String(length=64), nullable=True),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("source_published", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=120), nullable=False),
        sa.Column("entered_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("sharing", sa.String(length=16), server_default="shared", nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_assistance_requests_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_assistance_requests_import_batch_id_import_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_assistance_requests_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_requests")),
        sa.UniqueConstraint("ref", name=op.f("uq_assistance_requests_ref")),
    )
    with op.batch_alter_table("assistance_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assistance_requests_country"), ["country"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assistance_requests_request"), ["request"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assistance_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistance_requests_request"))
        batch_op.drop_index(batch_op.f("ix_assistance_requests_country"))

    op.drop_table("assistance_requests")
    with op.batch_alter_table("assistance_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistance_offers_status"))
        batch_op.drop_index(batch_op.f("ix_assistance_offers_request"))
        batch_op.drop_index(batch_op.f("ix_assistance_offers_provider"))

    op.drop_table("assistance_offers")
    with op.batch_alter_table("assistance_offer_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistance_offer_events_offer_ref"))

    op.drop_table("assistance_offer_events")
