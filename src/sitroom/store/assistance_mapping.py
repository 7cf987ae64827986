"""Request items and offers between their rows and the domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.assistance import Offer, OfferStatus, RequestItem
from ..domain.assistance_items import Channel, Priority, item


def request_from_row(row: Any) -> RequestItem:
    return RequestItem(
        ref=row["ref"],
        request=row["request"],
        requested_on=row["requested_on"],
        country=row["country"],
        requester=row["requester"],
        channel=Channel(row["channel"]),
        item=item(row["item"]),
        quantity=row["quantity"],
        needed_by=row["needed_by"],
        destination=row["destination"],
        priority=Priority(row["priority"]),
        description=row["description"],
        source_url=row["source_url"],
        source_published=row["source_published"],
        note=row["note"],
    )


def request_values(line: RequestItem, entered_by: str, now: datetime) -> dict[str, Any]:
    return {
        "ref": line.ref,
        "request": line.request,
        "requested_on": line.requested_on,
        "country": line.country,
        "requester": line.requester,
        "channel": line.channel.value,
        "category": line.category.value,
        "item": line.item.key,
        "quantity": line.quantity,
        "unit": line.item.unit,
        "needed_by": line.needed_by,
        "destination": line.destination,
        "priority": line.priority.value,
        "description": line.description,
        "source_url": line.source_url,
        "source_published": line.source_published,
        "note": line.note,
        "entered_by": entered_by,
        "entered_at": now,
    }


def offer_from_row(row: Any) -> Offer:
    return Offer(
        ref=row["ref"],
        request=row["request"],
        provider=row["provider"],
        channel=Channel(row["channel"]),
        item=item(row["item"]),
        quantity=row["quantity"],
        value_eur=row["value_eur"],
        recipients=tuple(p for p in row["recipients"].split(";") if p),
        destination=row["destination"],
        status=OfferStatus(row["status"]),
        offered_on=row["offered_on"],
        accepted_on=row["accepted_on"],
        dispatched_on=row["dispatched_on"],
        delivered_on=row["delivered_on"],
        available_on=row["available_on"],
        delivered_quantity=row["delivered_quantity"] or 0.0,
        package=row["package"],
        is_package=bool(row["is_package"]),
        supersedes=tuple(p for p in (row["supersedes"] or "").split(";") if p),
        description=row["description"],
        source_url=row["source_url"],
        source_published=row["source_published"],
        note=row["note"],
    )


def offer_values(offer: Offer, entered_by: str, now: datetime) -> dict[str, Any]:
    return {
        "ref": offer.ref,
        "request": offer.request,
        "provider": offer.provider,
        "channel": offer.channel.value,
        "category": offer.item.category.value,
        "item": offer.item.key,
        "quantity": offer.quantity,
        "unit": offer.item.unit,
        "value_eur": offer.value_eur,
        "recipients": ";".join(offer.recipients),
        "destination": offer.destination,
        "status": offer.status.value,
        "offered_on": offer.offered_on,
        "accepted_on": offer.accepted_on,
        "dispatched_on": offer.dispatched_on,
        "delivered_on": offer.delivered_on,
        "available_on": offer.available_on,
        "delivered_quantity": offer.delivered_quantity,
        "package": offer.package,
        "is_package": offer.is_package,
        "supersedes": ";".join(offer.supersedes),
        "description": offer.description,
        "source_url": offer.source_url,
        "source_published": offer.source_published,
        "note": offer.note,
        "entered_by": entered_by,
        "entered_at": now,
    }


# What makes two rows the same record: everything but who entered it and when.
SAME_RECORD_IGNORES = frozenset({"entered_by", "entered_at"})
