"""What was asked for and offered to Lithuania, Latvia and Poland in 2021, in sitroom's request
and offer files.

The compiled files are kept as they are (data/belarus_2021/assistance, SOURCES.md says how
they were compiled). This module maps their free-text items onto sitroom's item vocabulary,
and states three kinds of judgement, each from the compiler's own notes:

- rows not loaded (`SKIPPED`): counts of countries rather than aid, and wire shipments
  weighed in tonnes that belong to a programme already counted in km;
- package links (`PACKAGE_OF`): rows whose value a package or running-total row already
  carries, so that euros are counted once;
- revisions (`SUPERSEDES`): later running totals or re-announcements that replace earlier
  rows, so that officers or staff are counted once.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from ..domain.assistance import partial_day
from ..interchange.csv_format import write_csv
from ..interchange.records.offers import COLUMNS as OFFER_COLUMNS
from ..interchange.records.requests import COLUMNS as REQUEST_COLUMNS
from .belarus_2021 import Skipped

DATA = resources.files("sitroom") / "data" / "belarus_2021" / "assistance"
ENTERED_BY = "sitroom demo (compiled from public reports)"

SKIPPED = {
    "OFF-UCPM-01": "counts countries that offered, not aid (12)",
    "OFF-UCPM-02": "counts countries whose aid arrived, not aid (18)",
    "OFF-UCPM-03": "counts countries that offered, not aid (19)",
    "OFF-UA-01": "a shipment (38 t) of OFF-UA-00's 100 km of wire, counted there",
    "OFF-UA-02": "a shipment (48 t) of OFF-UA-00's 100 km of wire, counted there",
    "OFF-UA-03": "the last shipment of OFF-UA-00's 100 km of wire, counted there",
}

PACKAGE_OF = {
    **{f"OFF-PL-0{n}": "OFF-PL-08" for n in range(1, 8)},
    **{f"OFF-CZ-0{n}": "OFF-CZ-00" for n in range(1, 6)},
    **{f"OFF-SI-0{n}": "OFF-SI-00" for n in range(1, 4)},
    "OFF-EE-01": "OFF-EE-07",
    "OFF-EE-03": "OFF-EE-07",
}

SUPERSEDES = {
    "OFF-FX-04": ("OFF-FX-01", "OFF-FX-02"),
    "OFF-FX-05": ("OFF-FX-04",),
    "OFF-FX-11": ("OFF-FX-05", "OFF-FX-10"),
    "OFF-EE-05": ("OFF-EE-02",),
    "OFF-EE-09": ("OFF-EE-08",),
    "OFF-CZ-09": ("OFF-CZ-10",),
    "OFF-EASO-02": ("OFF-EASO-01",),
    "OFF-EC-02": ("OFF-EC-03",),
}

# Rows whose words would mislead the patterns below: help of every kind, not money.
ITEM_OF = {
    "REQ-05.1": "general_support",
    "REQ-07.1": "relief_supplies",
    "REQ-10.1": "general_support",
    "REQ-10.2": "general_support",
    "OFF-COUNCIL-01": "general_support",
}

# Counted units, onto items; a unit naming a size ("60-person") is read from the item text.
_UNITS = {
    "beds": "bed",
    "bunk beds": "bunk_bed",
    "bed places": "bed_place",
    "mattresses": "mattress",
    "blankets": "blanket",
    "sleeping bags": "sleeping_bag",
    "heaters": "heater",
    "generators": "generator",
    "kits": "lighting_kit",
    "lamps": "lamp",
    "rations": "food_ration",
    "packages": "hygiene_kit",
    "lockers": "locker",
    "officers": "border_guard",
    "soldiers": "soldier",
    "staff": "asylum_staff",
    "experts": "expert",
    "vehicles": "patrol_vehicle",
    "helicopters": "helicopter",
    "drones": "drone",
    "km": "barbed_wire",
}
# Items without a counted unit, by the first pattern their text matches.
_TEXT = (
    (r"financ|fund|dref|\bgrant|money", "funding"),
    (r"questioning", "questioning_team"),
    (r"thermal", "thermal_camera"),
    (r"surveillance system", "surveillance_system"),
    (r"helicopter", "helicopter"),
    (r"drone|uav|unmanned", "uav_team"),
    (r"\bwire|\bfence", "barbed_wire"),
    (r"military|engineer", "soldier"),
    (r"tent|camp bed|beds,", "shelter_supplies"),
    (r"blanket|duvet|pillow|sleeping", "bedding_supplies"),
    (r"bed", "bed"),
    (r"furniture", "furniture"),
    (r"container", "housing_container"),
    (r"asylum|easo", "asylum_support"),
    (
        r"material support|humanitarian|shipment|emergency response|material means",
        "relief_supplies",
    ),
    (r"expert|return", "expert"),
    (r"officer|police|staff|personnel|frontex|border|guard|deployment|rbi", "border_guard"),
)


def item_of(ref: str, text: str, unit: str, has_value: bool, channel: str) -> tuple[str, bool]:
    """The sitroom item of a row, and whether it is a package's value row."""
    lowered = text.lower()
    if ref in ITEM_OF:
        return ITEM_OF[ref], False
    if unit == "tents":
        size = re.search(r"(\d+)-person", lowered)
        return {"10": "tent_10", "60": "tent_60"}.get(size.group(1) if size else "", "tent"), False
    if unit == "teams":
        return ("questioning_team" if "questioning" in lowered else "uav_team"), False
    if unit == "units":
        return "thermal_camera", False
    if unit in _UNITS:
        return _UNITS[unit], False
    if channel == "AMIF/EU funding" or (has_value and re.search(_TEXT[0][0], lowered)):
        return "funding", False
    if has_value and (ref.endswith("-00") or "package" in lowered or "running total" in lowered):
        return "relief_supplies", True
    for pattern, key in _TEXT:
        if re.search(pattern, lowered):
            return key, False
    return "general_support", False


