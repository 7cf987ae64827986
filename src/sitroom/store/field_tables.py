"""Field reporting from phones: the app credentials of each phone, each submission received
over OpenRosa, and the files (photos) that came with it. A phone's password is stored only as
its argon2 hash; a submission keeps its instance XML and the SHA-256 of every file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .tables import Base
from .types import UtcDateTime


class FieldDeviceRow(Base):
    """One phone's credentials, made by a user for themselves: what the phone submits is
    theirs, in the organisation they belonged to when they made it."""

    __tablename__ = "field_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class FieldSubmissionRow(Base):
    """One filled form, stored once per instance ID; `status` says whether its records were
    stored or its rows wait in the quarantine (`batch_id` names them either way)."""

    __tablename__ = "field_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(100), unique=True)
    form_id: Mapped[str] = mapped_column(String(60))
    form_version: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[int] = mapped_column(ForeignKey("field_devices.id"), index=True)
    submitted_by: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    xml_sha256: Mapped[str] = mapped_column(String(64))
    xml: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    records: Mapped[list[list[str]]] = mapped_column(JSON)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    # What the form itself recorded on the phone: when it was opened and closed, the phone's
    # own id, and where it was (WGS84, metres).
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    phone_id: Mapped[str | None] = mapped_column(String(120))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    altitude: Mapped[float | None] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float)


class FieldAttachmentRow(Base):
    """A file sent with a submission, kept once by its SHA-256 (the start of an evidence
    record: what was received, how large, of which type, and its digest)."""

    __tablename__ = "field_attachments"
    __table_args__ = (UniqueConstraint("submission_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("field_submissions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(260))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
