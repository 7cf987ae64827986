"""Find which hard figures (exact totals and bounds) cannot all hold with counts >= 0.

An elastic linear programme over the day segments cut by the figures' boundaries: every hard
figure may be missed by a slack, each slack costs more the higher the figure's standing, and
the programme finds the cheapest set of misses. The figures it misses are the losers; the
ones they overlap and that hold are the winners.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.optimize
import scipy.sparse

from sitroom.analysis.reconcile.placement import Placed, Role
from sitroom.analysis.reconcile.result import Conflict, ConflictKind
from sitroom.analysis.reconcile.screening import why_first_wins

_MAX_WINNERS_NAMED = 5


def _segment_matrix(hard: Sequence[Placed], groups: int) -> scipy.sparse.csr_matrix:
    cuts: list[set[int]] = [set() for _ in range(groups)]
    for item in hard:
        for g in item.groups:
            cuts[g].update((item.first, item.last + 1))
    starts = [sorted(c) for c in cuts]
    where = [{cut: j for j, cut in enumerate(s)} for s in starts]
    offsets = np.cumsum([0] + [max(len(s) - 1, 0) for s in starts]).tolist()
    rows: list[int] = []
    cols: list[int] = []
    for i, item in enumerate(hard):
        for g in item.groups:
            lo = where[g][item.first]
            hi = where[g][item.last + 1]
            rows.extend([i] * (hi - lo))
            cols.extend(range(offsets[g] + lo, offsets[g] + hi))
    shape = (len(hard), int(offsets[-1]))
    return scipy.sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)


def _slack_weights(hard: Sequence[Placed]) -> np.ndarray:
    # rank by standing so the cheapest miss always falls on the weakest figure
    # on equal standing the figure listed first is the one kept
    order = sorted(range(len(hard)), key=lambda i: (hard[i].priority, -i))
    weights = np.empty(len(hard))
    for rank, i in enumerate(order):
        weights[i] = 1.0 + rank
    return weights


def find_infeasible(hard: Sequence[Placed], groups: int) -> list[Conflict]:
    """Conflicts among hard figures; empty when they can all hold together."""
    if len(hard) < 2:
        return []
    segments = _segment_matrix(hard, groups)
    k, s = segments.shape
    values = np.array([p.figure.value for p in hard])
    roles = [p.role for p in hard]
    # variables: segment totals y >= 0, then slack up (p) and slack down (n), one pair each
    identity = scipy.sparse.identity(k, format="csr")
    full = scipy.sparse.hstack([segments, identity, -identity], format="csr")
    eq = np.array([r is Role.EXACT for r in roles])
    lower = np.array([r is Role.LOWER for r in roles])
    upper = np.array([r is Role.UPPER for r in roles])
    # a.y + p >= v  <=>  -a.y - p + n <= -v ; a.y - n <= v  (n is zero-cost-free otherwise)
    ub_rows = scipy.sparse.vstack([-full[lower], full[upper]], format="csr")
    ub_values = np.concatenate([-values[lower], values[upper]])
    weights = _slack_weights(hard)
    cost = np.concatenate([np.zeros(s), weights, weights])
    result = scipy.optimize.linprog(
        cost,
        A_ub=ub_rows if ub_rows.shape[0] else None,
        b_ub=ub_values if ub_rows.shape[0] else None,
        A_eq=full[eq] if eq.any() else None,
        b_eq=values[eq] if eq.any() else None,
        bounds=(0, None),
        method="highs",
    )
    if result.status != 0:
        return []
    slack_up = result.x[s : s + k]
    slack_down = result.x[s + k :]
    missed = slack_up + slack_down > 1e-6 * np.maximum(1.0, np.abs(values)) + 1e-6
    conflicts = []
    for i in np.flatnonzero(missed):
        loser = hard[int(i)]
        winners = sorted(
            (p for j, p in enumerate(hard) if not missed[j] and p.overlaps(loser)),
            key=lambda p: p.priority,
            reverse=True,
        )[:_MAX_WINNERS_NAMED]
        gap = float(slack_up[i] - slack_down[i])
        rule = why_first_wins(winners[0].figure, loser.figure) if winners else "cannot hold"
        conflicts.append(
            Conflict(
                ConflictKind.INFEASIBLE,
                tuple(p.figure.id for p in winners),
                (loser.figure.id,),
                gap,
                rule,
                f"{loser.figure.id} ({loser.figure.qualifier.value} {loser.figure.value:g}) "
                f"is {abs(gap):g} {'above' if gap > 0 else 'below'} what the others allow",
            )
        )
    return conflicts


def nearest_feasible(
    hard: Sequence[Placed], days: int, groups: int, mean: np.ndarray
) -> np.ndarray | None:
    """The counts closest to `mean` (least total absolute change) with every hard figure and
    non-negativity met; None when the programme fails. A repair for the rare case where the
    Gaussian active set stalls on figures that can all hold together."""
    n = days * groups
    rows: list[int] = []
    cols: list[int] = []
    for i, item in enumerate(hard):
        for g in item.groups:
            span = range(g * days + item.first, g * days + item.last + 1)
            rows.extend([i] * len(span))
            cols.extend(span)
    cells = scipy.sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(hard), n))
    values = np.array([p.figure.value for p in hard])
    roles = [p.role for p in hard]
    eq = np.array([r is Role.EXACT for r in roles], dtype=bool)
    lower = np.array([r is Role.LOWER for r in roles], dtype=bool)
    upper = np.array([r is Role.UPPER for r in roles], dtype=bool)
    # variables: x, then up and down moves from the mean; x - up + down = mean
    zero = scipy.sparse.csr_matrix((len(hard), n))
    identity = scipy.sparse.identity(n, format="csr")
    moves = scipy.sparse.hstack([identity, -identity, identity], format="csr")
    padded = scipy.sparse.hstack([cells, zero, zero], format="csr")
    a_eq = scipy.sparse.vstack([moves, padded[eq]], format="csr")
    b_eq = np.concatenate([np.asarray(mean, dtype=np.float64), values[eq]])
    a_ub = scipy.sparse.vstack([-padded[lower], padded[upper]], format="csr")
    b_ub = np.concatenate([-values[lower], values[upper]])
    result = scipy.optimize.linprog(
        np.concatenate([np.zeros(n), np.ones(2 * n)]),
        A_ub=a_ub if a_ub.shape[0] else None,
        b_ub=b_ub if a_ub.shape[0] else None,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=(0, None),
        method="highs",
    )
    if result.status != 0:
        return None
    repaired: np.ndarray = result.x[:n]
    return repaired
