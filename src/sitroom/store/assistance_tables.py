"""Assistance: request line items, offers (with a version for optimistic concurrency) and each
offer's status moves."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .tables import Base
from .types import UtcDateTime


class RequestItemRow(Base):
    __tablename__ = "assistance_requests"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    request: Mapped[str] = mapped_column(String(40), index=True)
    requested_on: Mapped[str] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2), index=True)
    requester: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    needed_by: Mapped[date | None] = mapped_column(Date)
    destination: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(Text)
    source_published: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(120))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    # Who owns the record and who else may read it (domain.accounts).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sharing: Mapped[str] = mapped_column(String(16), server_default="shared")


class OfferRow(Base):
    __tablename__ = "assistance_offers"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("value_eur >= 0", name="value_not_negative"),
        CheckConstraint(
            "delivered_quantity >= 0 AND (quantity IS NULL OR delivered_quantity <= quantity)",
            name="delivered_within_offered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    request: Mapped[str | None] = mapped_column(String(40), index=True)
    provider: Mapped[str] = mapped_column(String(120), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    value_eur: Mapped[float | None] = mapped_column(Float)
    recipients: Mapped[str] = mapped_column(String(200))
    destination: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), index=True)
    offered_on: Mapped[str | None] = mapped_column(String(10))
    accepted_on: Mapped[str | None] = mapped_column(String(10))
    dispatched_on: Mapped[str | None] = mapped_column(String(10))
    delivered_on: Mapped[str | None] = mapped_column(String(10))
    available_on: Mapped[date | None] = mapped_column(Date)
    delivered_quantity: Mapped[float] = mapped_column(Float, default=0.0)
    package: Mapped[str | None] = mapped_column(String(40))
    is_package: Mapped[bool] = mapped_column(Boolean, default=False)
    supersedes: Mapped[str] = mapped_column(String(400), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(Text)
    source_published: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(120))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Bumped by every change: a move made on a stale copy is refused, never applied twice.
    version: Mapped[int] = mapped_column(Integer, default=1)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sharing: Mapped[str] = mapped_column(String(16), server_default="shared")
    # The organisation that asked (owner of the request answered): it sees the offer too.
    recipient_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))


class OfferEventRow(Base):
    """Each status move and each partial delivery, with who made it and when."""

    __tablename__ = "assistance_offer_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_ref: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    quantity: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
