"""The 2021 Belarus border crisis as reported, in sitroom's own import format.

The raw files are kept exactly as compiled (see data/belarus_2021/PROVENANCE.md); this module
maps their free-text columns onto sitroom's vocabulary, and lists what it could not map.
"""

from __future__ import annotations

import calendar
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from ..domain.measures import Measure, Qualifier
from ..domain.sources import SourceKind
from ..interchange.csv_format import write_csv
from ..interchange.records.figures import COLUMNS as FIGURE_COLUMNS
from ..interchange.records.places import SITE_COLUMNS

DATA = resources.files("sitroom") / "data" / "belarus_2021"
ENTERED_BY = "sitroom demo (compiled from public reports)"
# Every figure was compiled from a public web page, a ministry's included.
SOURCE_KIND = SourceKind.PRESS

METRIC_MEASURES: dict[str, Measure] = {
    "annual_irregular_arrivals": Measure.IRREGULAR_ARRIVALS,
    "ytd_irregular_arrivals": Measure.IRREGULAR_ARRIVALS,
    "annual_prevented_entry": Measure.PREVENTED_ENTRY,
    "daily_prevented_entry": Measure.PREVENTED_ENTRY,
    "weekly_prevented_entry": Measure.PREVENTED_ENTRY,
    "cumulative_prevented_entry_since_2021-08-03": Measure.PREVENTED_ENTRY,
    "cumulative_prevented_entry_since_2021-08-10": Measure.PREVENTED_ENTRY,
    "daily_prevented_entry_avg": Measure.PREVENTED_ENTRY,
    "cumulative_asylum_applications_2021": Measure.ASYLUM_APPLICATIONS,
    "daily_apprehended_irregular_entry": Measure.APPREHENDED,
    "monthly_apprehended_irregular_entry": Measure.APPREHENDED,
    "ytd_apprehended_irregular_entry": Measure.APPREHENDED,
    "period_apprehended_irregular_entry": Measure.APPREHENDED,
    "annual_apprehended_irregular_entry": Measure.APPREHENDED,
    "annual_attempts_illegal_crossing": Measure.ATTEMPTED_CROSSING,
    "monthly_attempts_illegal_crossing": Measure.ATTEMPTED_CROSSING,
    "daily_attempts_illegal_crossing": Measure.ATTEMPTED_CROSSING,
    "ytd_attempts_illegal_crossing": Measure.ATTEMPTED_CROSSING,
    "persons_in_guarded_centres": Measure.OCCUPANCY,
}


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    name: str
    kind: str
    lon: float
    lat: float
    match: str


# Town-centre coordinates (approximate) of the sites named in the reception file.
SITES = (
    Site(
        "LT-PABRADE",
        "Foreigners Registration Centre, Pabradė",
        "reception_centre",
        25.766,
        54.981,
        "Foreigners Registration Centre (URC/FRC), Pabradė",
    ),
    Site(
        "LT-PABRADE-TENTS",
        "Tent camp at the Pabradė centre",
        "tent_camp",
        25.770,
        54.985,
        "Tent camp at URC Pabradė",
    ),
    Site(
        "LT-RUKLA",
        "Refugee Reception Centre, Rukla",
        "reception_centre",
        24.370,
        55.030,
        "Refugee Reception Centre, Rukla",
    ),
    Site(
        "LT-JIEZNAS",
        "Family Support Centre, Jieznas",
        "reception_centre",
        24.170,
        54.600,
        "Family Support Centre, Jieznas",
    ),
    Site(
        "LT-MEDININKAI",
        "Border Guards School, Medininkai",
        "border_station",
        25.650,
        54.540,
        "Border Guards School, Medininkai",
    ),
    Site(
        "LT-RUDNINKAI",
        "Rūdninkai training area tent camp",
        "tent_camp",
        25.050,
        54.390,
        "Rūdninkai military training area tent camp",
    ),
    Site(
        "LT-KYBARTAI",
        "Foreigners Registration Centre, Kybartai",
        "reception_centre",
        22.760,
        54.640,
        "Kybartai Foreigners Registration Centre",
    ),
)


