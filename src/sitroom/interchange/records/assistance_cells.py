"""What request and offer rows share: references, partial dates, items with their unit and
quantity, channels and recipients."""

from __future__ import annotations

import hashlib
import json
import re

from ...domain.assistance_items import Channel, Item, check_quantity, item
from ...domain.countries import country_code
from ...domain.errors import InvalidValue
from ...domain.sources import partial_date
from .cells import CellReader

_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
# Channel names as people write them, onto sitroom's channels.
_CHANNEL_NAMES = {
    "amif/eu funding": Channel.EU_FUNDING,
    "amif": Channel.EU_FUNDING,
    "eu funding": Channel.EU_FUNDING,
    "civil protection": Channel.UCPM,
}


def ref(row: CellReader, name: str, *, prefix: str, cells: dict[str, str]) -> str:
    """The row's reference; when none is given, one derived from the content, so that the same
    record entered twice is recognised as a duplicate."""
    text = row.text(name, max_length=40)
    if not text:
        content = json.dumps(sorted((k, v) for k, v in cells.items() if k != name))
        return f"{prefix}-{hashlib.blake2b(content.encode(), digest_size=5).hexdigest().upper()}"
    if not _REF.match(text):
        row.fail(name, f"{text!r}: use letters, digits, '.', '_', '/' or '-' (at most 40)")
    return text.upper()


def optional_ref(row: CellReader, name: str) -> str | None:
    text = row.text(name, max_length=40)
    if text and not _REF.match(text):
        row.fail(name, f"{text!r} is not a reference")
    return text.upper() or None


def refs(row: CellReader, name: str) -> tuple[str, ...]:
    found = tuple(p.strip().upper() for p in row.text(name, max_length=400).split(";"))
    found = tuple(p for p in found if p)
    for one in found:
        if not _REF.match(one):
            row.fail(name, f"{one!r} is not a reference")
    return found


def when(row: CellReader, name: str, *, required: bool = False) -> str | None:
    text = row.text(name, required=required, max_length=10)
    if not text:
        return None
    try:
        return partial_date(text)
    except InvalidValue as exc:
        row.fail(name, str(exc))
        return None


def channel(row: CellReader, name: str = "channel") -> Channel:
    text = row.text(name).lower()
    return _CHANNEL_NAMES.get(text) or row.choice(name, Channel, default=Channel.UNSPECIFIED)


def item_and_quantity(row: CellReader) -> tuple[Item, float | None]:
    try:
        found = item(row.text("item", required=True))
    except InvalidValue as exc:
        row.fail("item", str(exc))
        return item("general_support"), None
    unit = row.text("unit")
    if unit and unit.lower() != found.unit.lower():
        row.fail(
            "unit", f"{unit!r} is not the unit of {found.key}, which is counted in {found.unit}"
        )
    return found, quantity(row, "quantity", found.unit)


def quantity(row: CellReader, name: str, unit: str) -> float | None:
    value = row.optional_number(name)
    if value is None:
        return None
    try:
        return check_quantity(value, unit)
    except InvalidValue as exc:
        row.fail(name, str(exc))
        return None


def countries(row: CellReader, name: str, *, required: bool = False) -> tuple[str, ...]:
    codes: list[str] = []
    for part in row.text(name, required=required, max_length=200).split(";"):
        if not part.strip():
            continue
        try:
            codes.append(country_code(part.strip()))
        except InvalidValue as exc:
            row.fail(name, str(exc))
    return tuple(codes)


def number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)
