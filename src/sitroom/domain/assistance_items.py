"""The controlled vocabulary of assistance: need categories, channels, and items with their unit
and, where an item shelters or beds people, how many (a 60-person tent shelters 60, a bed 1).

One item, one unit: an offer and a request compare only when they name the same item, so
"10 tents" and "600 places" never get added up by accident. Items sitroom cannot count by a
physical unit (a package of assorted goods, an expert team of unknown size) are still items,
with the unit `lots`, so that an offer without a quantity is recorded and shown, not lost.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .errors import InvalidValue


class NeedCategory(enum.StrEnum):
    SHELTER = "shelter"
    BEDDING = "bedding"
    HEATING = "heating"
    POWER = "power"
    FOOD = "food"
    WASH = "wash"
    MEDICAL = "medical"
    HOUSEHOLD = "household"
    BORDER_PERSONNEL = "border_personnel"
    VEHICLES = "vehicles"
    AERIAL_SURVEILLANCE = "aerial_surveillance"
    BORDER_EQUIPMENT = "border_equipment"
    BORDER_BARRIER = "border_barrier"
    INTERPRETERS = "interpreters"
    ASYLUM_CASE_WORKERS = "asylum_case_workers"
    MILITARY_SUPPORT = "military_support"
    FUNDING = "funding"
    GENERAL = "general"


class Channel(enum.StrEnum):
    """How assistance travels: each channel used to track only its own pledges."""

    UCPM = "ucpm"  # EU Civil Protection Mechanism
    FRONTEX = "frontex"
    EASO = "easo"  # the EU asylum agency (EUAA since 2022)
    EUROPOL = "europol"
    EU_FUNDING = "eu_funding"  # AMIF and other EU money
    BILATERAL = "bilateral"
    NGO = "ngo"
    MULTIPLE = "multiple"
    UNSPECIFIED = "unspecified"


class Priority(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def weight(self) -> float:
        """What a unit left uncovered costs in the allocation, relative to a normal one."""
        return _WEIGHTS[self]


_WEIGHTS = {Priority.CRITICAL: 8.0, Priority.HIGH: 4.0, Priority.NORMAL: 2.0, Priority.LOW: 1.0}


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    category: NeedCategory
    unit: str
    persons: int | None = None  # people one unit shelters or beds; None when it does neither
    label: str = ""


def _items(*items: Item) -> dict[str, Item]:
    return {i.key: i for i in items}


C = NeedCategory
ITEMS: dict[str, Item] = _items(
    Item("tent_family", C.SHELTER, "tents", 5, "Family tent, 5 persons"),
    Item("tent_10", C.SHELTER, "tents", 10, "Tent, 10 persons"),
    Item("tent_60", C.SHELTER, "tents", 60, "Large tent, 60 persons"),
    Item("tent", C.SHELTER, "tents", None, "Tent, size not stated"),
    Item("modular_house", C.SHELTER, "houses", 5, "Modular house, about 5 places"),
    Item("housing_container", C.SHELTER, "containers", 4, "Housing container, 4 places"),
    Item("shelter_supplies", C.SHELTER, "lots", None, "Shelter and camp supplies, assorted"),
    Item("bed", C.BEDDING, "beds", 1, "Bed or camp bed"),
    Item("bunk_bed", C.BEDDING, "bunk beds", 2, "Bunk bed, 2 places"),
    Item("bed_place", C.BEDDING, "bed places", 1, "Bed place (bed with mattress)"),
    Item("mattress", C.BEDDING, "mattresses", None, "Mattress"),
    Item("blanket", C.BEDDING, "blankets", None, "Blanket"),
    Item("sleeping_bag", C.BEDDING, "sleeping bags", None, "Sleeping bag"),
    Item("bedding_supplies", C.BEDDING, "lots", None, "Bedding, pillows, sleeping mats"),
    Item("heater", C.HEATING, "heaters", None, "Space heater"),
    Item("generator", C.POWER, "generators", None, "Generator"),
    Item("lighting_kit", C.POWER, "kits", None, "Lighting kit"),
    Item("lamp", C.POWER, "lamps", None, "Lamp"),
    Item("food_ration", C.FOOD, "rations", None, "Daily food ration"),
    Item("hygiene_kit", C.WASH, "kits", None, "Hygiene package"),
    Item("sanitation_unit", C.WASH, "units", None, "Sanitation unit"),
    Item("medical_supplies", C.MEDICAL, "lots", None, "Medical supplies"),
    Item("furniture", C.HOUSEHOLD, "lots", None, "Furniture: tables, chairs, lockers"),
    Item("locker", C.HOUSEHOLD, "lockers", None, "Clothing locker"),
    Item("relief_supplies", C.GENERAL, "lots", None, "Relief supplies, items not stated"),
    Item("border_guard", C.BORDER_PERSONNEL, "officers", None, "Border guard or police officer"),
    Item("expert", C.BORDER_PERSONNEL, "experts", None, "Expert (migration, return, border)"),
    Item("patrol_vehicle", C.VEHICLES, "vehicles", None, "Patrol vehicle"),
    Item("helicopter", C.AERIAL_SURVEILLANCE, "helicopters", None, "Helicopter"),
    Item("drone", C.AERIAL_SURVEILLANCE, "drones", None, "Drone"),
    Item("uav_team", C.AERIAL_SURVEILLANCE, "teams", None, "Drone (UAV) team"),
    Item("thermal_camera", C.BORDER_EQUIPMENT, "units", None, "Thermal-vision unit"),
    Item("surveillance_system", C.BORDER_EQUIPMENT, "systems", None, "Mobile surveillance system"),
    Item("border_support", C.BORDER_PERSONNEL, "lots", None, "Border support, size not stated"),
    Item("barbed_wire", C.BORDER_BARRIER, "km", None, "Barbed or concertina wire"),
    Item("questioning_team", C.INTERPRETERS, "teams", None, "Debriefing team with interpreters"),
    Item("interpreter", C.INTERPRETERS, "interpreters", None, "Interpreter"),
    Item("asylum_staff", C.ASYLUM_CASE_WORKERS, "staff", None, "Asylum or reception staff"),
    Item("asylum_support", C.ASYLUM_CASE_WORKERS, "lots", None, "Asylum support, size not stated"),
    Item("soldier", C.MILITARY_SUPPORT, "soldiers", None, "Soldier (engineers, military police)"),
    Item("funding", C.FUNDING, "EUR", None, "Money, in euros"),
    Item("general_support", C.GENERAL, "lots", None, "Support, kind not itemised"),
)
del C


def item(key: str) -> Item:
    try:
        return ITEMS[key.strip().lower()]
    except KeyError:
        raise InvalidValue(
            f"{key!r} is not an item sitroom knows; see `sitroom requests items` for the list"
        ) from None


def check_quantity(value: float, unit: str) -> float:
    """A quantity is positive and believable: more than ten million of anything but euros is
    a typing mistake (or a value entered as a quantity)."""
    if value != value or value <= 0:
        raise InvalidValue("must be a positive number")
    limit = 1e11 if unit == "EUR" else 1e7
    if value > limit:
        raise InvalidValue(f"{value:g} {unit} is not believable; check the number")
    if unit != "EUR" and not float(value).is_integer():
        raise InvalidValue(f"{value:g}: count whole {unit}")
    return value
