"""The allocation proposal from what is stored, and the coordinator's acceptance of it; and a
draft request from a site's capacity runway. A proposal is only read: nothing is committed
until a coordinator accepts (some of) its moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from ..analysis.assist.allocate import Allocation, Need, Supply, allocate, greedy
from ..analysis.assist.draft import DraftRequest, draft_request
from ..analysis.assist.pipeline import UNSOLICITED, known_on
from ..analysis.needs import Climate
from ..domain.accounts import User, can_write, sees_everything
from ..domain.assistance import OfferStatus, partial_day
from ..domain.errors import InvalidValue
from ..store.assistance_tables import OfferEventRow, OfferRow
from ..store.engine import UnitOfWork
from . import assist_reads, audit, foresight
from .accounts import NotAllowed
from .assist_writes import Conflict


@dataclass(frozen=True, slots=True)
class Proposal:
    day: date
    needs: list[Need]
    supplies: list[Supply]
    allocation: Allocation
    greedy: Allocation


def propose(session: Session, user: User, day: date) -> Proposal:
    """Uncovered request lines (as of `day`) against offers still waiting for an answer."""
    view = assist_reads.pipeline_view(session, user, day)
    requests = [o.record for o in assist_reads.requests(session, user)]
    weight: dict[tuple[str, str], float] = {}
    posted: dict[str, date] = {}
    for req in requests:
        key = (req.request, req.item.key)
        weight[key] = max(weight.get(key, 0.0), req.priority.weight)
        asked = partial_day(req.requested_on) or day
        posted[req.request] = min(posted.get(req.request, asked), asked)
    needs = [
        Need(
            key=f"{line.request}|{line.item.key}",
            item=line.item.key,
            quantity=line.uncovered or 0.0,
            weight=weight.get((line.request, line.item.key), 2.0),
            destination=line.recipient,
            needed_by=line.needed_by,
            order=posted.get(line.request, day).toordinal(),
            whole=line.item.unit != "EUR",
        )
        for line in view.pipeline.lines
        if not line.request.startswith(UNSOLICITED) and (line.uncovered or 0) > 0
    ]
    supplies = []
    for found in assist_reads.offers(session, user, status=OfferStatus.OFFERED):
        offer = found.offer
        if offer.quantity is None or offer.is_package:
            continue
        known = known_on(offer)
        if known is not None and known > day:
            continue
        supplies.append(
            Supply(
                key=offer.ref,
                item=offer.item.key,
                quantity=offer.quantity,
                provider=offer.provider,
                destinations=frozenset(offer.recipients) or None,
                available_on=offer.available_on,
                order=(known or day).toordinal(),
            )
        )
    return Proposal(day, needs, supplies, allocate(needs, supplies), greedy(needs, supplies))


@dataclass(frozen=True, slots=True)
class AcceptedMove:
    offer: str
    request: str
    quantity: float
    accepted_as: str


def accept_moves(
    engine: Engine,
    user: User,
    moves: list[tuple[str, str, float]],
    *,
    now: datetime | None = None,
) -> list[AcceptedMove]:
    """Accept (offer ref, request ref, quantity) moves of a proposal, all or none. A move of
    part of an offer splits it: the part is a new offer, accepted for that request; the rest
    stays offered."""
    if not (can_write(user) and sees_everything(user)):
        raise NotAllowed("only a coordinator accepts an allocation")
    now = now or datetime.now(UTC)
    done: list[AcceptedMove] = []
    with UnitOfWork(engine) as uow:
        for ref, request, quantity in moves:
            done.append(_accept_one(uow.session, user, ref.upper(), request.upper(), quantity, now))
        uow.commit()
    return done


def _accept_one(
    session: Session, user: User, ref: str, request: str, quantity: float, now: datetime
) -> AcceptedMove:
    row = session.scalars(select(OfferRow).where(OfferRow.ref == ref)).first()
    if row is None:
        raise InvalidValue(f"no offer {ref!r}")
    if row.status != OfferStatus.OFFERED.value:
        raise Conflict(f"{ref} is {row.status} now, no longer waiting for an answer")
    if row.quantity is None or not 0 < quantity <= row.quantity:
        raise InvalidValue(f"{quantity:g} is not a part of the {row.quantity} {row.unit} offered")
    owner = assist_reads.request_owner(session, request)
    if owner is None:
        raise InvalidValue(f"no request {request!r}")
    today = now.date().isoformat()
    accepted = {"status": OfferStatus.ACCEPTED.value, "accepted_on": today, "request": request}
    target = ref
    if quantity < row.quantity:
        target = _split_ref(session, ref)
        copy = {c.key: getattr(row, c.key) for c in OfferRow.__table__.columns if c.key != "id"}
        copy.update(accepted, ref=target, quantity=quantity, version=1, import_batch_id=None)
        copy["recipient_organisation_id"] = owner.organisation_id
        session.add(OfferRow(**copy))
        values: dict[str, object] = {"quantity": row.quantity - quantity}
    else:
        values = {**accepted, "recipient_organisation_id": owner.organisation_id}
    changed = session.execute(
        update(OfferRow)
        .where(OfferRow.id == row.id, OfferRow.version == row.version)
        .values(**values, version=row.version + 1)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"{ref} was changed by someone else at the same moment; reload")
    session.add(
        OfferEventRow(
            offer_ref=target,
            at=now,
            actor=user.username,
            organisation_id=user.organisation_id,
            from_status=OfferStatus.OFFERED.value,
            to_status=OfferStatus.ACCEPTED.value,
            quantity=quantity,
            note=f"allocation: {quantity:g} {row.unit} of {ref} for {request}",
        )
    )
    audit.record(
        session,
        user,
        "allocate",
        "offers",
        target,
        before={"offer": ref, "quantity": row.quantity},
        after={"request": request, "quantity": quantity, "status": "accepted"},
        now=now,
    )
    session.flush()
    return AcceptedMove(ref, request, quantity, target)


def _split_ref(session: Session, ref: str) -> str:
    taken = session.scalar(
        select(func.count()).select_from(OfferRow).where(OfferRow.ref.like(f"{ref}/%"))
    )
    return f"{ref}/{(taken or 0) + 1}"


def draft_for(engine: Engine, place: str, *, climate: Climate = Climate.COLD) -> DraftRequest:
    """What a site's (or a country's) forecast shortfall would need, as a request to edit."""
    answer = foresight.runway(engine, place.upper(), climate=climate)
    runway = answer.runway
    shortfall = float(runway.shortfall_median[-1]) if runway.shortfall_median.size else 0.0
    full = runway.median_full_date
    days = (full - runway.as_of).days if full else None
    return draft_request(
        answer.place,
        shortfall,
        answer.needs,
        full_on=full,
        days_to_full=days,
        place_name=runway.site,
    )
