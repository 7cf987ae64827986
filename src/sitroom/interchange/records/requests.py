"""Assistance requests in files: one row per line item; rows of one request share `request`."""

from __future__ import annotations

from ...domain.assistance import RequestItem
from ...domain.assistance_items import Priority
from ...domain.countries import country_code
from ...domain.errors import InvalidValue
from ..table import CellKind, Column
from . import assistance_cells as cell
from .cells import CellReader
from .schema import EntryContext, RecordKind, RecordSchema

COLUMNS = [
    Column("ref", "#meta+id", description="the line item, e.g. REQ-05.2; derived when empty"),
    Column("request", "#meta+request", required=True, description="the request, e.g. REQ-05"),
    Column("requested_on", "#date+requested", required=True, description="YYYY[-MM[-DD]]"),
    Column("country", "#country+code", required=True, description="the requesting state"),
    Column("requester", "#org+requester", description="the organisation asking"),
    Column("channel", "#x_channel", description="ucpm, frontex, easo, bilateral, ngo …"),
    Column("category", "#sector", description="checked against the item's category"),
    Column("item", "#item+code", required=True, description="see `sitroom requests items`"),
    Column("quantity", "#item+num", kind=CellKind.NUMBER, description="empty when not stated"),
    Column("unit", "#item+unit", description="must be the item's unit when given"),
    Column("needed_by", "#date+needed"),
    Column("destination", "#loc+code", description="a reception site's id, when one is named"),
    Column("priority", "#severity", description="critical, high, normal (default) or low"),
    Column("description", "#item+name"),
    Column("source_url", "#meta+source+url", required=True),
    Column("source_published", "#date+published"),
    Column("note", "#description"),
]


def parse_request(cells: dict[str, str], context: EntryContext) -> RequestItem:
    row = CellReader(cells, context.dates)
    request = cell.optional_ref(row, "request") or ""
    if not request and "request" not in row.errors:
        row.fail("request", "is required")
    reference = cell.ref(row, "ref", prefix=request or "REQ", cells=cells)
    requested_on = cell.when(row, "requested_on", required=True) or ""
    country = row.text("country", required=True)
    try:
        country = country_code(country) if country else ""
    except InvalidValue as exc:
        row.fail("country", str(exc))
    found, quantity = cell.item_and_quantity(row)
    category = row.text("category").lower()
    if category and category != found.category.value:
        row.fail("category", f"{found.key} is in {found.category.value}, not {category!r}")
    needed = row.day("needed_by", required=False) if row.text("needed_by") else None
    destination = row.text("destination", max_length=64).upper() or None
    priority = row.choice("priority", Priority, default=Priority.NORMAL)
    source_url = row.text("source_url", required=True)
    published = cell.when(row, "source_published")
    result = RequestItem(
        ref=reference,
        request=request,
        requested_on=requested_on,
        country=country,
        requester=row.text("requester", max_length=200),
        channel=cell.channel(row),
        item=found,
        quantity=quantity,
        needed_by=needed,
        destination=destination,
        priority=priority,
        description=row.text("description", max_length=400),
        source_url=source_url,
        source_published=published,
        note=row.text("note", max_length=4000),
    )
    row.done()
    return result


def request_cells(line: RequestItem) -> dict[str, str]:
    return {
        "ref": line.ref,
        "request": line.request,
        "requested_on": line.requested_on,
        "country": line.country,
        "requester": line.requester,
        "channel": line.channel.value,
        "category": line.category.value,
        "item": line.item.key,
        "quantity": cell.number_text(line.quantity),
        "unit": line.item.unit,
        "needed_by": line.needed_by.isoformat() if line.needed_by else "",
        "destination": line.destination or "",
        "priority": line.priority.value,
        "description": line.description,
        "source_url": line.source_url,
        "source_published": line.source_published or "",
        "note": line.note,
    }


REQUESTS = RecordSchema(RecordKind.REQUESTS, COLUMNS, parse_request, request_cells)
