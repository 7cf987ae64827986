"""Which places exist: countries by code, sections and sites by id."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.countries import COUNTRY_CODES
from ..domain.places import PlaceKind
from ..store.tables import SectionRow, SiteRow


@dataclass(frozen=True, slots=True)
class KnownPlaces:
    sections: frozenset[str]
    sites: frozenset[str]

    def kind_of(self, place: str) -> PlaceKind | None:
        if place in COUNTRY_CODES:
            return PlaceKind.COUNTRY
        if place in self.sections:
            return PlaceKind.SECTION
        if place in self.sites:
            return PlaceKind.SITE
        return None


def known_places(session: Session) -> KnownPlaces:
    return KnownPlaces(
        sections=frozenset(session.scalars(select(SectionRow.id))),
        sites=frozenset(session.scalars(select(SiteRow.id))),
    )
