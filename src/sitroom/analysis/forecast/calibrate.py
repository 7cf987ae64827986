"""Interval recalibration from the model's own backtest (quantile recalibration).

A count model's shape can be wrong in ways no single dispersion fixes (Italian landings are
zero on a quarter of days and hundreds on the rest). Where the backtest shows that held-out
values fall at, say, the 70th percentile of the simulated futures when they "should" fall at
the 80th, each simulated value is moved to the quantile of its column that makes the levels
agree. Ranks within each horizon column are kept, so a path that is high on day 3 is still
high on day 4 (the runway depends on that). The correction is shrunk towards none by the
number of backtest origins, so a short backtest cannot distort the intervals much.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sitroom.analysis.forecast.result import FloatArray

GRID = np.linspace(0.0, 1.0, 41)


def pit_values(paths: FloatArray, actual: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Randomised probability integral transform of each actual value, NaN where unknown.

    `paths` is (origins, n_paths, horizon), `actual` and the result are (origins, horizon).
    For counts the CDF jumps, so the PIT is drawn uniformly inside the jump, which makes it
    uniform when the forecasts are calibrated.
    """
    below = (paths < actual[:, None, :]).mean(axis=1)
    at_or_below = (paths <= actual[:, None, :]).mean(axis=1)
    u = rng.uniform(size=actual.shape)
    pit = below + u * (at_or_below - below)
    return np.asarray(np.where(np.isnan(actual), np.nan, pit), dtype=np.float64)


def pit_bounds(paths: FloatArray, actual: FloatArray) -> FloatArray:
    """The share of futures below each actual value and at or below it, stacked
    (2, origins, horizon); NaN where the value is unknown. For counts the two differ by the
    probability of the value itself."""
    below = (paths < actual[:, None, :]).mean(axis=1)
    at_or_below = (paths <= actual[:, None, :]).mean(axis=1)
    out = np.stack([below, at_or_below])
    return np.asarray(np.where(np.isnan(actual)[None], np.nan, out), dtype=np.float64)


def _quantiles(ordered: FloatArray, q: FloatArray) -> FloatArray:
    """np.quantile's default (linear) rule on an already sorted array."""
    pos = q * (ordered.size - 1)
    below = np.floor(pos).astype(np.int64)
    above = np.minimum(below + 1, ordered.size - 1)
    return np.asarray(ordered[below] + (pos - below) * (ordered[above] - ordered[below]))


def _levels(below: FloatArray, at_or_below: FloatArray, weight: float) -> FloatArray:
    # An interval [Q(a), Q(b)] of simulated counts misses a value below it when the share
    # of futures at or below the value is under a, and above it when the share strictly
    # below is b or more. Taking the lower levels from the first and the upper ones from
    # the second makes the intervals (closed, as they are read) cover what they say, even
    # when a count such as zero has a large probability of its own. Where one side cannot
    # miss as often as it should (the lower end is zero and zero is likely), the other side
    # makes up the difference, so that the interval still holds its nominal share.
    tails = GRID[GRID < 0.5]
    lo_sorted, hi_sorted = np.sort(at_or_below), np.sort(below)
    n = lo_sorted.size
    lo = _quantiles(lo_sorted, tails)
    hi = _quantiles(hi_sorted, 1.0 - tails)
    short_lo = tails - np.searchsorted(lo_sorted, lo, side="left") / n
    short_hi = tails - (1.0 - np.searchsorted(hi_sorted, hi, side="left") / n)
    lo = _quantiles(lo_sorted, np.clip(tails + np.maximum(short_hi, 0.0), 0.0, 0.5))
    hi = _quantiles(hi_sorted, np.clip(1.0 - tails - np.maximum(short_lo, 0.0), 0.5, 1.0))
    mid = 0.5 * (_quantiles(lo_sorted, np.array([0.5])) + _quantiles(hi_sorted, np.array([0.5])))
    empirical = np.concatenate([lo, mid, hi[::-1]])
    levels = np.clip(weight * empirical + (1.0 - weight) * GRID, 0.0, 1.0)
    levels[0], levels[-1] = 0.0, 1.0
    return np.asarray(np.maximum.accumulate(levels), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Recalibration:
    """Monotone maps from nominal to calibrated quantile levels, one per block of horizons
    (`width` steps each: a week of days, a year of months), on a fixed grid."""

    levels: FloatArray  # (blocks, GRID)
    width: int = 7

    @classmethod
    def identity(cls) -> Recalibration:
        return cls(GRID.copy()[None, :])

    @classmethod
    def from_pit(
        cls, pit: FloatArray, n_origins: int, width: int, prior_origins: float = 1.0
    ) -> Recalibration:
        """From a (origins x horizon) PIT matrix. A model can be too wide a week ahead and
        too narrow four weeks ahead, so each block of horizons gets its own map; a block
        with too few values uses the map of all horizons together."""
        return cls.from_pit_bounds(np.stack([pit, pit]), n_origins, width, prior_origins)

    @classmethod
    def from_pit_bounds(
        cls, bounds: FloatArray, n_origins: int, width: int, prior_origins: float = 1.0
    ) -> Recalibration:
        """From `pit_bounds` (2 x origins x horizon): the levels that make the closed
        intervals cover as often as their nominal level in the backtest."""
        known = ~np.isnan(bounds[0])
        if known.sum() < 20:
            return cls.identity()
        weight = n_origins / (n_origins + prior_origins)
        pooled = _levels(bounds[0][known], bounds[1][known], weight)
        blocks = []
        for b in range(-(-bounds.shape[2] // width)):
            part = bounds[:, :, b * width : (b + 1) * width]
            ok = known[:, b * width : (b + 1) * width]
            enough = ok.sum() >= 20
            blocks.append(_levels(part[0][ok], part[1][ok], weight) if enough else pooled)
        return cls(np.stack(blocks), width)

    def level(self, nominal: float, step: int = 1) -> float:
        """The calibrated level used for `nominal` at horizon `step` (1-based)."""
        row = min((step - 1) // self.width, self.levels.shape[0] - 1)
        return float(np.interp(nominal, GRID, self.levels[row]))

    def apply(self, paths: FloatArray) -> FloatArray:
        """Paths (n_paths x horizon) remapped column by column, ranks preserved."""
        n, horizon = paths.shape
        if n < 2 or np.array_equal(self.levels, GRID[None, :]):
            return paths
        # Tied values may swap ranks among themselves (a third of the cost of a stable
        # sort); any value above another still stays above it.
        order = np.argsort(paths, axis=0)
        ordered = np.take_along_axis(paths, order, axis=0)
        # The path of rank r sits at nominal level (r + 0.5) / n in every column, so each
        # block of columns needs one map of n ranks, not one per value.
        nominal = (np.arange(n) + 0.5) / n
        rows = np.minimum(np.arange(horizon) // self.width, self.levels.shape[0] - 1)
        remapped = np.empty_like(ordered)
        for row in np.unique(rows):
            cols = np.flatnonzero(rows == row)
            target = np.interp(nominal, GRID, self.levels[row])
            # Inverted-CDF quantiles by indexing the sorted column: exact sample values
            # (counts stay whole) and far cheaper than np.quantile at each target level.
            idx = np.clip(np.ceil(target * n).astype(np.int64) - 1, 0, n - 1)
            remapped[:, cols] = ordered[idx[:, None], cols[None, :]]
        out = np.empty_like(paths)
        np.put_along_axis(out, order, remapped, axis=0)
        return out
