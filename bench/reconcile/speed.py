"""Speed: many five-year series with a Lithuania-like mix of figures (SYNTHETIC data).

Each synthetic series draws a daily count path (a log-scale random walk with a surge, and
negative-binomial days), then reports it the way Lithuania's figures arrived: some single
days, a few multi-day totals, most months, year-to-date totals, annual totals, a few "about"
figures and one same-day disagreement between two outlets.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import numpy as np

from sitroom.analysis.reconcile import OFFICIAL_RANK, Figure, reconcile
from sitroom.domain.measures import Nature, Qualifier

START = date(2020, 1, 1)
DAYS = 5 * 365 + 1


def synthetic_series(rng: np.random.Generator) -> list[Figure]:
    log_level = np.cumsum(rng.normal(0.0, 0.05, DAYS)) + rng.uniform(0.0, 3.0)
    surge = rng.integers(0, DAYS - 200)
    log_level[surge : surge + 120] += np.linspace(0.0, 2.5, 120)
    level = np.exp(np.clip(log_level, -3.0, 8.0))
    counts = rng.negative_binomial(2.0, 2.0 / (2.0 + level)).astype(float)

    def day(i: int) -> date:
        return START + timedelta(days=int(i))

    def total(i: int, j: int) -> float:
        return float(counts[i : j + 1].sum())

    figures = []
    for i in rng.choice(DAYS, 120, replace=False):
        figures.append(Figure(f"day{i}", day(i), day(i), counts[i]))
    for i in rng.choice(DAYS - 7, 10, replace=False):
        figures.append(Figure(f"few{i}", day(i), day(i + 3), total(i, i + 3)))
    for i in rng.choice(DAYS - 7, 6, replace=False):
        value = float(round(total(i, i + 6), -1))
        figures.append(Figure(f"about{i}", day(i), day(i + 6), value, Qualifier.APPROX))
    for year in range(START.year, START.year + 5):
        jan1 = (date(year, 1, 1) - START).days
        for month in range(1, 13):
            first = date(year, month, 1)
            last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            a, b = (first - START).days, (last - START).days
            if rng.random() < 0.7 and b < DAYS:
                figures.append(Figure(f"m{year}-{month}", first, last, total(a, b)))
        for cut in rng.choice(365, 6, replace=False):
            if jan1 + cut < DAYS:
                figures.append(
                    Figure(
                        f"ytd{year}-{cut}",
                        day(jan1),
                        day(jan1 + cut),
                        total(jan1, jan1 + cut),
                        source_rank=OFFICIAL_RANK,
                    )
                )
        figures.append(
            Figure(
                f"y{year}",
                day(jan1),
                day(min(jan1 + 364, DAYS - 1)),
                total(jan1, min(jan1 + 364, DAYS - 1)),
            )
        )
    clash = int(rng.integers(0, DAYS))
    figures.append(Figure("outlet-a", day(clash), day(clash), counts[clash]))
    figures.append(
        Figure("outlet-b", day(clash), day(clash), counts[clash] + 7, published=day(clash + 1))
    )
    return figures


def time_many(series_count: int, seed: int = 2021) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    batches = [synthetic_series(rng) for _ in range(series_count)]
    end = START + timedelta(days=DAYS - 1)
    began = time.process_time()
    wall = time.perf_counter()
    conflicts = 0
    for figures in batches:
        conflicts += len(reconcile(figures, Nature.FLOW, START, end).conflicts)
    return {
        "series": float(series_count),
        "days_each": float(DAYS),
        "figures_each": float(np.mean([len(b) for b in batches])),
        "cpu_seconds": time.process_time() - began,
        "wall_seconds": time.perf_counter() - wall,
        "conflicts_found": float(conflicts),
    }
