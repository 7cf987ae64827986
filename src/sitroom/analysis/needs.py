"""What a shortfall of places takes: space, site, beds, blankets, heaters, generators.

Every rate is in one editable table (`NeedsTable`), each with its source. The Sphere
figures are minimums; the others are planning assumptions, marked as such, to be replaced
by the figures of whoever supplies the items.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, replace


class Climate(enum.StrEnum):
    """Cold: people spend long hours inside, so they need more space, bedding and heat."""

    TEMPERATE = "temperate"
    COLD = "cold"


@dataclass(frozen=True, slots=True)
class NeedRate:
    item: str
    unit: str
    temperate: float  # per person
    cold: float  # per person
    source: str
    countable: bool = True  # whole items, so rounded up

    def per_person(self, climate: Climate) -> float:
        return self.cold if climate is Climate.COLD else self.temperate


@dataclass(frozen=True, slots=True)
class NeedLine:
    item: str
    quantity: float
    unit: str
    per_person: float
    source: str


@dataclass(frozen=True, slots=True)
class NeedsTable:
    rates: tuple[NeedRate, ...]

    def rate(self, item: str) -> NeedRate:
        for r in self.rates:
            if r.item == item:
                return r
        raise KeyError(item)

    def with_rate(self, item: str, **changes: float | str | bool) -> NeedsTable:
        """A copy with one rate changed, e.g. `table.with_rate("blankets", cold=3)`."""
        self.rate(item)  # unknown items fail loudly
        new = tuple(replace(r, **changes) if r.item == item else r for r in self.rates)  # type: ignore[arg-type]
        return NeedsTable(new)


SPHERE_2018 = "Sphere Handbook 2018, Shelter and settlement"

DEFAULT_NEEDS = NeedsTable(
    (
        NeedRate(
            "covered_space",
            "m² covered floor area",
            3.5,
            4.5,
            f"{SPHERE_2018} standard 3 (living space): at least 3.5 m² per person; its "
            "guidance asks for more where people spend long hours inside (cold climates, "
            "urban settings). 4.5 m² for cold climates is the low end of the 4.5-5.5 m² that "
            "UNHCR's cold-climate planning figures give.",
            countable=False,
        ),
        NeedRate(
            "site_area",
            "m² site area",
            45.0,
            45.0,
            f"{SPHERE_2018} standard 2 (location and settlement planning): a minimum usable "
            "area of 45 m² per person in camp-type settlements, including household plots "
            "(30 m² where communal services are provided elsewhere).",
            countable=False,
        ),
        NeedRate(
            "beds",
            "beds or camp beds",
            1.0,
            1.0,
            f"{SPHERE_2018} standard 4 (household items): a sleeping surface for every "
            "person; one bed per person.",
        ),
        NeedRate(
            "blankets",
            "blankets",
            1.0,
            3.0,
            f"{SPHERE_2018} standard 4 asks for bedding giving thermal comfort, without a "
            "number. Planning assumption: 1 per person; in cold climates 3 (agencies "
            "commonly plan 2-3 thermal blankets per person in winter).",
        ),
        NeedRate(
            "heaters",
            "space heaters",
            0.0,
            0.2,
            "Planning assumption, not a Sphere figure: in cold climates one heater per "
            "family-size tent of about 5 people.",
        ),
        NeedRate(
            "generators",
            "generators (about 20 kVA)",
            0.01,
            0.02,
            "Planning assumption, not a Sphere figure: one generator per 100 people for "
            "lighting and charging, per 50 in cold climates where heating also needs power.",
        ),
    )
)


def needs_for_shortfall(
    persons: float,
    climate: Climate = Climate.TEMPERATE,
    table: NeedsTable = DEFAULT_NEEDS,
) -> list[NeedLine]:
    """The items `persons` people without a place need, one line per rate in `table`.

    Countable items are rounded up (a third of a generator is a generator); zero or a
    negative shortfall needs nothing. Items with a zero rate in this climate are left out.
    """
    if not math.isfinite(persons):
        raise ValueError("the shortfall must be a finite number of persons")
    people = max(0.0, float(persons))
    lines: list[NeedLine] = []
    for r in table.rates:
        rate = r.per_person(climate)
        if rate <= 0:
            continue
        raw = people * rate
        qty = float(math.ceil(raw - 1e-9)) if r.countable else round(raw, 1)
        lines.append(NeedLine(r.item, qty, r.unit, rate, r.source))
    return lines