# The day the demo's first picture describes: the end of the year the data is about. Figures
# for later days (2022 and 2023 totals) are stored, but not set beside 2021's.
PICTURE_DAY = date(2021, 12, 31)


@dataclass(frozen=True, slots=True)
class Skipped:
    line: int
    file: str
    reason: str
    """Why, in words shared by every row skipped for the same reason (to group them)."""
    detail: str = ""
    """What of this row it was: the measure, the facility, the date."""


def border_qualifier(text: str, start: date, end: date) -> Qualifier:
    """The compiler's free-text qualifier of a figure for `start`–`end`, read conservatively.

    The one reading of these qualifiers: the demo stores it and the reconciliation benchmark
    (bench/reconcile/belarus.py) scores it."""
    lowered = text.lower()
    if ">" in lowered or "at least" in lowered or "over " in lowered:
        return Qualifier.AT_LEAST
    if "fewer than" in lowered:
        return Qualifier.AT_MOST
    if lowered.startswith("partial month") and not _whole_month(start, end):
        # The compiler already ended the period where the count ends ("to 27 Jul"), so the
        # count is all of that period; only a whole calendar month would be more.
        return Qualifier.EXACT
    if lowered.startswith("partial") or _ONE_UNIT.search(lowered):
        # Part of the day or month, or what one regional unit of the border guard counted:
        # the country's figure for the period is at least this.
        return Qualifier.PARTIAL
    if lowered.startswith("rounded"):
        return Qualifier.ROUNDED
    if lowered.startswith(("approx", '"about', "about")) or "approx." in lowered:
        return Qualifier.APPROX
    if "24h" in lowered and (end - start).days == 1:
        # A 24-hour count dated over two calendar days (morning to morning) lies inside
        # them: the two days together hold at least that many, not exactly that many.
        return Qualifier.AT_LEAST
    return Qualifier.EXACT


_ONE_UNIT = re.compile(r"\bunit\b")


def _whole_month(start: date, end: date) -> bool:
    last = calendar.monthrange(start.year, start.month)[1]
    return start.day == 1 and end == start.replace(day=last)


def _source_published(text: str) -> str:
    match = re.match(r"^\d{4}(-\d{2}(-\d{2})?)?", text.strip())
    return match.group(0) if match else ""


@dataclass(frozen=True, slots=True)
class BorderFigure:
    """One row of border_figures.csv as sitroom reads it."""

    line: int
    country: str
    measure: Measure
    start: date
    end: date
    value: int
    qualifier: Qualifier
    source_url: str
    source_published: str  # "2021", "2021-07" or "2021-07-28"; "" when the file gives none
    note: str


def border_figures() -> Iterator[BorderFigure]:
    """The 111 border figures, each as one figure (a daily average becomes its total)."""
    with (DATA / "border_figures.csv").open(encoding="utf-8") as handle:
        for line, raw in enumerate(csv.DictReader(handle), start=2):
            start = date.fromisoformat(raw["period_start"])
            end = date.fromisoformat(raw["period_end"])
            value = int(raw["value"])
            note = "; ".join(t for t in (raw["qualifier"], raw["date_note"]) if t)
            if raw["metric"] == "daily_prevented_entry_avg":
                # A flow's average per day over a period is its total over that period
                # divided by the days; the qualifier ("40 to 50 on average") carries over.
                days = (end - start).days + 1
                value *= days
                note = f"{days} days × the reported daily average of {raw['value']}; {note}"
            yield BorderFigure(
                line=line,
                country=raw["country"],
                measure=METRIC_MEASURES[raw["metric"]],
                start=start,
                end=end,
                value=value,
                qualifier=border_qualifier(raw["qualifier"], start, end),
                source_url=raw["source_url"],
                source_published=_source_published(raw["source_pub_date"]),
                note=f"{raw['metric']}: {note}",
            )


