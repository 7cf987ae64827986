"""Known truth for reconcile_stock_flow: simulated reception sites, thinned like real reports.

Each site: arrivals around a drifting level (negative binomial), each person leaving with
probability 8 % a day, 120 days. Kept: occupancy once a week (exact), arrivals per 30 days
(exact) and one day in eleven (exact); departures never, or (departures_reported) per 30
days. Scored on every day but the first, against the separate reconciliations too.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from sitroom.analysis.reconcile import Figure, ReconciledSeries, reconcile, reconcile_stock_flow
from sitroom.domain.measures import Nature

START = date(2021, 6, 1)


def _site(rng: np.random.Generator, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    level = np.exp(np.cumsum(rng.normal(0.0, 0.1, days)) + np.log(30.0))
    arrivals = rng.negative_binomial(3, 3.0 / (3.0 + level)).astype(float)
    stock, departures = np.zeros(days), np.zeros(days)
    stock[0] = 200.0
    for t in range(1, days):
        departures[t] = rng.binomial(int(stock[t - 1]), 0.08)
        stock[t] = stock[t - 1] + arrivals[t] - departures[t]
    return stock, arrivals, departures


def _inside(series: ReconciledSeries, truth: np.ndarray, z: str) -> np.ndarray:
    lower, upper = (
        (series.lower80, series.upper80) if z == "80" else (series.lower95, series.upper95)
    )
    return (lower <= truth + 1e-6) & (truth <= upper + 1e-6)


def score(
    sites: int = 20, days: int = 120, seed: int = 0, *, departures_reported: bool = False
) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    day = [START + timedelta(days=k) for k in range(days)]
    out: dict[str, list[float]] = {}
    conflicts = 0
    for _ in range(sites):
        stock, arrivals, departures = _site(rng, days)
        stock_figures = [Figure(f"s{k}", day[k], day[k], stock[k]) for k in range(0, days, 7)]
        inflow = [
            Figure(f"m{k}", day[k], day[min(k + 29, days - 1)], float(arrivals[k : k + 30].sum()))
            for k in range(0, days, 30)
        ]
        inflow += [Figure(f"a{k}", day[k], day[k], arrivals[k]) for k in range(2, days, 11)]
        outflow = (
            [
                Figure(
                    f"d{k}", day[k], day[min(k + 29, days - 1)], float(departures[k : k + 30].sum())
                )
                for k in range(0, days, 30)
            ]
            if departures_reported
            else []
        )
        tied = reconcile_stock_flow(stock_figures, inflow, day[0], day[-1], outflow=outflow)
        alone = reconcile(stock_figures, Nature.STOCK, day[0], day[-1])
        alone_inflow = reconcile(inflow, Nature.FLOW, day[0], day[-1])
        conflicts += len(tied.conflicts)
        for name, series, truth in (
            ("stock", tied.stock, stock),
            ("inflow", tied.inflow, arrivals),
            ("outflow", tied.outflow, departures),
        ):
            out.setdefault(f"{name}_mae", []).append(
                float(np.abs(series.estimate - truth)[1:].mean())
            )
            for z in ("80", "95"):
                out.setdefault(f"{name}_in{z}", []).extend(_inside(series, truth, z)[1:].tolist())
        out.setdefault("stock_alone_mae", []).append(
            float(np.abs(alone.estimate - stock)[1:].mean())
        )
        out.setdefault("inflow_alone_mae", []).append(
            float(np.abs(alone_inflow.estimate - arrivals)[1:].mean())
        )
    summary = {key: float(np.mean(values)) for key, values in out.items()}
    summary["stock_flow_conflicts"] = float(conflicts)
    return summary
