"""What a forecast hands back: the numbers, the model that made them, and how it scored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from sitroom.analysis.forecast.calendar import Frequency

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ModelScore:
    """How one candidate model did in the rolling-origin backtest of one series.

    `mase` is the mean absolute error of the point forecast over every origin and every
    horizon 1..`horizon`, divided by the in-sample mean absolute error of the seasonal naive
    one-step forecast (the usual MASE scale, period 7 or 12). Below 1 beats that naive rule.
    Coverage is the share of held-out values inside the 80 % and 95 % intervals.
    """

    model: str
    mase: float
    coverage80: float
    coverage95: float
    n_origins: int
    horizon: int


@dataclass(frozen=True, slots=True)
class Forecast:
    """Forecasts for steps 1..H after the last observation, one array entry per step.

    `point` is the model's point forecast: for the negative-binomial model the median of
    the count given the projected level (the median minimises absolute error, which MASE
    scores), for the smoothing model the level times the seasonal multiplier and the median
    relative error, for the combination the mean of the two, for the baselines their
    classic rule. `mean` is the expected count, the one to
    add up over days. The bands are quantiles of `paths`, simulated futures
    (n_paths x H) that are kept for the capacity runway; every path is non-negative.
    """

    first_date: date
    frequency: Frequency
    dates: tuple[date, ...]
    point: FloatArray
    mean: FloatArray
    lo80: FloatArray
    hi80: FloatArray
    lo95: FloatArray
    hi95: FloatArray
    paths: FloatArray
    model: str
    model_description: str
    chosen: ModelScore | None
    candidates: tuple[ModelScore, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def horizon(self) -> int:
        return len(self.dates)


def summarise_paths(paths: FloatArray) -> dict[str, FloatArray]:
    """Quantile bands of simulated paths; the same for every model so bands stay nested."""
    # np.quantile's default (linear) rule on one sort, cheaper than five partitions
    ordered = np.sort(paths, axis=0)
    pos = np.array([0.025, 0.1, 0.5, 0.9, 0.975]) * (max(paths.shape[0], 1) - 1)
    below = np.floor(pos).astype(np.int64)
    above = np.minimum(below + 1, max(paths.shape[0] - 1, 0))
    frac = (pos - below)[:, None]
    qs = ordered[below] + frac * (ordered[above] - ordered[below])
    return {
        "lo95": qs[0],
        "lo80": qs[1],
        "median": qs[2],
        "hi80": qs[3],
        "hi95": qs[4],
        "mean": paths.mean(axis=0),
    }
