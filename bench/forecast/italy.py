"""Italy, daily sea landings: rolling-origin backtest at 1, 7 and 14 days ahead.

    .venv/bin/python bench/forecast/italy.py [--step 6] [--years 3]

Origins every `step` days (6 by default, so they rotate through the weekdays) over the last
`years` years; at each origin every method sees only the days before it.
"""

from __future__ import annotations

import argparse
import time
import warnings

from _common import (
    Method,
    autoets_method,
    load_italy,
    print_table,
    rolling_origin,
    seasonal_naive_method,
    sitroom_models,
)

from sitroom.analysis.forecast import Frequency


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", type=int, default=6)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument(
        "--models", nargs="+", help="sitroom's candidates (default: all); one = that model only"
    )
    args = parser.parse_args()
    start, y = load_italy()
    horizons = (1, 7, 14)
    first = y.size - int(args.years * 365)
    origins = list(range(first, y.size - max(horizons) + 1, args.step))
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
    print(
        f"Italy daily sea landings, {y.size} days from {start}; {len(origins)} origins, "
        f"every {args.step} days over the last {args.years:g} years"
    )
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsforecast/numba chatter, not ours
        tallies = rolling_origin(y, start, Frequency.DAILY, origins, horizons, methods)
    print_table("MASE (scale: in-sample seasonal naive, m=7) and interval coverage", tallies)
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