def figure_rows() -> Iterator[dict[str, str]]:
    """The border figures as sitroom figure rows."""
    for figure in border_figures():
        yield {
            "measure": figure.measure.value,
            "place": figure.country,
            "period_start": figure.start.isoformat(),
            "period_end": figure.end.isoformat(),
            "value": str(figure.value),
            "qualifier": figure.qualifier.value,
            "source_kind": SOURCE_KIND.value,
            "source_url": figure.source_url,
            "source_published": figure.source_published,
            "entered_by": ENTERED_BY,
            "note": figure.note,
        }


_PART_OF_MONTH = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}


def as_of_period(text: str) -> tuple[date, date] | None:
    """'2021-08-02' is a day; '2021-07' the month; '2021-06 (early)' its first ten days."""
    match = re.match(r"^(\d{4})-(\d{2})(?:-(\d{2}))?\s*(?:\((early|mid|late)[^)]*\))?", text)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if match.group(3):
        day = date(year, month, int(match.group(3)))
        return day, day
    last = calendar.monthrange(year, month)[1]
    first_day, last_day = _PART_OF_MONTH.get(match.group(4) or "", (1, last))
    return date(year, month, first_day), date(year, month, min(last_day, last))


def reception_rows() -> tuple[list[dict[str, str]], list[Skipped]]:
    figures: list[dict[str, str]] = []
    skipped: list[Skipped] = []
    with (DATA / "reception_lithuania.csv").open(encoding="utf-8") as handle:
        for line, raw in enumerate(csv.DictReader(handle), start=2):
            site = next((s for s in SITES if raw["facility"].startswith(s.match)), None)
            period = as_of_period(raw["as_of"])
            why, detail = _why_not(raw, site, period)
            if why or site is None or period is None:
                skipped.append(Skipped(line, "reception_lithuania.csv", why, detail))
                continue
            qualifier = border_qualifier(raw["qualifier"], *period)
            if "(approx.)" in raw["as_of"] and qualifier is Qualifier.EXACT:
                qualifier = Qualifier.APPROX
            figures.append(
                {
                    "measure": raw["measure"],
                    "place": site.id,
                    "period_start": period[0].isoformat(),
                    "period_end": period[1].isoformat(),
                    "value": raw["value"],
                    "qualifier": qualifier.value,
                    "source_kind": SOURCE_KIND.value,
                    "source_url": raw["source_url"],
                    "source_published": _source_published(raw["source_pub_date"]),
                    "entered_by": ENTERED_BY,
                    "note": "; ".join(t for t in (f"as of {raw['as_of']}", raw["qualifier"]) if t),
                }
            )
    return figures, skipped


def _why_not(
    raw: dict[str, str], site: Site | None, period: tuple[date, date] | None
) -> tuple[str, str]:
    """Why the row is not loaded and what of it, or two empty texts."""
    if raw["measure"] not in ("capacity", "occupancy"):
        return "not a measure sitroom counts", f"{raw['measure']} {raw['value']}"
    if site is None:
        return "a group of sites, or a site outside Lithuania", repr(raw["facility"])
    if period is None:
        return "a date too vague to place in time", repr(raw["as_of"])
    return "", ""


def site_rows() -> list[dict[str, str]]:
    return [
        {
            "id": s.id,
            "name": s.name,
            "country": "LT",
            "kind": s.kind,
            "lon": str(s.lon),
            "lat": str(s.lat),
            "operator": "",
        }
        for s in SITES
    ]


def write_import_files(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """Write sections, sites and figures as sitroom import files, in the order to import."""
    reception, skipped = reception_rows()
    sections = folder / "sections.csv"
    sections.write_bytes((DATA / "sections.csv").read_bytes())
    sites, figures = folder / "sites.csv", folder / "figures.csv"
    with sites.open("wb") as out:
        write_csv(site_rows(), SITE_COLUMNS, out)
    with figures.open("wb") as out:
        write_csv([*figure_rows(), *reception], FIGURE_COLUMNS, out)
    return [sections, sites, figures], skipped
