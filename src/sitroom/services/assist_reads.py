"""Requests, offers and the pipeline as a user may read them. A request is read under the
sharing rule of domain.accounts; an offer also by the organisation whose request it answers
(the recipient sees what it is offered, whoever made the offer)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from ..analysis.assist.pipeline import Pipeline, pipeline
from ..analysis.assist.summaries import Tally, by_provider, by_recipient
from ..domain.accounts import Ownership, Sharing, User, sees_everything
from ..domain.assistance import Offer, OfferStatus, RequestItem
from ..store import assistance_mapping as mapping
from ..store.assistance_tables import OfferEventRow, OfferRow, RequestItemRow
from .access import Owned, visible


@dataclass(frozen=True, slots=True)
class OfferView:
    offer: Offer
    version: int
    owner: Ownership
    owner_name: str | None = None


@dataclass(frozen=True, slots=True)
class OfferEvent:
    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    quantity: float | None
    note: str


def offer_visible(user: User) -> ColumnElement[bool]:
    rule = visible(user, OfferRow.__table__)
    if sees_everything(user) or user.organisation_id is None:
        return rule
    return or_(rule, OfferRow.recipient_organisation_id == user.organisation_id)


def requests(session: Session, user: User, country: str | None = None) -> list[Owned[RequestItem]]:
    table = RequestItemRow.__table__
    query = select(table).where(visible(user, table)).order_by(RequestItemRow.ref)
    if country:
        query = query.where(RequestItemRow.country == country)
    return [
        Owned(mapping.request_from_row(r), r["organisation_id"], Sharing(r["sharing"]))
        for r in session.execute(query).mappings()
    ]


def request_owner(session: Session, request: str | None) -> Ownership | None:
    """Who owns a request: the owner of its lines (the first one, should they differ)."""
    if not request:
        return None
    row = session.execute(
        select(RequestItemRow.organisation_id, RequestItemRow.sharing)
        .where(RequestItemRow.request == request)
        .order_by(RequestItemRow.id)
        .limit(1)
    ).first()
    return None if row is None else Ownership(row[0], Sharing(row[1]))


def offers(
    session: Session,
    user: User,
    *,
    status: OfferStatus | None = None,
    request: str | None = None,
    provider: str | None = None,
) -> list[OfferView]:
    table = OfferRow.__table__
    query = select(table).where(offer_visible(user)).order_by(OfferRow.ref)
    if status is not None:
        query = query.where(OfferRow.status == status.value)
    if request:
        query = query.where(OfferRow.request == request)
    if provider:
        query = query.where(OfferRow.provider == provider)
    return [_view(r) for r in session.execute(query).mappings()]


def offer(session: Session, user: User, ref: str) -> OfferView | None:
    query = select(OfferRow.__table__).where(OfferRow.ref == ref.upper(), offer_visible(user))
    row = session.execute(query).mappings().first()
    return None if row is None else _view(row)


def _view(row: Any) -> OfferView:
    owner = Ownership(row["organisation_id"], Sharing(row["sharing"]))
    return OfferView(mapping.offer_from_row(row), row["version"], owner)


def events(session: Session, user: User, ref: str) -> list[OfferEvent] | None:
    if offer(session, user, ref) is None:
        return None
    rows = session.scalars(
        select(OfferEventRow)
        .where(OfferEventRow.offer_ref == ref.upper())
        .order_by(OfferEventRow.id)
    )
    return [OfferEvent(e.at, e.actor, e.from_status, e.to_status, e.quantity, e.note) for e in rows]


@dataclass(frozen=True, slots=True)
class PipelineView:
    pipeline: Pipeline
    providers: list[Tally]
    recipients: list[Tally]


def pipeline_view(
    session: Session, user: User, day: date, country: str | None = None
) -> PipelineView:
    """The pipeline on `day` from what the user may read; `country` narrows it to one
    recipient (offers shared between several countries included)."""
    lines = [o.record for o in requests(session, user)]
    found = [v.offer for v in offers(session, user)]
    pipe = pipeline(lines, found, day)
    if country:
        # Narrowed after the whole is computed: an offer revised by one to another country
        # must still stop counting.
        kept = [x for x in pipe.lines if country in x.recipient.split("+")]
        pipe = Pipeline(pipe.day, kept, pipe.skipped_superseded)
        found = [o for o in found if country in o.recipients]
    return PipelineView(pipe, by_provider(found, day, pipe.skipped_superseded), by_recipient(pipe))


def every_request(session: Session) -> Iterator[RequestItem]:
    """Every stored request line, for the operator's exports."""
    query = select(RequestItemRow.__table__).order_by(RequestItemRow.id)
    for row in session.execute(query).mappings():
        yield mapping.request_from_row(row)


def every_offer(session: Session) -> Iterator[Offer]:
    query = select(OfferRow.__table__).order_by(OfferRow.id)
    for row in session.execute(query).mappings():
        yield mapping.offer_from_row(row)
