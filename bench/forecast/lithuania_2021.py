"""Lithuania 2021 hindcast: what would the runway have said on 15 June 2021?

    .venv/bin/python bench/forecast/lithuania_2021.py

Uses only data/lithuania_2021_*.csv (rows copied from the project's shared data with their
sources). Two information sets, because the honest answer depends on what counts as
"public by 15 June":

A. strict: figures whose source was published by 15 June 2021.
B. as the authorities knew it: figures whose period ended before 15 June, even where our
   citation for them was published later (monthly border counts for March to May; the
   sites' capacities, which are fixed facts the reception agency knew).

Then what happened, from figures that came later, and one labelled sensitivity run.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
from _common import DATA

from sitroom.analysis.forecast import Forecast, Frequency, forecast_series
from sitroom.analysis.needs import Climate, needs_for_shortfall
from sitroom.analysis.runway import (
    Runway,
    RunwayStatus,
    SiteState,
    capacity_runway,
    combine_sites,
)

AS_OF = date(2021, 6, 15)
OCC_DATE = AS_OF - timedelta(days=1)  # end of the last day before the runway starts


def border_rows() -> list[dict[str, str]]:
    with (DATA / "lithuania_2021_border_figures.csv").open() as f:
        return list(csv.DictReader(f))


def daily_from_monthly(rows: list[dict[str, str]], start: date, end: date) -> np.ndarray:
    """Daily series start..end (inclusive): each complete month spread evenly over its days
    (what reconciliation does with a monthly total), NaN where no figure covers a day."""
    days = (end - start).days + 1
    y = np.full(days, np.nan)
    for r in rows:
        if r["metric"] != "monthly_apprehended_irregular_entry":
            continue
        a, b = date.fromisoformat(r["period_start"]), date.fromisoformat(r["period_end"])
        if b > end or a < start:
            continue
        n = (b - a).days + 1
        i = (a - start).days
        y[i : i + n] = float(r["value"]) / n
    return y


def show(rw: Runway) -> None:
    print(f"  {rw.message}")
    if rw.status in (RunwayStatus.PROJECTED, RunwayStatus.FULL_NOW):
        p = ", ".join(f"{d} d: {v:.0%}" for d, v in rw.p_full_within.items())
        lo, hi = (d.isoformat() if d else "not within 28 days" for d in rw.full_date_80)
        print(f"    P(full within) {p}; 80 % range of the full date {lo} .. {hi}")
    for w in rw.warnings:
        print(f"    note: {w}")


def run(label: str, fc: Forecast, sites: list[SiteState]) -> list[Runway]:
    print(f"\n{label}")
    print(
        f"  arrivals forecast: model {fc.model}; mean over the next 28 days "
        f"{np.nansum(fc.mean):.0f} (80 % band of the total "
        f"{np.quantile(fc.paths.sum(axis=1), 0.1) if fc.paths.size else float('nan'):.0f}-"
        f"{np.quantile(fc.paths.sum(axis=1), 0.9) if fc.paths.size else float('nan'):.0f})"
    )
    for w in fc.warnings:
        print(f"    forecast note: {w}")
    out = []
    for s in sites:
        rw = capacity_runway(s, fc)
        show(rw)
        out.append(rw)
    return out


def main() -> None:
    rows = border_rows()
    start = date(2021, 3, 1)

    # A. strict: no border figure in our sources was published by 15 June 2021.
    published = [r for r in rows if r["source_pub_date"][:10] <= AS_OF.isoformat()]
    fc_a = forecast_series(np.array([]), AS_OF, Frequency.DAILY, 28)
    sites_a = [
        SiteState("Tent camp at FRC Pabradė (350, LRT 10 June)", 350, 73, OCC_DATE),
        SiteState("FRC Pabradė (capacity not yet published)", None, None, OCC_DATE),
    ]
    print(f"A. STRICT: {len(published)} border figures published by {AS_OF}")
    run("A. strict information set", fc_a, sites_a)

    # B. what the border guard and reception agency knew.
    y = daily_from_monthly(rows, start, AS_OF - timedelta(days=1))
    fc_b = forecast_series(y, start, Frequency.DAILY, 28)
    pabrade = SiteState("FRC Pabradė (250, over capacity early June)", 250, 250, OCC_DATE)
    tents = SiteState("Tent camp at FRC Pabradė (350)", 350, 73, OCC_DATE)
    sites_b = [
        pabrade,
        tents,
        SiteState("RRC Rukla (212)", 212, None, OCC_DATE),
        SiteState("Jieznas (40)", 40, None, OCC_DATE),
    ]
    print(
        f"\nB. daily series from monthly totals, March-May 2021 "
        f"({np.nansum(y):.0f} apprehended), 1-14 June unknown"
    )
    run("B. as the authorities knew it", fc_b, sites_b)
    frc, _ = combine_sites("FRC Pabradė with its tent camp (600)", [pabrade, tents])
    show(capacity_runway(frc, fc_b))
    print("  caution: a day spread from a monthly total carries no day-to-day noise, so the")
    print("  interval above is far too narrow. The same data as three monthly values:")
    monthly = forecast_series(np.array([8.0, 70.0, 77.0]), start, Frequency.MONTHLY, 1)
    daily_paths = np.repeat(monthly.paths[:, :1] / 30.0, 28, axis=1)
    fc_m = replace(
        fc_b,
        paths=daily_paths,
        model=monthly.model,
        warnings=monthly.warnings,
        mean=daily_paths.mean(axis=0),
    )
    run("B'. from the three monthly totals (fallback, wide interval)", fc_m, [tents, frc])

    # What happened (figures published later; not used above).
    june = next(r for r in rows if r["period_start"] == "2021-06-01")
    ytd = {r["period_end"]: int(r["value"]) for r in rows if r["metric"].startswith("ytd")}
    print("\nWhat happened (figures published after 15 June):")
    print(
        f"  June: {june['value']} apprehended (May: 77); year to date 4 July: "
        f"{ytd.get('2021-07-04')}; 7 July: {ytd.get('2021-07-07')} irregular arrivals"
    )
    print(
        "  from 1 to 7 July alone about "
        f"{ytd['2021-07-07'] - 8 - 70 - 77 - int(june['value'])} arrived (7 July year to "
        "date minus March-June), more than the 277 free tent places"
    )

    # Sensitivity (labelled): if June's average had been known on 15 June.
    june_rate = int(june["value"]) / 30
    y_s = np.concatenate([y[~np.isnan(y)], np.full(14, june_rate)])
    fc_s = forecast_series(y_s, start, Frequency.DAILY, 28)
    run(
        f"SENSITIVITY (not knowable on 15 June): 1-14 June at June's mean, {june_rate:.1f}/day",
        fc_s,
        [tents, frc],
    )
    short = capacity_runway(frc, fc_s).shortfall_median[-1]
    print(
        f"  median shortfall after 28 days at FRC Pabradė: {short:.0f} people; in a "
        "temperate summer that takes:"
    )
    for line in needs_for_shortfall(short, Climate.TEMPERATE):
        print(f"    {line.quantity:>8g} {line.unit}")


if __name__ == "__main__":
    main()
