"""field reporting: phones' app credentials, OpenRosa submissions and their attachments

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-05 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sitroom.store.types import UtcDateTime

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "field_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_field_devices_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_field_devices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_devices")),
        sa.UniqueConstraint("login", name=op.f("uq_field_devices_login")),
    )
    with op.batch_alter_table("field_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_field_devices_user_id"), ["user_id"], unique=False)

    op.create_table(
        "field_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=100), nullable=False),
        sa.Column("form_id", sa.String(length=60), nullable=False),
        sa.Column("form_version", sa.String(length=40), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.String(length=120), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("xml_sha256", sa.String(length=64), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=True),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("phone_id", sa.String(length=120), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("altitude", sa.Float(), nullable=True),
        sa.Column("accuracy", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_field_submissions_batch_id_import_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["field_devices.id"],
            name=op.f("fk_field_submissions_device_id_field_devices"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_field_submissions_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_submissions")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_field_submissions_instance_id")),
    )
    with op.batch_alter_table("field_submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_field_submissions_device_id"), ["device_id"], unique=False
        )

    op.create_table(
        "field_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=260), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["field_submissions.id"],
            name=op.f("fk_field_attachments_submission_id_field_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_attachments")),
        sa.UniqueConstraint(
            "submission_id", "name", name=op.f("uq_field_attachments_submission_id")
        ),
    )
    with op.batch_alter_table("field_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_field_attachments_sha256"), ["sha256"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_field_attachments_submission_id"), ["submission_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("field_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_attachments_submission_id"))
        batch_op.drop_index(batch_op.f("ix_field_attachments_sha256"))
    op.drop_table("field_attachments")
    with op.batch_alter_table("field_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_submissions_device_id"))
    op.drop_table("field_submissions")
    with op.batch_alter_table("field_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_devices_user_id"))
    op.drop_table("field_devices")
