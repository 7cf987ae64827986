"""Who should send what where: open needs against open supplies, solved as a mixed-integer
programme (HiGHS through scipy.optimize.milp), with a first-come greedy allocation beside it
for comparison.

The objective, in units of "a normal-priority unit left uncovered":

    minimise  Σ_need  weight × uncovered
            + Σ_move  weight × quantity × min(0.9, days late / 28)

where `weight` is the need's priority weight (critical 8, high 4, normal 2, low 1) and a move
is late by the days its supply's earliest arrival falls after the need's needed-by date. A unit
four weeks late is thus still worth sending (it costs 0.9 of a unit left short), and a unit on
time costs nothing. Constraints: a need receives at most what it asked for; a supply gives at
most what it holds; a supply goes only to the destinations its provider allows, and only to a
need for the same item (items are never substituted). Quantities are whole except euros.

Items do not share any constraint, so each item is its own, smaller programme; the proposal's
bound is the sum of the solver's bounds on each (the LP optimum, below which no allocation,
whole or not, can go), so `gap` says how far from the optimum the proposal can be.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array

LATE_SCALE_DAYS = 28.0
LATE_CAP = 0.9


@dataclass(frozen=True, slots=True)
class Need:
    key: str
    item: str
    quantity: float
    weight: float
    destination: str
    needed_by: date | None = None
    order: int = 0  # first come, first served: the greedy allocation's order
    whole: bool = True


@dataclass(frozen=True, slots=True)
class Supply:
    key: str
    item: str
    quantity: float
    provider: str
    destinations: frozenset[str] | None = None  # None: anywhere
    available_on: date | None = None
    order: int = 0


@dataclass(frozen=True, slots=True)
class Move:
    supply: str
    need: str
    quantity: float
    days_late: int


@dataclass(frozen=True, slots=True)
class Allocation:
    moves: list[Move]
    uncovered: dict[str, float]
    cost: float
    bound: float
    seconds: float
    method: str

    @property
    def gap(self) -> float:
        """How far above the optimum the cost can be, as a share of the bound."""
        if self.bound <= 0:
            return 0.0 if self.cost <= 1e-9 else float("inf")
        return max(0.0, (self.cost - self.bound) / self.bound)

    @property
    def shortfall(self) -> float:
        return sum(self.uncovered.values())


def days_late(need: Need, supply: Supply) -> int:
    if need.needed_by is None or supply.available_on is None:
        return 0
    return max(0, (supply.available_on - need.needed_by).days)


def move_cost(need: Need, supply: Supply) -> float:
    return need.weight * min(LATE_CAP, days_late(need, supply) / LATE_SCALE_DAYS)


def fits(need: Need, supply: Supply) -> bool:
    return supply.item == need.item and (
        supply.destinations is None or need.destination in supply.destinations
    )


def cost_of(needs: Sequence[Need], supplies: Sequence[Supply], moves: Sequence[Move]) -> float:
    """The objective of any allocation, so that the solver's and the greedy one compare."""
    by_need = {n.key: n for n in needs}
    by_supply = {s.key: s for s in supplies}
    given: dict[str, float] = defaultdict(float)
    total = 0.0
    for m in moves:
        given[m.need] += m.quantity
        total += m.quantity * move_cost(by_need[m.need], by_supply[m.supply])
    return total + sum(n.weight * max(0.0, n.quantity - given[n.key]) for n in needs)


def allocate(
    needs: Sequence[Need], supplies: Sequence[Supply], *, gap: float = 0.005, time_limit: float = 60
) -> Allocation:
    """The proposal. `gap` is the relative distance from the optimum the solver may stop at."""
    started = time.perf_counter()
    needs_by_item: dict[str, list[Need]] = defaultdict(list)
    supplies_by_item: dict[str, list[Supply]] = defaultdict(list)
    for n in needs:
        needs_by_item[n.item].append(n)
    for s in supplies:
        supplies_by_item[s.item].append(s)
    moves: list[Move] = []
    bound = 0.0
    for key, item_needs in needs_by_item.items():
        found, item_bound = _solve_item(item_needs, supplies_by_item.get(key, []), gap, time_limit)
        moves.extend(found)
        bound += item_bound
    given: dict[str, float] = defaultdict(float)
    for m in moves:
        given[m.need] += m.quantity
    uncovered = {n.key: max(0.0, n.quantity - given[n.key]) for n in needs}
    cost = cost_of(needs, supplies, moves)
    return Allocation(moves, uncovered, cost, min(bound, cost), time.perf_counter() - started, "lp")


