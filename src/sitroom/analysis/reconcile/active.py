"""Non-negative days and bounds on totals: an active set on top of the Gaussian conditioner.

A day that comes out negative is held at zero, a violated bound is held at its limit; both
become exact rows added to the same factorisation (cheap). A held row whose multiplier has
the wrong sign (it holds a day *down* at zero, or pushes a lower bound's total down) is
released again and the rows rebuilt (rare and dearer): a primal-dual active set, so that a
day held at zero early on does not stop an exact total from holding later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sitroom.analysis.reconcile.gaussian import (
    Conditioner,
    DayEvidence,
    FloatArray,
    PriorBands,
    RowEvidence,
)
from sitroom.analysis.reconcile.placement import Placed, Role

_ROUNDS = 30
_NEGATIVE = -1e-3  # a day below this is held at zero
_BOUND_SLACK = 1e-6


@dataclass(frozen=True, slots=True)
class _Held:
    key: tuple[int, int]  # (0, cell): a day held at zero; (1, i): bounds[i] held at its limit
    lower: bool  # the row may only push its total up (x >= 0, at least)
    lo: tuple[int, ...]
    hi: tuple[int, ...]
    value: float


def _rows(held: Sequence[_Held]) -> RowEvidence:
    run_row = [i for i, h in enumerate(held) for _ in h.lo]
    lo = [a for h in held for a in h.lo]
    hi = [b for h in held for b in h.hi]
    return RowEvidence(
        np.array(run_row, dtype=np.int64),
        np.array(lo, dtype=np.int64),
        np.array(hi, dtype=np.int64),
        np.array([h.value for h in held], dtype=np.float64),
        np.zeros(len(held)),
    )


@dataclass(slots=True)
class ActiveSet:
    """The inequality side of one fit: which days and bounds are held, and the solve."""

    prior: PriorBands
    days: DayEvidence
    data_rows: RowEvidence
    bounds: Sequence[Placed]
    bound_runs: RowEvidence  # one row per bound over its cells
    pinned: NDArray[np.bool_]  # days an exact one-day figure already holds

    def _violated(
        self, mean: FloatArray, held: Sequence[_Held]
    ) -> tuple[list[_Held], set[tuple[int, int]]]:
        """Newly violated days and bounds, and held zero days a new one-day bound replaces."""
        keys = {h.key for h in held}
        new: list[_Held] = []
        single_cells: set[int] = set()
        totals = self.bound_runs.totals(mean).tolist() if self.bounds else []
        for i, (item, total) in enumerate(zip(self.bounds, totals, strict=True)):
            lower = item.role is Role.LOWER
            cells = self.bound_runs.lo[self.bound_runs.run_row == i]
            ends = self.bound_runs.hi[self.bound_runs.run_row == i]
            if item.is_single_cell:
                single_cells.add(int(cells[0]))
            value = item.figure.value
            if (1, i) in keys or (
                total >= value - _BOUND_SLACK if lower else total <= value + _BOUND_SLACK
            ):
                continue
            new.append(_Held((1, i), lower, tuple(cells.tolist()), tuple(ends.tolist()), value))
        replaced = {(0, c) for c in single_cells if (0, c) in keys}
        negative = np.flatnonzero((mean < _NEGATIVE) & ~self.pinned).tolist()
        for cell in negative:
            if (0, cell) not in keys and cell not in single_cells:
                new.append(_Held((0, cell), True, (cell,), (cell + 1,), 0.0))
        return new, replaced

    def _rebuilt(self, held: Sequence[_Held]) -> Conditioner:
        conditioner = Conditioner(self.prior, self.days)
        conditioner.add(self.data_rows)
        conditioner.add(_rows(held))
        return conditioner

    def settle(
        self, conditioner: Conditioner, level: FloatArray, mean: FloatArray
    ) -> tuple[FloatArray, FloatArray, bool]:
        """Level and counts with every bound and non-negativity met; False when the rounds
        ran out (figures that contradict each other)."""
        held: list[_Held] = []
        released: set[tuple[int, int]] = set()  # released once: never again (no cycling)
        base = self.data_rows.count
        for _ in range(_ROUNDS):
            if held:
                weights = conditioner.last_weights[base:]
                tolerance = 1e-9 * (1.0 + float(np.abs(weights).max()))
                keep = [
                    h
                    for h, w in zip(held, weights.tolist(), strict=True)
                    if h.key in released or (w >= -tolerance if h.lower else w <= tolerance)
                ]
                if len(keep) < len(held):
                    released.update({h.key for h in held} - {h.key for h in keep})
                    held = keep
                    conditioner = self._rebuilt(held)
                    level, mean = conditioner.mean()
                    continue
            new, replaced = self._violated(mean, held)
            if not new:
                return level, mean, True
            if replaced:
                held = [h for h in held if h.key not in replaced] + new
                conditioner = self._rebuilt(held)
            else:
                held.extend(new)
                conditioner.add(_rows(new))
            level, mean = conditioner.mean()
        new, _ = self._violated(mean, held)
        return level, mean, not new
