"""A delivered shelter or bedding offer raises a site's capacity — as an explicit, audited
step a person takes, never by itself. The new capacity is a figure written through the
figure-writing service (services.entries), so everything that follows figures (series, runway,
the live pipeline's "mark stale") sees it like any other reported capacity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ..domain.accounts import Sharing, User
from ..domain.assistance import OfferStatus, may_move_offer
from ..domain.errors import InvalidValue
from ..domain.measures import Measure
from ..interchange.records.schema import RecordKind
from ..store.tables import FigureRow
from . import access, assist_reads, entries
from .accounts import NotAllowed


@dataclass(frozen=True, slots=True)
class Raised:
    site: str
    day: date
    before: float
    added: float
    capacity: float
    figure: str | None
    errors: dict[str, str]


def source_of(offer_ref: str) -> str:
    return f"sitroom offer {offer_ref}"


def raise_capacity(
    engine: Engine,
    user: User,
    offer_ref: str,
    site_id: str,
    day: date,
    *,
    sharing: Sharing = Sharing.SHARED,
) -> Raised | None:
    """Add the places a delivered offer brings to the site's latest capacity on or before
    `day`. None when the user cannot see the offer or the site."""
    with Session(engine) as session:
        found = assist_reads.offer(session, user, offer_ref)
        site = access.site(session, user, site_id.upper())
        if found is None or site is None:
            return None
        offer = found.offer
        recipient = assist_reads.request_owner(session, offer.request)
        if not may_move_offer(user, found.owner, recipient, OfferStatus.DELIVERED):
            raise NotAllowed("only who confirms the delivery, or a coordinator, raises capacity")
        if not offer.item.persons:
            raise InvalidValue(f"{offer.item.label} shelters or beds nobody: no places to add")
        if offer.delivered_quantity <= 0:
            raise InvalidValue(f"{offer.ref} has no delivery recorded yet")
        if _already(session, offer.ref, site.record.id):
            raise InvalidValue(f"{offer.ref} has already raised the capacity of {site.record.id}")
        before, qualifier = _latest_capacity(session, user, site.record.id, day)
    added = offer.delivered_quantity * offer.item.persons
    cells = {
        "measure": Measure.CAPACITY.value,
        "place": site.record.id,
        "period_start": day.isoformat(),
        "value": f"{before + added:g}",
        "qualifier": qualifier,
        "source_kind": "web_form",
        "source_url": source_of(offer.ref),
        "source_organisation": offer.provider,
        "note": (
            f"capacity {before:g} + {added:g} places from {offer.ref}: "
            f"{offer.delivered_quantity:g} {offer.item.unit} × {offer.item.persons}"
        ),
    }
    result = entries.report_record(engine, user, RecordKind.FIGURES, cells, sharing=sharing)
    return Raised(
        site.record.id, day, before, added, before + added, result.ref, dict(result.errors)
    )


def _already(session: Session, offer_ref: str, site_id: str) -> bool:
    query = select(FigureRow.id).where(
        FigureRow.place == site_id, FigureRow.source_reference == source_of(offer_ref)
    )
    return session.execute(query.limit(1)).first() is not None


def _latest_capacity(session: Session, user: User, site_id: str, day: date) -> tuple[float, str]:
    table = FigureRow.__table__
    row = session.execute(
        select(FigureRow.value, FigureRow.qualifier)
        .where(
            FigureRow.place == site_id,
            FigureRow.measure == Measure.CAPACITY.value,
            FigureRow.period_end <= day,
            access.visible(user, table),
        )
        .order_by(FigureRow.period_end.desc(), FigureRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return 0.0, "at_least"
    return float(row[0]), row[1]
