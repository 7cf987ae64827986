"""Forecast one count series: clean it, pick a model by backtest, fit it, simulate futures."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from sitroom.analysis.forecast.backtest import choose_origins, mase_scales, score_forecasts
from sitroom.analysis.forecast.base import BacktestPlan, Fitted, ForecastModel
from sitroom.analysis.forecast.calendar import Frequency, add_steps, phase_of, step_dates
from sitroom.analysis.forecast.calibrate import Recalibration
from sitroom.analysis.forecast.combine import Combination, combine_backtests, combine_fits
from sitroom.analysis.forecast.registry import ModelRegistry
from sitroom.analysis.forecast.result import FloatArray, Forecast, ModelScore, summarise_paths

FALLBACK = "short_series_mean"
DEFAULT = "nb_damped_trend"


@dataclass(frozen=True, slots=True)
class ForecastSettings:
    """Knobs with defaults that suit daily border counts; every one is overridable."""

    n_paths: int = 1000
    backtest_paths: int = 60
    max_origins: int = 12
    #: monthly backtests are cheap and monthly series short on origins: use more
    max_origins_monthly: int = 24
    #: remap intervals so the backtest's held-out values sit where the levels say
    recalibrate: bool = True
    seed: int = 0
    #: below this many observed values (in seasonal periods) only the fallback is used
    short_periods: int = 2
    #: the backtest needs this much history (in seasonal periods) before its first origin
    min_train_periods: int = 4
    #: the model kept unless another beats its backtest MASE by more than `prefer_margin`
    #: (a short backtest is noisy: picking its winner outright loses to a good default)
    prefer: str = "nb_smoothing_mean"
    prefer_margin: float = 0.1


def _clean(values: Sequence[float] | FloatArray) -> tuple[FloatArray, list[str]]:
    y = np.asarray(values, dtype=np.float64).copy()
    warnings: list[str] = []
    if y.ndim != 1:
        raise ValueError("a series is one-dimensional")
    bad = ~np.isfinite(y) & ~np.isnan(y)
    negative = y < 0
    if bad.any() or negative.any():
        warnings.append(
            f"{int(bad.sum() + negative.sum())} infinite or negative values treated as missing"
        )
        y[bad | negative] = np.nan
    return y, warnings


def _empty(first: date, frequency: Frequency, horizon: int, warnings: list[str]) -> Forecast:
    nan = np.full(horizon, np.nan)
    return Forecast(
        first_date=first,
        frequency=frequency,
        dates=step_dates(first, horizon, frequency),
        point=nan,
        mean=nan.copy(),
        lo80=nan.copy(),
        hi80=nan.copy(),
        lo95=nan.copy(),
        hi95=nan.copy(),
        paths=np.full((0, horizon), np.nan),
        model="none",
        model_description="No observed value: nothing to forecast from.",
        chosen=None,
        warnings=(*warnings, "no observed value in the series; no forecast made"),
    )


def backtest_origins(
    n: int, period: int, horizon: int, settings: ForecastSettings
) -> tuple[list[int], int]:
    """The backtest's origins for a series of `n` steps, and the horizon it scores."""
    min_train = settings.min_train_periods * period
    max_origins = settings.max_origins if period == 7 else settings.max_origins_monthly
    origins = choose_origins(n, horizon, period, min_train=min_train, max_origins=max_origins)
    if len(origins) >= 2:
        return origins, horizon
    # A shorter scoring horizon still tells the models apart better than no backtest.
    eval_h = max(1, min(horizon, n - min_train - 1))
    return choose_origins(n, eval_h, period, min_train=min_train, max_origins=max_origins), eval_h


def prepare(
    values: Sequence[float] | FloatArray, start: date, frequency: Frequency
) -> tuple[FloatArray, int, int, list[str]]:
    """The cleaned series from its first observed value, the seasonal phase of that value,
    its offset into `values` (-1 when nothing is observed) and the warnings."""
    y, warnings = _clean(values)
    valid = np.flatnonzero(~np.isnan(y))
    if valid.size == 0:
        return y, 0, -1, warnings
    phase0 = phase_of(add_steps(start, int(valid[0]), frequency), frequency)
    return y[valid[0] :], phase0, int(valid[0]), warnings


