"""From placed figures to a fitted grid: drop what cannot hold, fit, drop contradicted soft
figures, fit again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from sitroom.analysis.reconcile.feasibility import find_infeasible, nearest_feasible
from sitroom.analysis.reconcile.figures import soft_tolerance
from sitroom.analysis.reconcile.model import Fit, Grid, ModelSettings, fit, item_totals
from sitroom.analysis.reconcile.placement import Placed, Role
from sitroom.analysis.reconcile.result import Conflict, ConflictKind
from sitroom.analysis.reconcile.screening import why_first_wins
from sitroom.domain.measures import Nature

_SOFT_ROUNDS = 3
_MAX_WINNERS_NAMED = 5
_SIDE = {Role.EXACT: 0, Role.LOWER: 1, Role.UPPER: 2}


@dataclass(frozen=True, slots=True)
class EngineResult:
    fit: Fit
    used: list[Placed]
    conflicts: list[Conflict]
    set_aside: list[str]


def _contradicted_soft(items: Sequence[Placed], mean: np.ndarray, grid: Grid) -> list[Conflict]:
    conflicts: list[Conflict] = []
    soft = [p for p in items if p.role is Role.SOFT]
    if not soft:
        return conflicts
    for item, total in zip(soft, item_totals(soft, grid, mean).tolist(), strict=True):
        gap = item.figure.value - total
        if abs(gap) <= soft_tolerance(item.figure):
            continue
        winners = sorted(
            (p for p in items if p is not item and p.role is not Role.SOFT and p.overlaps(item)),
            key=lambda p: p.priority,
            reverse=True,
        )[:_MAX_WINNERS_NAMED]
        rule = why_first_wins(winners[0].figure, item.figure) if winners else "model and data"
        conflicts.append(
            Conflict(
                ConflictKind.SOFT_CONTRADICTED,
                tuple(p.figure.id for p in winners),
                (item.figure.id,),
                gap,
                rule,
                f"{item.figure.id} ({item.figure.qualifier.value} {item.figure.value:g}) "
                f"against a reconciled {total:.0f}",
            )
        )
    return conflicts


def _all_hard_hold(items: Sequence[Placed], mean: np.ndarray, grid: Grid) -> bool:
    """The fitted days witness that every exact total and bound can hold together."""
    hard = [p for p in items if p.role is not Role.SOFT]
    if not hard:
        return True
    totals = item_totals(hard, grid, mean)
    count = len(hard)
    values = np.fromiter([p.figure.value for p in hard], np.float64, count)
    cells = np.fromiter([(p.last - p.first + 1) * len(p.groups) for p in hard], np.float64, count)
    side = np.fromiter([_SIDE[p.role] for p in hard], np.int8, count)
    exact, lower, upper = side == 0, side == 1, side == 2
    # days between -1e-3 and 0 are reported as 0, which moves a total by up to 1e-3 a cell
    slack = 1e-3 * (1.0 + np.abs(values) + cells)
    missed = (
        (exact & (np.abs(totals - values) > slack))
        | (lower & (totals < values - slack))
        | (upper & (totals > values + slack))
    )
    return not bool(missed.any())


def run(
    items: Sequence[Placed], grid: Grid, nature: Nature, settings: ModelSettings
) -> EngineResult:
    conflicts: list[Conflict] = []
    used = list(items)
    result = fit(used, grid, nature, settings)
    checked = result  # the fit `holds` was worked out for
    holds = result.consistent and _all_hard_hold(used, result.mean, grid)
    if not holds:
        hard = [p for p in used if p.role is not Role.SOFT]
        conflicts.extend(find_infeasible(hard, grid.groups))
        losers = {loser for c in conflicts for loser in c.loser_ids}
        if losers:
            used = [p for p in used if p.figure.id not in losers]
            result = fit(used, grid, nature, settings)
    dropped = {loser for c in conflicts for loser in c.loser_ids}
    for _ in range(_SOFT_ROUNDS):
        contradicted = _contradicted_soft(used, result.mean, grid)
        if not contradicted:
            break
        conflicts.extend(contradicted)
        losers = {c.loser_ids[0] for c in contradicted}
        dropped |= losers
        used = [p for p in used if p.figure.id not in losers]
        result = fit(used, grid, nature, settings)
    if result is not checked:  # refitted on fewer figures: check again
        holds = result.consistent and _all_hard_hold(used, result.mean, grid)
    if not holds:
        # the Gaussian active set stalled on figures that can all hold: move the fit to the
        # nearest counts that meet them (a linear programme), so exact totals still hold
        hard = [p for p in used if p.role is not Role.SOFT]
        repaired = nearest_feasible(hard, grid.days, grid.groups, result.mean)
        if repaired is not None:
            result = replace(result, mean=np.maximum(repaired, 0.0), consistent=True)
    return EngineResult(result, used, conflicts, sorted(dropped))
