"""A figure placed on the model's day grid, and the role its qualifier gives it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sitroom.analysis.reconcile.figures import (
    Figure,
    is_lower_bound,
    is_soft,
    priority,
    soft_sd,
)
from sitroom.domain.measures import Nature, Qualifier


class Role(enum.Enum):
    EXACT = "exact"
    SOFT = "soft"
    LOWER = "lower"
    UPPER = "upper"


def role_of(qualifier: Qualifier) -> Role:
    if qualifier is Qualifier.EXACT:
        return Role.EXACT
    if is_soft(qualifier):
        return Role.SOFT
    if is_lower_bound(qualifier):
        return Role.LOWER
    return Role.UPPER


_ROLES = {qualifier: role_of(qualifier) for qualifier in Qualifier}


@dataclass(frozen=True, slots=True)
class Placed:
    """A figure's days as indices from the model's first day, over one or more groups
    (a group is one place: a country alone, or each border section in a hierarchy)."""

    figure: Figure
    groups: tuple[int, ...]
    first: int
    last: int
    role: Role

    @property
    def is_single_cell(self) -> bool:
        return self.first == self.last and len(self.groups) == 1

    @property
    def sd(self) -> float:
        return soft_sd(self.figure)

    @property
    def priority(self) -> tuple[int, int, date]:
        return priority(self.figure)

    def overlaps(self, other: Placed) -> bool:
        return (
            self.first <= other.last
            and other.first <= self.last
            and not set(self.groups).isdisjoint(other.groups)
        )


def place(figure: Figure, groups: tuple[int, ...], origin: date, nature: Nature) -> Placed:
    last = (figure.end - origin).days
    # a stock's value is a level at the end of its period: only that day is constrained
    first = last if nature is Nature.STOCK else (figure.start - origin).days
    return Placed(figure, groups, first, last, _ROLES[figure.qualifier])
