"""The pipeline seen per provider and per recipient: counts of offers, their value in euros and
the places (persons sheltered or bedded) they bring, since quantities of different items do
not add up."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ...domain.assistance import Offer, OfferStatus
from .pipeline import Pipeline, known_on, stage_on


@dataclass(slots=True)
class Tally:
    name: str
    offers: int = 0
    open: int = 0
    delivered: int = 0
    declined: int = 0
    value_eur: float = 0.0
    places_offered: float = 0.0
    places_delivered: float = 0.0
    items: set[str] = field(default_factory=set)


def by_provider(offers: Iterable[Offer], day: date, superseded: Iterable[str] = ()) -> list[Tally]:
    offers = list(offers)
    dropped = set(superseded)
    counted_packages = {o.ref for o in offers if o.is_package and (known_on(o) or day) <= day}
    tallies: dict[str, Tally] = {}
    for offer in offers:
        stage = stage_on(offer, day)
        if stage is None or offer.ref in dropped:
            continue
        tally = tallies.setdefault(offer.provider, Tally(offer.provider))
        _count(tally, offer, stage.status, stage.delivered, counted_packages)
    return sorted(tallies.values(), key=lambda t: (-t.value_eur, t.name))


def _count(
    tally: Tally, offer: Offer, status: OfferStatus, delivered: float, packages: set[str]
) -> None:
    tally.offers += 1
    if status in (OfferStatus.DECLINED, OfferStatus.WITHDRAWN):
        tally.declined += 1
        return
    tally.items.add(offer.item.key)
    if status is OfferStatus.DELIVERED:
        tally.delivered += 1
    else:
        tally.open += 1
    if offer.value_eur and offer.package not in packages:
        tally.value_eur += offer.value_eur
    persons = offer.item.persons or 0
    tally.places_offered += (offer.quantity or 0.0) * persons
    tally.places_delivered += delivered * persons


def by_recipient(pipe: Pipeline) -> list[Tally]:
    tallies: dict[str, Tally] = defaultdict(lambda: Tally(""))
    for line in pipe.lines:
        tally = tallies[line.recipient]
        tally.name = line.recipient
        tally.offers += line.offers + line.declined
        tally.declined += line.declined
        tally.value_eur += line.value_eur
        if line.offers:
            tally.items.add(line.item.key)
        persons = line.item.persons or 0
        tally.places_offered += line.offered * persons
        tally.places_delivered += line.delivered * persons
    return sorted(tallies.values(), key=lambda t: t.name)
