"""Offers and pledges in files: one row per offered item, or per package (value only)."""

from __future__ import annotations

from ...domain.assistance import Offer, OfferStatus
from ..table import CellKind, Column
from . import assistance_cells as cell
from .cells import CellReader
from .schema import EntryContext, RecordKind, RecordSchema

COLUMNS = [
    Column("ref", "#meta+id", description="e.g. OFF-PL-01; derived when empty"),
    Column("request", "#meta+request", description="the request it answers; empty if unsolicited"),
    Column("provider", "#org+provider", required=True, description="a state code, agency or NGO"),
    Column("channel", "#x_channel"),
    Column("category", "#sector"),
    Column("item", "#item+code", required=True),
    Column("quantity", "#item+num", kind=CellKind.NUMBER, description="empty when not stated"),
    Column("unit", "#item+unit"),
    Column("value_eur", "#value+eur", kind=CellKind.NUMBER),
    Column("recipient", "#country+code+recipient", required=True, description="LT, or LT;LV"),
    Column("destination", "#loc+code", description="a reception site's id"),
    Column("status", "#status", description="offered (default), accepted, dispatched, …"),
    Column("offered_on", "#date+offered"),
    Column("accepted_on", "#date+accepted"),
    Column("dispatched_on", "#date+dispatched"),
    Column("delivered_on", "#date+delivered"),
    Column("available_on", "#date+available", description="earliest arrival, for allocation"),
    Column("delivered_quantity", "#item+num+delivered", kind=CellKind.NUMBER),
    Column("package", "#meta+package", description="the package row this item belongs to"),
    Column("is_package", "#meta+package+total", description="yes for a package's value row"),
    Column("supersedes", "#meta+supersedes", description="refs this offer revises, ';'"),
    Column("description", "#item+name"),
    Column("source_url", "#meta+source+url", required=True),
    Column("source_published", "#date+published"),
    Column("note", "#description"),
]

_YES = {"yes", "true", "1", "y"}
_DATED = {
    OfferStatus.ACCEPTED: "accepted_on",
    OfferStatus.DISPATCHED: "dispatched_on",
    OfferStatus.DELIVERED: "delivered_on",
}


def parse_offer(cells: dict[str, str], context: EntryContext) -> Offer:
    row = CellReader(cells, context.dates)
    reference = cell.ref(row, "ref", prefix="OFF", cells=cells)
    found, quantity = cell.item_and_quantity(row)
    category = row.text("category").lower()
    if category and category != found.category.value:
        row.fail("category", f"{found.key} is in {found.category.value}, not {category!r}")
    value = cell.quantity(row, "value_eur", "EUR")
    status = row.choice("status", OfferStatus, default=OfferStatus.OFFERED)
    dates = {n: cell.when(row, n) for n in ("offered_on", *_DATED.values())}
    if dates["delivered_on"] and status is not OfferStatus.DELIVERED:
        row.fail("delivered_on", f"a {status.value} offer has no delivery date; use available_on")
    delivered = cell.quantity(row, "delivered_quantity", found.unit) or 0.0
    if quantity is not None and delivered > quantity:
        row.fail(
            "delivered_quantity", f"{delivered:g} delivered is more than the {quantity:g} offered"
        )
    if status is OfferStatus.DELIVERED and quantity is not None and not delivered:
        delivered = quantity
    is_package = row.text("is_package").lower() in _YES
    package = cell.optional_ref(row, "package")
    if is_package and package:
        row.fail("package", "a package row cannot itself belong to a package")
    if package == reference:
        row.fail("package", "an offer cannot be its own package")
    supersedes = cell.refs(row, "supersedes")
    if reference in supersedes:
        row.fail("supersedes", "an offer cannot revise itself")
    recipients = cell.countries(row, "recipient", required=True)
    available = row.day("available_on", required=False) if row.text("available_on") else None
    result = Offer(
        ref=reference,
        request=cell.optional_ref(row, "request"),
        provider=row.text("provider", required=True, max_length=120),
        channel=cell.channel(row),
        item=found,
        quantity=quantity,
        value_eur=value,
        recipients=recipients,
        destination=row.text("destination", max_length=64).upper() or None,
        status=status,
        offered_on=dates["offered_on"],
        accepted_on=dates["accepted_on"],
        dispatched_on=dates["dispatched_on"],
        delivered_on=dates["delivered_on"],
        available_on=available,
        delivered_quantity=delivered,
        package=package,
        is_package=is_package,
        supersedes=supersedes,
        description=row.text("description", max_length=400),
        source_url=row.text("source_url", required=True),
        source_published=cell.when(row, "source_published"),
        note=row.text("note", max_length=4000),
    )
    row.done()
    return result


def offer_cells(offer: Offer) -> dict[str, str]:
    return {
        "ref": offer.ref,
        "request": offer.request or "",
        "provider": offer.provider,
        "channel": offer.channel.value,
        "category": offer.item.category.value,
        "item": offer.item.key,
        "quantity": cell.number_text(offer.quantity),
        "unit": offer.item.unit,
        "value_eur": cell.number_text(offer.value_eur),
        "recipient": ";".join(offer.recipients),
        "destination": offer.destination or "",
        "status": offer.status.value,
        "offered_on": offer.offered_on or "",
        "accepted_on": offer.accepted_on or "",
        "dispatched_on": offer.dispatched_on or "",
        "delivered_on": offer.delivered_on or "",
        "available_on": offer.available_on.isoformat() if offer.available_on else "",
        "delivered_quantity": cell.number_text(offer.delivered_quantity or None),
        "package": offer.package or "",
        "is_package": "yes" if offer.is_package else "",
        "supersedes": ";".join(offer.supersedes),
        "description": offer.description,
        "source_url": offer.source_url,
        "source_published": offer.source_published or "",
        "note": offer.note,
    }


OFFERS = RecordSchema(RecordKind.OFFERS, COLUMNS, parse_offer, offer_cells)