def _read(name: str) -> Iterator[tuple[int, dict[str, str]]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)


def request_rows() -> tuple[list[dict[str, str]], list[Skipped]]:
    rows, skipped = [], []
    for line, raw in _read("requests.csv"):
        ref = raw["request_id"]
        if ref in SKIPPED:
            skipped.append(Skipped(line, "assistance/requests.csv", f"{ref}: {SKIPPED[ref]}"))
            continue
        item, _package = item_of(ref, raw["item"], raw["unit"], False, raw["channel"])
        rows.append(
            {
                "ref": ref,
                "request": ref.split(".")[0],
                "requested_on": raw["date"],
                "country": raw["requesting_state"],
                "requester": raw["requesting_state"],
                "channel": raw["channel"],
                "item": item,
                "quantity": raw["quantity"],
                "needed_by": raw["needed_by"],
                "description": raw["item"],
                "source_url": raw["source_url"],
                "source_published": _partial(raw["source_date"]),
                "note": raw["note"],
            }
        )
    return rows, skipped


def offer_rows() -> tuple[list[dict[str, str]], list[Skipped]]:
    rows, skipped = [], []
    for line, raw in _read("offers.csv"):
        ref = raw["offer_id"]
        if ref in SKIPPED:
            skipped.append(Skipped(line, "assistance/offers.csv", f"{ref}: {SKIPPED[ref]}"))
            continue
        rows.append(_offer(raw))
    # What others point at (a package, a revised offer) is stored first.
    pointed_at = set(PACKAGE_OF.values()) | {r for refs in SUPERSEDES.values() for r in refs}
    rows.sort(key=lambda r: r["ref"] not in pointed_at)
    return rows, skipped


def _offer(raw: dict[str, str]) -> dict[str, str]:
    ref, unit, value = raw["offer_id"], raw["unit"], raw["value_eur"]
    item, is_package = item_of(ref, raw["item"], unit, bool(value), raw["channel"])
    quantity = raw["quantity"] if unit in _UNITS or unit in ("tents", "teams", "units") else ""
    if item == "funding":
        quantity = value
    note = raw["note"]
    if raw["quantity"] and not quantity:
        note = f"{raw['quantity']} {unit} (not a unit sitroom counts this item in); {note}"
    status = raw["status"]
    arrived = raw["date_delivered"]
    expected = "" if status == "delivered" else arrived
    available = partial_day(expected) if expected else None
    return {
        "ref": ref,
        "request": raw["request_id"],
        "provider": raw["provider"],
        "channel": raw["channel"],
        "item": item,
        "quantity": quantity,
        "value_eur": value,
        "recipient": raw["recipient_state"],
        "status": status,
        "offered_on": raw["date_offered"],
        "delivered_on": arrived if status == "delivered" else "",
        "available_on": available.isoformat() if available else "",
        "package": PACKAGE_OF.get(ref, ""),
        "is_package": "yes" if is_package else "",
        "supersedes": ";".join(SUPERSEDES.get(ref, ())),
        "description": raw["item"],
        "source_url": raw["source_url"],
        "source_published": _partial(raw["source_date"]),
        "note": note,
    }


def _partial(text: str) -> str:
    match = re.match(r"^\d{4}(-\d{2}(-\d{2})?)?", text.strip())
    return match.group(0) if match else ""


def write_import_files(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """Requests, then offers, as sitroom import files in the order to import."""
    requests, skipped_requests = request_rows()
    offers, skipped_offers = offer_rows()
    paths = folder / "assistance-requests.csv", folder / "assistance-offers.csv"
    with paths[0].open("wb") as out:
        write_csv(requests, REQUEST_COLUMNS, out)
    with paths[1].open("wb") as out:
        write_csv(offers, OFFER_COLUMNS, out)
    return list(paths), skipped_requests + skipped_offers
