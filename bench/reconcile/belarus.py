"""The 2021 Belarus-border figures as reconciliation input (real data, see data/PROVENANCE.md).

The mapping from the file's `metric` column to sitroom measures lives here, in the benchmark,
for now: it is knowledge about this one file, not analysis. It belongs in an importer
(interchange) once such files are imported for real.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

from sitroom.analysis.reconcile import OFFICIAL_RANK, PRESS_RANK, Figure
from sitroom.domain.measures import Measure, Qualifier

DATA = Path(__file__).parent / "data" / "border_figures.csv"

METRIC_TO_MEASURE: dict[str, Measure] = {
    "daily_apprehended_irregular_entry": Measure.APPREHENDED,
    "monthly_apprehended_irregular_entry": Measure.APPREHENDED,
    "ytd_apprehended_irregular_entry": Measure.APPREHENDED,
    "period_apprehended_irregular_entry": Measure.APPREHENDED,
    "annual_apprehended_irregular_entry": Measure.APPREHENDED,
    "daily_prevented_entry": Measure.PREVENTED_ENTRY,
    "weekly_prevented_entry": Measure.PREVENTED_ENTRY,
    "cumulative_prevented_entry_since_2021-08-03": Measure.PREVENTED_ENTRY,
    "cumulative_prevented_entry_since_2021-08-10": Measure.PREVENTED_ENTRY,
    "annual_prevented_entry": Measure.PREVENTED_ENTRY,
    "daily_attempts_illegal_crossing": Measure.ATTEMPTED_CROSSING,
    "monthly_attempts_illegal_crossing": Measure.ATTEMPTED_CROSSING,
    "ytd_attempts_illegal_crossing": Measure.ATTEMPTED_CROSSING,
    "annual_attempts_illegal_crossing": Measure.ATTEMPTED_CROSSING,
    "annual_irregular_arrivals": Measure.IRREGULAR_ARRIVALS,
    "ytd_irregular_arrivals": Measure.IRREGULAR_ARRIVALS,
    "cumulative_asylum_applications_2021": Measure.ASYLUM_APPLICATIONS,
    "persons_in_guarded_centres": Measure.OCCUPANCY,
}
# an average per day over six weeks is neither a total nor a level
UNMAPPED_METRICS = ("daily_prevented_entry_avg",)
OFFICIAL_HOSTS = ("vrm.lrv.lt",)


def qualifier_of(text: str, start: date, end: date) -> Qualifier:
    """Read the file's free-text qualifier (e.g. 'past 24h reported 9 Dec', 'approx. (">7900")')."""
    lowered = text.lower()
    if lowered.startswith("approx"):
        return Qualifier.AT_LEAST if '">' in text or "“>" in text else Qualifier.APPROX
    if lowered.startswith("rounded"):
        return Qualifier.ROUNDED
    if lowered.startswith("partial month") and end.day != 1 and start.day == 1:
        return Qualifier.EXACT  # the period itself already stops where the count stops
    if lowered.startswith("partial") or "detained by" in lowered:
        return Qualifier.PARTIAL  # part of a day, or one unit of the border guard
    if "24h" in lowered and (end - start).days == 1 and not lowered.startswith("approx"):
        # a 24-hour count dated over two calendar days (morning to morning) lies inside
        # them: the two days together hold at least that many, not exactly that many
        return Qualifier.AT_LEAST
    return Qualifier.EXACT  # exact, past 24h, "yesterday", stock


def published_of(text: str) -> date | None:
    head = text.split(" ")[0]
    parts = head.split("-")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        return None
    numbers += [1] * (3 - len(numbers))
    return date(numbers[0], numbers[1], numbers[2])


def load() -> tuple[dict[tuple[str, Measure], list[Figure]], list[str]]:
    """Figures per (country, measure), and the metrics left unmapped."""
    series: dict[tuple[str, Measure], list[Figure]] = defaultdict(list)
    unmapped = []
    with DATA.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            measure = METRIC_TO_MEASURE.get(row["metric"])
            if measure is None:
                unmapped.append(f"{row['country']} {row['metric']} (line {line})")
                continue
            start = date.fromisoformat(row["period_start"])
            end = date.fromisoformat(row["period_end"])
            url = row["source_url"]
            series[(row["country"], measure)].append(
                Figure(
                    id=f"L{line}",
                    start=start,
                    end=end,
                    value=float(row["value"]),
                    qualifier=qualifier_of(row["qualifier"], start, end),
                    source_rank=OFFICIAL_RANK
                    if any(h in url for h in OFFICIAL_HOSTS)
                    else PRESS_RANK,
                    published=published_of(row["source_pub_date"]),
                    source=url,
                )
            )
    return dict(series), unmapped
