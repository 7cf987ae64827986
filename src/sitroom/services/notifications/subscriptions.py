"""Subscribe, list, unsubscribe: each person manages their own subscriptions. A subscription
to a place that does not exist (or that its owner may not see) is refused, and so is a webhook
URL the SSRF guard refuses; every change is audited in its own transaction."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ...domain.accounts import User
from ...domain.alarms import AlarmLevel
from ...domain.countries import COUNTRY_CODES
from ...domain.errors import FieldErrors, InvalidValue
from ...domain.measures import Measure
from ...domain.subscriptions import Channel, Subscription
from ...notify_settings import NotificationSettings
from ...store.engine import UnitOfWork
from ...store.notification_tables import SubscriptionRow
from ...store.tables import SectionRow, SiteRow
from .. import audit
from ..access import visible
from .targets import UnsafeTarget, check_webhook_url

MAX_PLACES = 50
# One address, no display name, no line breaks (a line break would add a mail header).
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z]{2,}$")


@dataclass(frozen=True, slots=True)
class SubscriptionRequest:
    places: Sequence[str]
    measures: Sequence[Measure]
    min_level: AlarmLevel
    channel: Channel
    target: str


def subscribe(
    engine: Engine,
    user: User,
    request: SubscriptionRequest,
    *,
    settings: NotificationSettings,
    now: datetime | None = None,
) -> tuple[Subscription, str | None]:
    """The new subscription, and for a webhook its signing secret: shown this once."""
    now = now or datetime.now(UTC)
    places = sorted({p.strip().upper() for p in request.places if p.strip()})
    target = request.target.strip()
    with UnitOfWork(engine) as uow:
        problems = _problems(uow.session, user, places, request.channel, target, settings)
        if problems:
            raise FieldErrors(problems)
        secret = secrets.token_hex(32) if request.channel is Channel.WEBHOOK else None
        row = SubscriptionRow(
            user_id=user.id,
            places=places,
            measures=sorted({m.value for m in request.measures}),
            min_level=request.min_level.value,
            channel=request.channel.value,
            target=target,
            secret=secret,
            active=True,
            created_at=now,
        )
        uow.session.add(row)
        uow.session.flush()
        created = subscription_of(row)
        audit.record(
            uow.session,
            user,
            "create",
            "subscription",
            str(row.id),
            after=_described(created),
            now=now,
        )
        uow.commit()
    return created, secret


def list_subscriptions(session: Session, user: User) -> list[Subscription]:
    query = (
        select(SubscriptionRow)
        .where(SubscriptionRow.user_id == user.id)
        .order_by(SubscriptionRow.id)
    )
    return [subscription_of(row) for row in session.scalars(query)]


def unsubscribe(engine: Engine, user: User, subscription_id: int) -> None:
    with UnitOfWork(engine) as uow:
        row = uow.session.get(SubscriptionRow, subscription_id)
        if row is None or row.user_id != user.id:
            # Someone else's subscription does not exist for this user.
            raise InvalidValue(f"you have no subscription {subscription_id}")
        before = _described(subscription_of(row))
        uow.session.delete(row)
        audit.record(
            uow.session, user, "delete", "subscription", str(subscription_id), before=before
        )
        uow.commit()


def _problems(
    session: Session,
    user: User,
    places: list[str],
    channel: Channel,
    target: str,
    settings: NotificationSettings,
) -> dict[str, str]:
    problems = {}
    if len(places) > MAX_PLACES:
        problems["places"] = f"at most {MAX_PLACES} places in one subscription"
    else:
        known = _known_places(session, user, places)
        unknown = [p for p in places if p not in known]
        if unknown:
            problems["places"] = (
                f"no country, border section or reception site {', '.join(unknown)}"
            )
    if channel is Channel.EMAIL and not _EMAIL.match(target):
        problems["target"] = "give one email address, such as duty@example.org"
    if channel is Channel.WEBHOOK:
        try:
            check_webhook_url(target, allow_loopback=settings.allow_loopback_webhooks)
        except UnsafeTarget as exc:
            problems["target"] = str(exc)
    return problems


def _known_places(session: Session, user: User, places: list[str]) -> set[str]:
    """Of `places`, the countries, sections and the sites the user may see. Two queries."""
    found = {p for p in places if p in COUNTRY_CODES}
    found |= set(session.scalars(select(SectionRow.id).where(SectionRow.id.in_(places))))
    sites = select(SiteRow.id).where(SiteRow.id.in_(places), visible(user, SiteRow.__table__))
    return found | set(session.scalars(sites))


def subscription_of(row: SubscriptionRow) -> Subscription:
    return Subscription(
        id=row.id,
        user_id=row.user_id,
        places=tuple(row.places),
        measures=tuple(Measure(m) for m in row.measures),
        min_level=AlarmLevel(row.min_level),
        channel=Channel(row.channel),
        target=row.target,
        active=row.active,
        created_at=row.created_at,
    )


def _described(s: Subscription) -> dict[str, object]:
    return {
        "places": list(s.places),
        "measures": [m.value for m in s.measures],
        "min_level": s.min_level.value,
        "channel": s.channel.value,
        "target": s.target,
    }
