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


def _levels(pit: FloatArray, weight: float) -> FloatArray:
    empirical = np.quantile(pit, GRID)
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
        cls, pit: FloatArray, n_origins: int, width: int, prior_origins: float = 4.0
    ) -> Recalibration:
        """From a (origins x horizon) PIT matrix. A model can be too wide a week ahead and
        too narrow four weeks ahead, so each block of horizons gets its own map; a block
        with too few values uses the map of all horizons together."""
        known = pit[~np.isnan(pit)]
        if known.size < 20:
            return cls.identity()
        weight = n_origins / (n_origins + prior_origins)
        pooled = _levels(known, weight)
        blocks = []
        for b in range(-(-pit.shape[1] // width)):
            part = pit[:, b * width : (b + 1) * width]
            part = part[~np.isnan(part)]
            blocks.append(_levels(part, weight) if part.size >= 20 else pooled)
        return cls(np.stack(blocks), width)

    def level(self, nominal: float, step: int = 1) -> float:
        """The calibrated level used for `nominal` at horizon `step` (1-based)."""
        row = min((step - 1) // self.width, self.levels.shape[0] - 1)
        return float(np.interp(nominal, GRID, self.levels[row]))

    def apply(self, paths: FloatArray) -> FloatArray:
        """Paths (n_paths x horizon) remapped column by column, ranks preserved."""
        n, horizon = paths.shape
        if n < 2:
            return paths
        order = np.argsort(paths, axis=0, kind="stable")
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.arange(n)[:, None], axis=0)
        nominal = (ranks + 0.5) / n
        target = np.empty_like(nominal)
        rows = np.minimum(np.arange(horizon) // self.width, self.levels.shape[0] - 1)
        for row in np.unique(rows):
            cols = rows == row
            target[:, cols] = np.interp(nominal[:, cols], GRID, self.levels[row])
        # Inverted-CDF quantiles by indexing the sorted column: exact sample values (counts
        # stay whole) and far cheaper than one np.quantile call per target level.
        idx = np.clip(np.ceil(target * n).astype(np.int64) - 1, 0, n - 1)
        return np.take_along_axis(np.sort(paths, axis=0), idx, axis=0)
