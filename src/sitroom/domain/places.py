"""Where figures are counted: countries, border sections along one neighbour, reception sites."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from .countries import country_code
from .errors import InvalidValue

_PLACE_ID = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,12}){1,4}$")


class PlaceKind(enum.StrEnum):
    COUNTRY = "country"
    SECTION = "section"
    SITE = "site"


class SiteKind(enum.StrEnum):
    RECEPTION_CENTRE = "reception_centre"
    TENT_CAMP = "tent_camp"
    BORDER_STATION = "border_station"
    DETENTION_CENTRE = "detention_centre"
    HOSTEL = "hostel"


class OrganisationKind(enum.StrEnum):
    BORDER_GUARD = "border_guard"
    RECEPTION_AGENCY = "reception_agency"
    MINISTRY = "ministry"
    EU_BODY = "eu_body"
    NGO = "ngo"
    PRESS = "press"


@dataclass(frozen=True, slots=True)
class Organisation:
    name: str
    kind: OrganisationKind
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Point:
    """WGS 84 longitude and latitude, in GeoJSON's order."""

    lon: float
    lat: float

    def __post_init__(self) -> None:
        if not -180.0 <= self.lon <= 180.0:
            raise InvalidValue(f"longitude {self.lon} is outside -180..180")
        if not -90.0 <= self.lat <= 90.0:
            raise InvalidValue(f"latitude {self.lat} is outside -90..90")


@dataclass(frozen=True, slots=True)
class BorderSection:
    """A stretch of one country's border with one neighbour, as a GeoJSON LineString."""

    id: str
    country: str
    neighbour: str
    name: str
    line: tuple[tuple[float, float], ...]
    length_km: float

    def __post_init__(self) -> None:
        if self.country == self.neighbour:
            raise InvalidValue("a border section needs a neighbour other than its own country")
        if self.line and len(self.line) < 2:
            raise InvalidValue("a section's line needs at least two points")
        if self.length_km < 0:
            raise InvalidValue("a section's length cannot be negative")

    def geojson(self) -> dict[str, object]:
        return {"type": "LineString", "coordinates": [list(p) for p in self.line]}


@dataclass(frozen=True, slots=True)
class ReceptionSite:
    id: str
    name: str
    country: str
    kind: SiteKind
    location: Point | None = None
    operator: str | None = None


def place_id(value: str) -> str:
    """Validate the id of a section or site: the country code, then one to four parts."""
    text = value.strip().upper()
    if not _PLACE_ID.match(text):
        raise InvalidValue(
            f"{value!r} is not a place id: use the country code and parts joined by '-', "
            "e.g. LT-BY-1 or LT-PABRADE"
        )
    country_code(text[:2])
    return text


def place_country(place: str) -> str:
    """Every place id starts with its country code, so the country is read off the id."""
    return place[:2]
