"""Changes to requests and offers: each checks who may make it (domain.assistance), changes one
offer under its version, records the move and an audit entry, and commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from ..domain.accounts import Ownership, Sharing, User
from ..domain.assistance import (
    OfferStatus,
    TransitionRefused,
    check_move,
    may_edit_offer,
    may_move_offer,
)
from ..domain.assistance_items import check_quantity
from ..domain.errors import InvalidValue
from ..interchange.records.schema import RecordKind
from ..store.assistance_tables import OfferEventRow, OfferRow
from ..store.engine import UnitOfWork
from . import audit, entries
from .accounts import NotAllowed
from .assist_reads import offer_visible, request_owner

_LIFECYCLE_CELLS = ("status", "accepted_on", "dispatched_on", "delivered_on", "delivered_quantity")
_DATE_OF = {
    OfferStatus.ACCEPTED: "accepted_on",
    OfferStatus.DISPATCHED: "dispatched_on",
    OfferStatus.DELIVERED: "delivered_on",
}


class Conflict(Exception):
    """The offer changed since the caller read it (or at the same moment): nothing was done."""


@dataclass(frozen=True, slots=True)
class Moved:
    ref: str
    status: OfferStatus
    delivered_quantity: float
    version: int


def post_request(
    engine: Engine, user: User, cells: dict[str, str], *, sharing: Sharing = Sharing.SHARED
) -> entries.EntryResult:
    """A request line item, through the importer's parsing and checks, owned by the user's
    organisation. Requests are shared by default: they are meant to be answered."""
    return entries.report_record(engine, user, RecordKind.REQUESTS, cells, sharing=sharing)


def post_offer(
    engine: Engine, user: User, cells: dict[str, str], *, sharing: Sharing = Sharing.RESTRICTED
) -> entries.EntryResult:
    """A new offer starts as offered, whatever the form says: it moves only through
    `move_offer`. It is visible to its provider, to coordinators and to the organisation whose
    request it answers."""
    cells = {k: v for k, v in cells.items() if k not in _LIFECYCLE_CELLS}
    # Offered today unless the form says when: an undated offer would never show in a pipeline.
    cells["offered_on"] = cells.get("offered_on") or datetime.now(UTC).date().isoformat()
    return entries.report_record(engine, user, RecordKind.OFFERS, cells, sharing=sharing)


def _visible_row(session: Session, user: User, ref: str) -> OfferRow | None:
    return session.scalars(
        select(OfferRow).where(OfferRow.ref == ref.upper(), offer_visible(user))
    ).first()


def move_offer(
    engine: Engine,
    user: User,
    ref: str,
    target: OfferStatus,
    *,
    version: int | None = None,
    quantity: float | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Moved | None:
    """Move an offer on. None when the user cannot see it. A delivery may be partial
    (`quantity`): the offer stays dispatched until all of it has arrived. `version`, when
    given, is the one the caller read: a stale one is a Conflict."""
    now = now or datetime.now(UTC)
    with UnitOfWork(engine) as uow:
        row = _visible_row(uow.session, user, ref)
        if row is None:
            return None
        owner = Ownership(row.organisation_id, Sharing(row.sharing))
        if not may_move_offer(user, owner, request_owner(uow.session, row.request), target):
            raise NotAllowed(_why_not(target))
        if version is not None and version != row.version:
            raise Conflict(
                f"{row.ref} was changed since you read it (now version {row.version}, "
                f"{row.status}); reload and decide again"
            )
        current = OfferStatus(row.status)
        if current is target:
            raise Conflict(f"{row.ref} is already {target.value}: someone did it before you")
        before = {"status": row.status, "delivered_quantity": row.delivered_quantity}
        values: dict[str, Any] = {"version": row.version + 1}
        moved_quantity: float | None = None
        if target is OfferStatus.DELIVERED:
            check_move(current, target)
            moved_quantity = _delivery(row, quantity)
            delivered = row.delivered_quantity + moved_quantity
            values["delivered_quantity"] = delivered
            done = row.quantity is None or delivered >= row.quantity
            target = OfferStatus.DELIVERED if done else OfferStatus.DISPATCHED
        else:
            if quantity is not None:
                raise InvalidValue("a quantity goes only with a delivery")
            check_move(current, target)
        values["status"] = target.value
        if target in _DATE_OF:
            values[_DATE_OF[target]] = now.date().isoformat()
        changed = uow.session.execute(
            update(OfferRow)
            .where(OfferRow.id == row.id, OfferRow.version == row.version)
            .values(**values)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"{row.ref} was changed by someone else at the same moment; reload")
        uow.session.add(
            OfferEventRow(
                offer_ref=row.ref,
                at=now,
                actor=user.username,
                organisation_id=user.organisation_id,
                from_status=current.value,
                to_status=target.value,
                quantity=moved_quantity,
                note=note[:2000],
            )
        )
        after = {k: v for k, v in values.items() if k != "version"}
        audit.record(
            uow.session,
            user,
            "move",
            "offers",
            row.ref,
            before=before,
            after=after,
            note=note,
            now=now,
        )
        uow.commit()
        return Moved(
            row.ref,
            target,
            values.get("delivered_quantity", before["delivered_quantity"]),
            values["version"],
        )


def _delivery(row: OfferRow, quantity: float | None) -> float:
    if quantity is None:
        if row.quantity is None:
            return 0.0
        return row.quantity - row.delivered_quantity
    check_quantity(quantity, row.unit)
    if row.quantity is not None and row.delivered_quantity + quantity > row.quantity:
        remaining = row.quantity - row.delivered_quantity
        raise InvalidValue(
            f"a delivery of {quantity:g} {row.unit} is more than the {remaining:g} still to "
            f"come of the {row.quantity:g} offered"
        )
    return quantity


def _why_not(target: OfferStatus) -> str:
    if target in (OfferStatus.ACCEPTED, OfferStatus.DECLINED):
        return "only the organisation that asked, or a coordinator, accepts or declines an offer"
    if target is OfferStatus.DELIVERED:
        return "only the recipient, the provider or a coordinator confirms a delivery"
    return "only the provider's organisation, or a coordinator, changes its offer"


EDITABLE = ("quantity", "value_eur", "available_on", "note")


def edit_offer(
    engine: Engine,
    user: User,
    ref: str,
    changes: dict[str, Any],
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Moved | None:
    """Change what an open offer holds (quantity, value, earliest arrival, note);
    only its provider or a coordinator may."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidValue(
            f"cannot edit {', '.join(sorted(unknown))}; editable: {', '.join(EDITABLE)}"
        )
    with UnitOfWork(engine) as uow:
        row = _visible_row(uow.session, user, ref)
        if row is None:
            return None
        if not may_edit_offer(user, Ownership(row.organisation_id, Sharing(row.sharing))):
            raise NotAllowed("only the provider's organisation, or a coordinator, edits an offer")
        if version is not None and version != row.version:
            raise Conflict(f"{row.ref} was changed since you read it; reload")
        if not OfferStatus(row.status).open:
            raise TransitionRefused(f"{row.ref} is {row.status}: a closed offer is not edited")
        values = _checked_edits(row, changes)
        version, status, delivered = (
            row.version + 1,
            OfferStatus(row.status),
            row.delivered_quantity,
        )
        before = {k: _plain(getattr(row, k)) for k in values}
        result = uow.session.execute(
            update(OfferRow)
            .where(OfferRow.id == row.id, OfferRow.version == row.version)
            .values(**values, version=version)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"{row.ref} was changed by someone else at the same moment; reload")
        after = {k: _plain(v) for k, v in values.items()}
        audit.record(
            uow.session, user, "change", "offers", row.ref, before=before, after=after, now=now
        )
        uow.commit()
        return Moved(ref.upper(), status, delivered, version)


def _checked_edits(row: OfferRow, changes: dict[str, Any]) -> dict[str, Any]:
    values = dict(changes)
    if values.get("quantity") is not None:
        quantity = check_quantity(float(values["quantity"]), row.unit)
        if quantity < row.delivered_quantity:
            raise InvalidValue(
                f"{quantity:g} is less than the {row.delivered_quantity:g} delivered"
            )
        values["quantity"] = quantity
    if values.get("value_eur") is not None:
        values["value_eur"] = check_quantity(float(values["value_eur"]), "EUR")
    if "note" in values:
        values["note"] = str(values["note"] or "")[:4000]
    if isinstance(values.get("available_on"), str):
        values["available_on"] = date.fromisoformat(values["available_on"])
    return values


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
