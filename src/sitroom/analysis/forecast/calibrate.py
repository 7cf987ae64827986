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
    """Randomised probability integral transform of each known actual value.

    `paths` is (origins, n_paths, horizon), `actual` is (origins, horizon). For counts the
    CDF jumps, so the PIT is drawn uniformly inside the jump, which makes it uniform when
    the forecasts are calibrated.
    """
    below = (paths < actual[:, None, :]).mean(axis=1)
    at_or_below = (paths <= actual[:, None, :]).mean(axis=1)
    u = rng.uniform(size=actual.shape)
    pit = below + u * (at_or_below - below)
    return np.asarray(pit[~np.isnan(actual)], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Recalibration:
    """A monotone map from nominal to calibrated quantile levels, on a fixed grid."""

    levels: FloatArray  # calibrated level for each GRID point

    @classmethod
    def identity(cls) -> Recalibration:
        return cls(GRID.copy())

    @classmethod
    def from_pit(cls, pit: FloatArray, n_origins: int, prior_origins: float = 4.0) -> Recalibration:
        if pit.size < 20:
            return cls.identity()
        empirical = np.quantile(pit, GRID)
        weight = n_origins / (n_origins + prior_origins)
        levels = np.clip(weight * empirical + (1.0 - weight) * GRID, 0.0, 1.0)
        levels[0], levels[-1] = 0.0, 1.0
        return cls(np.maximum.accumulate(levels))

    def level(self, nominal: float) -> float:
        return float(np.interp(nominal, GRID, self.levels))

    def apply(self, paths: FloatArray) -> FloatArray:
        """Paths (n_paths x horizon) remapped column by column, ranks preserved."""
        n = paths.shape[0]
        if n < 2:
            return paths
        order = np.argsort(paths, axis=0, kind="stable")
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.arange(n)[:, None], axis=0)
        target = np.interp((ranks + 0.5) / n, GRID, self.levels)
        # Inverted-CDF quantiles by indexing the sorted column: exact sample values (counts
        # stay whole) and far cheaper than one np.quantile call per target level.
        idx = np.clip(np.ceil(target * n).astype(np.int64) - 1, 0, n - 1)
        return np.take_along_axis(np.sort(paths, axis=0), idx, axis=0)
