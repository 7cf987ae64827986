"""Leave each one-day figure out in turn, reconcile from the rest, and compare (real data)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sitroom.analysis.reconcile import Figure, ModelSettings, reconcile
from sitroom.domain.measures import Measure, Qualifier

HELD_OUT_MEASURES = (Measure.APPREHENDED, Measure.PREVENTED_ENTRY, Measure.ATTEMPTED_CROSSING)


@dataclass(frozen=True)
class HeldOut:
    series: str
    figure_id: str
    truth: float
    model: float
    linear: float
    inside80: bool
    inside95: bool
    pinned: bool  # inside another exact total of at most a month
    # known one-day values on both sides: linear interpolation interpolates rather than
    # carrying the nearest value flat (it does that at the ends of a series)
    interior: bool


def _one_day_values(figures: list[Figure]) -> list[Figure]:
    return [
        f
        for f in figures
        if f.start == f.end
        and f.qualifier in (Qualifier.EXACT, Qualifier.APPROX, Qualifier.ROUNDED)
    ]


def linear_interpolation(known: list[Figure], day_ordinal: int) -> float | None:
    """The baseline: a straight line between the nearest known days either side (flat
    beyond the last one); None when no other day is known."""
    if not known:
        return None
    xs = np.array([f.start.toordinal() for f in known], dtype=float)
    ys = np.array([f.value for f in known])
    order = np.argsort(xs, kind="stable")
    xs, ys = xs[order], ys[order]
    # two figures for one day: the later listed counts, as a reader would take it
    unique_x, last_index = np.unique(xs[::-1], return_index=True)
    unique_y = ys[::-1][last_index]
    return float(np.interp(day_ordinal, unique_x, unique_y))


def held_out(
    series: dict[tuple[str, Measure], list[Figure]], settings: ModelSettings
) -> list[HeldOut]:
    results = []
    for (country, measure), figures in sorted(series.items()):
        if measure not in HELD_OUT_MEASURES:
            continue
        nature = measure.nature
        start = min(f.start for f in figures)
        end = max(f.end for f in figures)
        for target in _one_day_values(figures):
            if target.qualifier is not Qualifier.EXACT:
                continue
            rest = [f for f in figures if f.id != target.id]
            others = [f for f in _one_day_values(rest) if f.start != target.start]
            baseline = linear_interpolation(others, target.start.toordinal())
            if baseline is None:
                continue
            result = reconcile(rest, nature, start, end, settings=settings)
            pinned = any(
                f.start <= target.start <= f.end
                and 1 < f.days <= 31
                and f.qualifier is Qualifier.EXACT
                for f in rest
            )
            interior = any(f.start < target.start for f in others) and any(
                f.start > target.start for f in others
            )
            i = result.index_of(target.start)
            results.append(
                HeldOut(
                    f"{country} {measure.value}",
                    target.id,
                    target.value,
                    float(result.estimate[i]),
                    baseline,
                    bool(result.lower80[i] <= target.value <= result.upper80[i]),
                    bool(result.lower95[i] <= target.value <= result.upper95[i]),
                    pinned,
                    interior,
                )
            )
    return results


def summarise(results: list[HeldOut]) -> dict[str, float]:
    truth = np.array([r.truth for r in results])
    model = np.array([r.model for r in results])
    linear = np.array([r.linear for r in results])
    mae_model = float(np.abs(model - truth).mean())
    mae_linear = float(np.abs(linear - truth).mean())
    return {
        "n": float(len(results)),
        "mae_model": mae_model,
        "mae_linear": mae_linear,
        "improvement": 1.0 - mae_model / mae_linear,
        "coverage80": float(np.mean([r.inside80 for r in results])),
        "coverage95": float(np.mean([r.inside95 for r in results])),
    }
