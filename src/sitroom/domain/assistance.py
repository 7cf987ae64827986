"""Assistance: what a state or organisation asks for (request line items) and what providers
offer, with the offer's status rules and who may move it. Pure: no database, no web.

An offer moves offered → accepted → dispatched → delivered, or ends declined or withdrawn;
nothing skips a step or goes back. Deliveries may come in parts: the offer stays dispatched
until what arrived reaches what was offered.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date

from .accounts import Ownership, User, can_change, can_write, sees_everything
from .assistance_items import Channel, Item, NeedCategory, Priority
from .errors import InvalidValue


class OfferStatus(enum.StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def open(self) -> bool:
        return self in (OfferStatus.OFFERED, OfferStatus.ACCEPTED, OfferStatus.DISPATCHED)


NEXT: dict[OfferStatus, frozenset[OfferStatus]] = {
    OfferStatus.OFFERED: frozenset(
        {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN}
    ),
    OfferStatus.ACCEPTED: frozenset({OfferStatus.DISPATCHED, OfferStatus.WITHDRAWN}),
    OfferStatus.DISPATCHED: frozenset({OfferStatus.DELIVERED}),
    OfferStatus.DELIVERED: frozenset(),
    OfferStatus.DECLINED: frozenset(),
    OfferStatus.WITHDRAWN: frozenset(),
}


class TransitionRefused(InvalidValue):
    """A status move the rules do not allow; the message says which moves are."""


def check_move(current: OfferStatus, target: OfferStatus) -> None:
    if target in NEXT[current]:
        return
    allowed = ", ".join(sorted(s.value for s in NEXT[current])) or "none: it is closed"
    raise TransitionRefused(
        f"an offer that is {current.value} cannot become {target.value}; allowed: {allowed}"
    )


@dataclass(frozen=True, slots=True)
class RequestItem:
    """One line of a request: `ref` is the line (REQ-05.2), `request` the request it belongs to
    (REQ-05). The requesting state is `country`; `destination` a site when one is named."""

    ref: str
    request: str
    requested_on: str  # a partial date: YYYY, YYYY-MM or YYYY-MM-DD, as the source gave it
    country: str
    requester: str
    channel: Channel
    item: Item
    quantity: float | None
    needed_by: date | None
    destination: str | None
    priority: Priority
    description: str
    source_url: str
    source_published: str | None
    note: str

    @property
    def category(self) -> NeedCategory:
        return self.item.category


@dataclass(frozen=True, slots=True)
class Offer:
    """An offer or pledge. A package row carries the value of several line items that name it
    in `package`; their own values are then not counted again. `supersedes` lists earlier
    offers this one revises (a running total, a re-announcement): they stop counting once it
    is known."""

    ref: str
    request: str | None
    provider: str
    channel: Channel
    item: Item
    quantity: float | None
    value_eur: float | None
    recipients: tuple[str, ...]
    destination: str | None
    status: OfferStatus
    offered_on: str | None
    accepted_on: str | None
    dispatched_on: str | None
    delivered_on: str | None
    available_on: date | None  # the earliest it can arrive, for the allocation
    delivered_quantity: float
    package: str | None
    is_package: bool
    supersedes: tuple[str, ...]
    description: str
    source_url: str
    source_published: str | None
    note: str


def partial_day(text: str | None, *, last: bool = True) -> date | None:
    """The day a partial date stands for: with `last`, the latest day it covers ('2021-07' is
    known by 2021-07-31 at the latest), else the first."""
    if not text:
        return None
    parts = [int(p) for p in text.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return date(year, 12, 31) if last else date(year, 1, 1)
    month = parts[1]
    if len(parts) == 2:
        return date(year, month, calendar.monthrange(year, month)[1] if last else 1)
    return date(year, month, parts[2])


# Who may do what with an offer: one function per kind of change, built on domain.accounts'
# rules, so that one authorisation path can fold them in. (Request lines are only posted, by
# any writer, as figures are.)


def may_move_offer(
    user: User,
    offer: Ownership,
    request_owner: Ownership | None,
    target: OfferStatus,
) -> bool:
    """The provider withdraws, dispatches and edits its own offers; the recipient (the
    organisation that asked) accepts, declines and confirms delivery; a coordinator does any
    of these. Unsolicited offers are accepted by coordinators."""
    if not can_write(user):
        return False
    if sees_everything(user):
        return True
    provider_side = can_change(user, offer)
    recipient_side = request_owner is not None and can_change(user, request_owner)
    if target in (OfferStatus.WITHDRAWN, OfferStatus.DISPATCHED):
        return provider_side
    if target in (OfferStatus.ACCEPTED, OfferStatus.DECLINED):
        return recipient_side
    if target is OfferStatus.DELIVERED:
        return recipient_side or provider_side
    return False


def may_edit_offer(user: User, offer: Ownership) -> bool:
    return can_change(user, offer)
