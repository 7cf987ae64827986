"""The assistance pipeline as of a day: per request and item, what was asked, offered, accepted,
in transit, delivered and is still uncovered, across every channel at once.

Dates known only to the month count from the month's last day (a pledge "in July 2021" is
surely known by 31 July, not surely by the 4th). An offer that ended accepted, dispatched or
delivered counts as accepted from its acceptance date, or, when no acceptance was recorded
(as in published data), from the day it became known. An offer stops counting once an offer
that revises it (`supersedes`) is known; a package row's value counts instead of its items'
values once it is known. Quantities of different items are never added together; shelter and
bedding items also count in places (persons they shelter or bed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ...domain.assistance import Offer, OfferStatus, RequestItem, partial_day
from ...domain.assistance_items import Item

UNSOLICITED = "(unsolicited)"


def known_on(offer: Offer) -> date | None:
    """The day the offer was surely known: the earliest of its dates, each read as late as its
    precision allows; the source's publication date when the offer has none."""
    days = [
        d
        for d in (
            partial_day(offer.offered_on),
            partial_day(offer.accepted_on),
            partial_day(offer.dispatched_on),
            partial_day(offer.delivered_on),
        )
        if d is not None
    ]
    if days:
        return min(days)
    return partial_day(offer.source_published)


@dataclass(frozen=True, slots=True)
class Stage:
    """Where one offer stood on the day, and how much of it is where."""

    status: OfferStatus
    delivered: float
    in_transit: float
    accepted: float
    pending: float


def stage_on(offer: Offer, day: date) -> Stage | None:
    """None when the offer was not yet known on `day`."""
    known = known_on(offer)
    if known is None or known > day:
        return None
    qty = offer.quantity or 0.0
    if offer.status in (OfferStatus.DECLINED, OfferStatus.WITHDRAWN):
        return Stage(offer.status, 0.0, 0.0, 0.0, 0.0)
    if offer.status is OfferStatus.OFFERED:
        return Stage(OfferStatus.OFFERED, 0.0, 0.0, 0.0, qty)
    delivered_on = partial_day(offer.delivered_on)
    if offer.status is OfferStatus.DELIVERED and delivered_on is not None and delivered_on <= day:
        return Stage(OfferStatus.DELIVERED, offer.delivered_quantity or qty, 0.0, 0.0, 0.0)
    accepted_on = partial_day(offer.accepted_on) or known
    if accepted_on > day:
        return Stage(OfferStatus.OFFERED, 0.0, 0.0, 0.0, qty)
    dispatched_on = partial_day(offer.dispatched_on)
    if dispatched_on is not None and dispatched_on <= day:
        arrived = offer.delivered_quantity if offer.status is OfferStatus.DISPATCHED else 0.0
        return Stage(OfferStatus.DISPATCHED, arrived, max(0.0, qty - arrived), 0.0, 0.0)
    return Stage(OfferStatus.ACCEPTED, 0.0, 0.0, qty, 0.0)


@dataclass(slots=True)
class Line:
    """One row of the pipeline: a request (or the unsolicited offers to a recipient) and item."""

    request: str
    recipient: str
    item: Item
    asked: float | None = None
    asked_lines: int = 0
    needed_by: date | None = None
    offered: float = 0.0
    pending: float = 0.0
    accepted: float = 0.0
    in_transit: float = 0.0
    delivered: float = 0.0
    value_eur: float = 0.0
    offers: int = 0
    offers_without_quantity: int = 0
    declined: int = 0
    providers: set[str] = field(default_factory=set)
    offer_refs: list[str] = field(default_factory=list)

    @property
    def covered(self) -> float:
        return self.accepted + self.in_transit + self.delivered

    @property
    def uncovered(self) -> float | None:
        """What nobody has committed to send; None when the request gave no quantity."""
        if self.asked is None:
            return None
        return max(0.0, self.asked - self.covered)

    def places(self, amount: float) -> float | None:
        return amount * self.item.persons if self.item.persons else None


@dataclass(frozen=True, slots=True)
class Pipeline:
    day: date
    lines: list[Line]
    skipped_superseded: list[str]

    def by(self, key: str) -> dict[str, list[Line]]:
        grouped: dict[str, list[Line]] = defaultdict(list)
        for line in self.lines:
            grouped[getattr(line, key)].append(line)
        return dict(grouped)


def pipeline(requests: Iterable[RequestItem], offers: Iterable[Offer], day: date) -> Pipeline:
    requests, offers = list(requests), list(offers)
    lines: dict[tuple[str, str], Line] = {}
    country_of: dict[str, str] = {}
    for req in requests:
        asked_on = partial_day(req.requested_on)
        if asked_on is not None and asked_on > day:
            continue
        country_of.setdefault(req.request, req.country)
        line = lines.setdefault(
            (req.request, req.item.key), Line(req.request, req.country, req.item)
        )
        line.asked_lines += 1
        if req.quantity is not None:
            line.asked = (line.asked or 0.0) + req.quantity
        if req.needed_by and (line.needed_by is None or req.needed_by < line.needed_by):
            line.needed_by = req.needed_by
    known = {o.ref: known_on(o) for o in offers}
    visible = {ref for ref, k in known.items() if k is not None and k <= day}
    superseded = {
        old
        for o in offers
        if o.ref in visible
        for old in o.supersedes
        if o.status.open or o.status is OfferStatus.DELIVERED
    }
    for offer in offers:
        if offer.ref not in visible or offer.ref in superseded:
            continue
        stage = stage_on(offer, day)
        if stage is None:
            continue
        request = offer.request if offer.request in country_of else None
        recipient = country_of.get(request or "", "") or "+".join(offer.recipients)
        key = (request or f"{UNSOLICITED} {recipient}", offer.item.key)
        line = lines.setdefault(key, Line(key[0], recipient, offer.item))
        _add(line, offer, stage, package_counts=offer.package in visible)
    ordered = sorted(lines.values(), key=lambda x: (x.recipient, x.request, x.item.key))
    return Pipeline(day, ordered, sorted(superseded & visible))


def _add(line: Line, offer: Offer, stage: Stage, *, package_counts: bool) -> None:
    line.offer_refs.append(offer.ref)
    if stage.status in (OfferStatus.DECLINED, OfferStatus.WITHDRAWN):
        line.declined += 1
        return
    line.offers += 1
    line.providers.add(offer.provider)
    if offer.value_eur and not (offer.package and package_counts):
        line.value_eur += offer.value_eur
    if offer.quantity is None:
        line.offers_without_quantity += 1
        return
    line.offered += offer.quantity
    line.pending += stage.pending
    line.accepted += stage.accepted
    line.in_transit += stage.in_transit
    line.delivered += stage.delivered