def _select(
    y: FloatArray,
    phase0: int,
    period: int,
    horizon: int,
    candidates: Sequence[ForecastModel],
    settings: ForecastSettings,
    rng: np.random.Generator,
) -> tuple[ForecastModel | None, Fitted | None, tuple[ModelScore, ...], Recalibration]:
    """The chosen candidate (`settings.prefer` unless another's backtest MASE is lower by
    more than `settings.prefer_margin`, else the lowest), its fit to all of `y`, every
    score, and the interval recalibration from the chosen model's backtest."""
    origins, eval_h = backtest_origins(y.size, period, horizon, settings)
    if len(origins) < 2:
        return None, None, (), Recalibration.identity()
    plan = BacktestPlan(origins, eval_h, settings.backtest_paths, rng)
    runs: dict[str, tuple[Fitted, FloatArray, FloatArray]] = {}
    # Members before combinations, so that a combination reuses its members' backtests.
    for m in sorted(candidates, key=lambda m: isinstance(m, Combination)):
        if isinstance(m, Combination) and all(x.name in runs for x in m.members):
            parts = [runs[x.name] for x in m.members]
            points, paths = combine_backtests(
                [r[1] for r in parts], [r[2] for r in parts], settings.backtest_paths
            )
            runs[m.name] = (combine_fits([r[0] for r in parts]), points, paths)
        else:
            runs[m.name] = m.fit_with_backtest(y, phase0, period, plan)
    fits = [runs[m.name][0] for m in candidates]
    scales = mase_scales(y, period, origins)
    results = [
        score_forecasts(m.name, runs[m.name][1], runs[m.name][2], y, origins, scales)
        for m in candidates
    ]
    scores = tuple(score for score, _ in results)
    ranked = [i for i, s in enumerate(scores) if not math.isnan(s.mase)]
    if not ranked:
        return None, None, scores, Recalibration.identity()
    best = min(ranked, key=lambda i: scores[i].mase)
    preferred = [i for i in ranked if candidates[i].name == settings.prefer]
    if preferred and scores[best].mase > (1.0 - settings.prefer_margin) * scores[preferred[0]].mase:
        best = preferred[0]
    recal = (
        Recalibration.from_pit_bounds(results[best][1], len(origins), 7 if period == 7 else 12)
        if settings.recalibrate
        else Recalibration.identity()
    )
    return candidates[best], fits[best], scores, recal


def forecast_series(
    values: Sequence[float] | FloatArray,
    start: date,
    frequency: Frequency = Frequency.DAILY,
    horizon: int | None = None,
    *,
    models: Sequence[str] | None = None,
    registry: ModelRegistry | None = None,
    settings: ForecastSettings | None = None,
) -> Forecast:
    """Forecast a daily (or monthly) count series 1..horizon steps past its last value.

    `values[i]` is the count on `start` + i days (or months); NaN marks a missing value.
    The model is chosen among `models` (default: every candidate in the registry) by MASE
    in a rolling-origin backtest. A series too short for that gets the fallback baseline,
    a wide interval and a warning; an empty series gets NaN and a warning. Never raises on
    data, only on a horizon outside 1..28 days (1..12 months) or an unknown model name.
    """
    settings = settings or ForecastSettings()
    registry = registry or ModelRegistry()
    horizon = frequency.max_horizon if horizon is None else horizon
    if not 1 <= horizon <= frequency.max_horizon:
        raise ValueError(f"horizon must be 1..{frequency.max_horizon} for {frequency} series")
    if frequency is Frequency.MONTHLY and start.day != 1:
        start = date(start.year, start.month, 1)
    y, phase0, offset, warnings = prepare(values, start, frequency)
    first = add_steps(start, y.size + max(offset, 0), frequency)
    if offset < 0:
        return _empty(first, frequency, horizon, warnings)
    period = frequency.period
    n_obs = int((~np.isnan(y)).sum())
    pool = [registry.get(n) for n in models] if models else list(registry.candidates())
    eligible = [m for m in pool if n_obs >= m.min_obs(period)]
    rng = np.random.default_rng(settings.seed)

    chosen: ForecastModel | None = None
    scores: tuple[ModelScore, ...] = ()
    recal = Recalibration.identity()
    fitted: Fitted | None = None
    if n_obs >= settings.short_periods * period and eligible:
        chosen, fitted, scores, recal = _select(y, phase0, period, horizon, eligible, settings, rng)
        if chosen is None:
            names = [m.name for m in eligible]
            chosen = registry.get(DEFAULT) if DEFAULT in names else eligible[0]
            warnings.append(
                f"only {n_obs} observed values: too few to backtest, {chosen.name} used untested"
            )
    if chosen is None:
        chosen = registry.get(FALLBACK)
        warnings.append(
            f"only {n_obs} observed values: too short to forecast reliably; recent mean with "
            "a deliberately wide interval"
        )
    if fitted is None:
        fitted = chosen.fit(y, phase0, period)
    paths = recal.apply(fitted.simulate(horizon, settings.n_paths, rng))
    bands = summarise_paths(paths)
    score = next((s for s in scores if s.model == chosen.name), None)
    if score is not None and score.coverage95 < 0.85:
        warnings.append(
            f"in backtest only {score.coverage95:.0%} of values fell in the 95 % interval"
        )
    return Forecast(
        first_date=first,
        frequency=frequency,
        dates=step_dates(first, horizon, frequency),
        point=np.maximum(fitted.point(horizon), 0.0),
        mean=bands["mean"],
        lo80=bands["lo80"],
        hi80=bands["hi80"],
        lo95=bands["lo95"],
        hi95=bands["hi95"],
        paths=paths,
        model=chosen.name,
        model_description=chosen.description,
        chosen=score,
        candidates=scores,
        warnings=tuple(warnings),
    )
