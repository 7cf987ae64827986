"""Who wants to hear about which alarms, and what was already sent to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .tables import Base
from .types import UtcDateTime


class SubscriptionRow(Base):
    """One person's wish to be told about alarms at some places, of some measures, from a
    level up, through one channel (an email address or a webhook URL)."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    places: Mapped[list[str]] = mapped_column(JSON)
    measures: Mapped[list[str]] = mapped_column(JSON)
    min_level: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(2000))
    # The webhook's signing key: HMAC needs it in clear to sign; it is shown once, when made.
    secret: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DeliveryRow(Base):
    """A notification that went out: one per subscription, alarm and alarm state. A delivery
    that finds its row skips the send, so a retried job sends only what is missing."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "alarm_id", "state", name="uq_deliveries_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    alarm_id: Mapped[int] = mapped_column(ForeignKey("alarms.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
