"""Run the border-surge method on Italy's daily sea landings, 2019-09 .. 2025-09.

    .venv/bin/python -m bench.detect.italy

Data: data/italy_daily_sea_landings_2019_2025.csv, compiled by "Liberiamoli tutti!"
(CC BY 4.0) from the Italian Interior Ministry's statistical dashboard. The figures were
published with a lag of up to a month (report_date); here every day is treated as known on the
day itself, i.e. this is a retrospective replay, not what a live system would have seen.

Monitoring starts on 2021-09-01 so that the baseline has two years of history. The script lists
the alarm episodes of 2023 (red days less than 8 days apart are merged), when each began
relative to the episode's largest day, and the red days in quiet months (months whose total is
below the median month of the monitored period).
"""

from __future__ import annotations

import csv
from collections import defaultdict

import numpy as np
from bench.detect.common import DATA

from sitroom.analysis.detect.border import border_surge
from sitroom.analysis.detect.result import CountSeries, Level

FILE = DATA / "italy_daily_sea_landings_2019_2025.csv"
MONITOR_FROM = np.datetime64("2021-09-01", "D")


def load() -> CountSeries:
    with FILE.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    dates = np.array([r["date"] for r in rows], dtype="datetime64[D]")
    counts = np.array([float(r["landings"]) if r["landings"] else np.nan for r in rows])
    assert np.all(np.diff(dates) == np.timedelta64(1, "D")), "expected consecutive days"
    return CountSeries.of(counts, dates=dates)


def episodes(days: np.ndarray, gap: int = 7) -> list[tuple[int, int]]:
    """Runs of alarm positions, merging runs less than ``gap`` + 1 days apart."""
    out: list[tuple[int, int]] = []
    for d in days:
        if out and d - out[-1][1] <= gap:
            out[-1] = (out[-1][0], int(d))
        else:
            out.append((int(d), int(d)))
    return out


def main() -> int:
    series = load()
    assert series.dates is not None
    start = int(np.searchsorted(series.dates, MONITOR_FROM))
    result = border_surge(series, start=start)
    dates, counts = series.dates, series.counts
    red = result.index[result.alarm]
    amber = result.index[result.level == Level.AMBER] if result.level is not None else red[:0]
    print(f"monitored {dates[start]} .. {dates[-1]}: {result.index.size} days, "
          f"{red.size} red, {amber.size} amber; status {result.status.value}")

    print("\n2023 alarm episodes (red days <= 7 days apart merged):")
    print("| first red | last red | red days | largest day in episode | first red vs largest |")
    print("|---|---|---|---|---|")
    in_2023 = red[(dates[red] >= np.datetime64("2023-01-01")) &
                  (dates[red] <= np.datetime64("2023-12-31"))]
    for lo, hi in episodes(in_2023):
        window = np.arange(max(lo - 14, 0), hi + 1)
        peak = int(window[np.nanargmax(counts[window])])
        lead = (dates[lo] - dates[peak]).astype(int)
        print(f"| {dates[lo]} | {dates[hi]} | {int(np.sum((in_2023 >= lo) & (in_2023 <= hi)))} "
              f"| {dates[peak]} ({int(counts[peak])}) | {lead:+d} d |")

    print("\nThe ten largest days of 2023 (level the day itself):")
    print("| day | landings | expected | probability | level |")
    print("|---|---|---|---|---|")
    year = np.flatnonzero((dates[result.index] >= np.datetime64("2023-01-01"))
                          & (dates[result.index] <= np.datetime64("2023-12-31")))
    names = {int(Level.GREEN): "green", int(Level.AMBER): "amber", int(Level.RED): "red"}
    assert result.probability is not None and result.level is not None
    for j in sorted(year[np.argsort(-np.nan_to_num(result.observed[year]))[:10]]):
        print(f"| {dates[result.index[j]]} | {int(result.observed[j])} | "
              f"{result.expected[j]:.0f} | {result.probability[j]:.2f} | "
              f"{names[int(result.level[j])]} |")

    monthly: dict[str, float] = defaultdict(float)
    red_by_month: dict[str, int] = defaultdict(int)
    for i in result.index:
        monthly[str(dates[i])[:7]] += float(np.nan_to_num(counts[i]))
    for i in red:
        red_by_month[str(dates[i])[:7]] += 1
    months = sorted(monthly)[:-1]  # the last month is incomplete
    median = float(np.median([monthly[m] for m in months]))
    quiet = [m for m in months if monthly[m] < median]
    print(f"\nQuiet months (total below the median month, {median:.0f}): {len(quiet)}; "
          f"red days in them: {sum(red_by_month[m] for m in quiet)}")
    print("| month | landings | red days |")
    print("|---|---|---|")
    for m in quiet:
        print(f"| {m} | {monthly[m]:.0f} | {red_by_month[m]} |")
    print("\nRed days per year:", dict(sorted(
        (year, int(np.sum(np.char.startswith(dates[red].astype(str), year))))
        for year in ("2021", "2022", "2023", "2024", "2025"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