def _pairs(needs: list[Need], supplies: list[Supply]) -> tuple[Any, Any, Any]:
    """Which supply may serve which need (same item is given; destinations checked here), and
    what each such move costs per unit, built with arrays: this is most of the work in Python."""
    places = sorted({n.destination for n in needs})
    index = {p: k for k, p in enumerate(places)}
    allowed = np.zeros((len(supplies), len(places)), dtype=bool)
    for j, s in enumerate(supplies):
        if s.destinations is None:
            allowed[j, :] = True
        else:
            allowed[j, [index[d] for d in s.destinations if d in index]] = True
    where = np.array([index[n.destination] for n in needs], dtype=np.int64)
    need_of, supply_of = np.nonzero(allowed[:, where].T)
    needed = np.array([n.needed_by.toordinal() if n.needed_by else -1 for n in needs])
    arrives = np.array([s.available_on.toordinal() if s.available_on else -1 for s in supplies])
    late = np.maximum(0, arrives[supply_of] - needed[need_of])
    late[(needed[need_of] < 0) | (arrives[supply_of] < 0)] = 0
    weight = np.array([n.weight for n in needs])[need_of]
    cost = weight * np.minimum(LATE_CAP, late / LATE_SCALE_DAYS)
    return need_of, supply_of, (cost, late, weight)


def _solve_item(
    needs: list[Need], supplies: list[Supply], gap: float, time_limit: float
) -> tuple[list[Move], float]:
    """max Σ (weight − lateness cost) × moved, i.e. min weighted shortfall − Σ weight × asked.
    The constraint matrix is a bipartite graph's (each move in one need row, one supply row),
    which is totally unimodular: the LP's vertex solutions are whole numbers, so the LP
    (HiGHS interior point, then crossover to a vertex) solves the integer problem, and its
    optimum is the bound. Should a solution come back fractional, the MILP solver redoes it."""
    asked = np.array([n.quantity for n in needs], dtype=float)
    constant = float(np.dot([n.weight for n in needs], asked))
    if not supplies:
        return [], constant
    need_of, supply_of, (cost, late, weight) = _pairs(needs, supplies)
    if need_of.size == 0:
        return [], constant
    held = np.array([s.quantity for s in supplies], dtype=float)
    n_pairs = need_of.size
    rows = np.concatenate([need_of, len(needs) + supply_of])
    cols = np.concatenate([np.arange(n_pairs), np.arange(n_pairs)])
    matrix = coo_array(
        (np.ones(2 * n_pairs), (rows, cols)), shape=(len(needs) + len(supplies), n_pairs)
    ).tocsr()
    limits = np.concatenate([asked, held])
    objective = cost - weight
    result = linprog(
        objective,
        A_ub=matrix,
        b_ub=limits,
        bounds=(0, None),
        method="highs-ipm",
        options={"time_limit": time_limit},
    )
    if result.x is None:
        raise RuntimeError(f"the allocation solver found no solution: {result.message}")
    values, bound = result.x, float(result.fun) + constant
    whole = all(n.whole for n in needs)
    if whole and not np.allclose(values, np.round(values), atol=1e-6):
        exact = milp(
            objective,
            constraints=LinearConstraint(matrix, -np.inf, limits),
            bounds=Bounds(0, np.inf),
            integrality=np.ones(n_pairs),
            options={"mip_rel_gap": gap, "time_limit": time_limit},
        )
        values = exact.x
        bound = float(getattr(exact, "mip_dual_bound", exact.fun)) + constant
    values = np.round(values) if whole else values
    moves = [
        Move(supplies[supply_of[p]].key, needs[need_of[p]].key, float(values[p]), int(late[p]))
        for p in np.flatnonzero(values > 1e-6)
    ]
    return moves, bound


def greedy(needs: Sequence[Need], supplies: Sequence[Supply]) -> Allocation:
    """First come, first served: needs in the order they were posted each take from the
    supplies in the order they were offered, with no look at priority or dates."""
    started = time.perf_counter()
    left = {s.key: s.quantity for s in supplies}
    by_item: dict[str, list[Supply]] = defaultdict(list)
    for s in sorted(supplies, key=lambda s: s.order):
        by_item[s.item].append(s)
    moves: list[Move] = []
    uncovered: dict[str, float] = {}
    for need in sorted(needs, key=lambda n: n.order):
        want = need.quantity
        for supply in by_item.get(need.item, []):
            if want <= 0:
                break
            if left[supply.key] <= 0 or not fits(need, supply):
                continue
            take = min(want, left[supply.key])
            left[supply.key] -= take
            want -= take
            moves.append(Move(supply.key, need.key, take, days_late(need, supply)))
        uncovered[need.key] = want
    cost = cost_of(needs, supplies, moves)
    return Allocation(moves, uncovered, cost, 0.0, time.perf_counter() - started, "greedy")
