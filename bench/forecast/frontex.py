"""Frontex monthly detections per route: rolling-origin backtest at 1 and 3 months ahead.

    .venv/bin/python bench/forecast/frontex.py [--months 48]

Origins every month over the last `months` months, for each of the seven main routes
(the Black Sea route and "Other" have too few detections for a scaled error to mean much).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _common import (
    Method,
    Tally,
    autoets_method,
    load_frontex,
    print_table,
    rolling_origin,
    seasonal_naive_method,
    sitroom_models,
)

from sitroom.analysis.forecast import Frequency, forecast_series

SKIP = {"Black Sea Route", "Other"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=48)
    parser.add_argument(
        "--models", nargs="+", help="sitroom's candidates (default: all); one = that model only"
    )
    args = parser.parse_args()
    horizons = (1, 3)
    methods: dict[str, Method] = {
        "sitroom": sitroom_models(args.models),
        "seasonal_naive": seasonal_naive_method,
    }
    ets = autoets_method()
    if ets is None:
        print(
            "statsforecast is NOT installed: AutoETS column skipped "
            "(pip install statsforecast to include it)"
        )
    else:
        methods["autoets"] = ets
    series = {k: v for k, v in load_frontex().items() if k not in SKIP}
    tallies: dict[str, Tally] = {name: Tally.empty(horizons) for name in methods}
    t0 = time.perf_counter()
    chosen: dict[str, int] = {}
    route_mase: dict[str, dict[str, dict[int, float]]] = {}
    for route, (start, y) in series.items():
        first = y.size - args.months
        origins = list(range(first, y.size - max(horizons) + 1))
        per_route = {name: Tally.empty(horizons) for name in methods}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # statsforecast chatter, not ours
            rolling_origin(y, start, Frequency.MONTHLY, origins, horizons, methods, per_route)
        for name, t in per_route.items():
            for h in horizons:
                tallies[name].errors[h] += t.errors[h]
                tallies[name].hit80[h] += t.hit80[h]
                tallies[name].hit95[h] += t.hit95[h]
        print_table(f"{route} ({len(origins)} origins)", per_route)
        route_mase[route] = {n: {h: t.row(h)[0] for h in horizons} for n, t in per_route.items()}
        model = forecast_series(y, start, Frequency.MONTHLY, 3).model
        chosen[model] = chosen.get(model, 0) + 1
    print_table(
        f"ALL {len(series)} routes, last {args.months} months: MASE (scale: in-sample "
        "seasonal naive, m=12) and coverage",
        tallies,
    )
    # One route's scale can dwarf the others' (Eastern Borders: a quiet decade, then 2021),
    # so the geometric mean over routes is printed beside the pooled mean.
    print("\nGeometric mean over routes of each route's MASE")
    for name in methods:
        gm = [np.exp(np.mean([np.log(r[name][h]) for r in route_mase.values()])) for h in horizons]
        print(
            f"{name:<18}" + "".join(f"  h={h}: {g:.3f}" for h, g in zip(horizons, gm, strict=True))
        )
    print(f"\nmodel chosen on the full series: {chosen}")
    print(f"{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
