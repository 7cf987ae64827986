"""Deliver the notifications that alarms call for: each subscription that wants an alarm, and
whose owner may read the figures it was computed from, hears about each state of it once.

Idempotency: a delivery is recorded per subscription × alarm × alarm state. Each notification
is sent inside the transaction that records it: the record is inserted first (a concurrent
worker delivering the same notification waits on the unique key, then finds it sent), the
message goes out, then the transaction commits. A failed send rolls its record back, so a
retry sends exactly what is missing. The one duplicate possible is a crash (or a lost
database connection) after the receiver accepted the message and before the commit: the
record is lost and the retry sends it again. Receivers can drop such a repeat by the
notification key (webhook header X-Sitroom-Delivery, the mail's Message-ID)."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...config import Settings
from ...domain.audiences import audiences_of
from ...domain.errors import InvalidValue
from ...domain.measures import Measure
from ...domain.subscriptions import Channel
from ...notify_settings import NotificationSettings
from ...store.account_tables import UserRow
from ...store.analysis_tables import AlarmRow
from ...store.engine import UnitOfWork, make_engine
from ...store.notification_tables import DeliveryRow, SubscriptionRow
from .. import series_reads
from ..accounts import user_of
from ..alarms import alarm_of, seen_in
from .mail import send_email
from .messages import Notice
from .subscriptions import subscription_of
from .webhook import send_webhook


class NotificationsFailed(RuntimeError):
    """Some notifications could not be sent. Those that went out are recorded: run the same
    delivery again (the queue's retry) and it sends only the others."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        listed = "; ".join(f"{key}: {reason}" for key, reason in failures[:5])
        super().__init__(f"{len(failures)} notifications not sent ({listed})")


@dataclass(frozen=True, slots=True)
class Pending:
    notice: Notice
    channel: Channel
    target: str
    secret: str | None


def deliver_alarm_notifications(settings: Settings, alarm_ids: Sequence[int]) -> None:
    """Send what the alarms `alarm_ids` (in their current state) call for and was not sent
    yet. Raises NotificationsFailed when any send failed, after trying every one."""
    engine = make_engine(settings)
    try:
        deliver(engine, settings.notifications, alarm_ids)
    finally:
        engine.dispose()


def deliver(
    engine: Engine,
    settings: NotificationSettings,
    alarm_ids: Sequence[int],
    *,
    now: datetime | None = None,
) -> int:
    """How many notifications were sent; see deliver_alarm_notifications."""
    with Session(engine) as session:
        pending = pending_notifications(session, alarm_ids)
    failures = []
    sent = 0
    for item in pending:
        try:
            sent += _send_and_record(engine, settings, item, now or datetime.now(UTC))
        except (OSError, smtplib.SMTPException, InvalidValue) as exc:
            # OSError covers refused connections, timeouts, TLS and webhook answers;
            # InvalidValue a webhook URL that now resolves somewhere the guard refuses.
            failures.append((item.notice.key, f"{type(exc).__name__}: {exc}"))
    if failures:
        raise NotificationsFailed(failures)
    return sent


def pending_notifications(session: Session, alarm_ids: Sequence[int]) -> list[Pending]:
    """What these alarms call for and was not sent. Three queries, and one more per distinct
    set of audiences among the subscribers."""
    ids = sorted(set(alarm_ids))
    if not ids:
        return []
    alarms = list(session.scalars(select(AlarmRow).where(AlarmRow.id.in_(ids))))
    subscribers = list(
        session.execute(
            select(SubscriptionRow, UserRow)
            .join(UserRow, UserRow.id == SubscriptionRow.user_id)
            .where(SubscriptionRow.active.is_(True))
            .order_by(SubscriptionRow.id)
        )
    )
    done = set(
        session.execute(
            select(DeliveryRow.subscription_id, DeliveryRow.alarm_id, DeliveryRow.state).where(
                DeliveryRow.alarm_id.in_(ids)
            )
        )
    )
    seen_by: dict[tuple[str, ...], dict[tuple[Measure, str], series_reads.SeriesEntry]] = {}
    pending = []
    for row in alarms:
        alarm = alarm_of(row)
        for sub_row, user_row in subscribers:
            subscription = subscription_of(sub_row)
            if (sub_row.id, row.id, row.state) in done or not subscription.wants(alarm):
                continue
            # The subscriber's own visibility: an alarm raised on figures they may not read
            # (another audience's series) never reaches them.
            readers = audiences_of(user_of(user_row))
            if readers not in seen_by:
                seen_by[readers] = series_reads.visible_series(session, readers)
            if not seen_in(seen_by[readers], row):
                continue
            notice = Notice(sub_row.id, row.id, alarm)
            pending.append(Pending(notice, subscription.channel, sub_row.target, sub_row.secret))
    return pending


def _send_and_record(
    engine: Engine, settings: NotificationSettings, item: Pending, now: datetime
) -> int:
    notice = item.notice
    with UnitOfWork(engine) as uow:
        uow.session.add(
            DeliveryRow(
                subscription_id=notice.subscription_id,
                alarm_id=notice.alarm_id,
                state=notice.alarm.state.value,
                sent_at=now,
            )
        )
        try:
            uow.session.flush()
        except IntegrityError:
            return 0  # another worker sent it and recorded it meanwhile
        if item.channel is Channel.EMAIL:
            send_email(settings, item.target, notice)
        else:
            send_webhook(settings, item.target, item.secret or "", notice, now)
        uow.commit()
    return 1
