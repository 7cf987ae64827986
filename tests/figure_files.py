"""SYNTHETIC figure files for property tests and bench/bounds: each cell drawn from valid
values and from the clumsy and hostile ones people and programs write (impossible dates,
dates centuries away, decimals, exponents, separators, junk), mixed in one file."""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sitroom.domain.audiences import EVERYTHING
from sitroom.domain.bounds import EARLIEST_DAY, FUTURE_MARGIN, MOST_IN_ONE_FIGURE, window_at
from sitroom.domain.measures import Measure, Qualifier
from sitroom.domain.sources import SourceKind
from sitroom.report.build import build_report
from sitroom.report.markdown import render_markdown
from sitroom.services import detection, ingest, queries, series, series_plan, series_reads
from sitroom.store.analysis_tables import SeriesRow
from sitroom.store.tables import FigureRow

T = TypeVar("T")

# The places bench/bounds and the tests define before importing (see PLACES_FILES).
PLACES = ("LT", "LV", "PL", "LT-BY-1", "LT-BY-2", "LT-SYN-SITE")
HEADER = [
    "measure",
    "place",
    "period_start",
    "period_end",
    "value",
    "qualifier",
    "source_kind",
    "source_url",
    "source_published",
    "entered_at",
]


@dataclass(frozen=True, slots=True)
class FigureFile:
    rows: list[dict[str, str]]
    delimiter: str

    def encode(self) -> bytes:
        out = io.StringIO()
        writer = csv.DictWriter(out, HEADER, delimiter=self.delimiter, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue().encode("utf-8")


def days(today: date) -> st.SearchStrategy[date]:
    """Mostly days inside the window as of `today`, some just outside, some far away."""
    latest = today + FUTURE_MARGIN
    return st.one_of(
        st.dates(date(2019, 1, 1), min(latest, date(2023, 12, 31))),
        st.dates(EARLIEST_DAY, latest),
        st.sampled_from(
            [EARLIEST_DAY, EARLIEST_DAY - timedelta(days=1), latest, latest + timedelta(days=1)]
        ),
        st.dates(date(1, 1, 1), date(9999, 12, 31)),
    )


def day_texts(today: date) -> st.SearchStrategy[str]:
    return st.one_of(
        days(today).map(date.isoformat),
        st.sampled_from(
            [
                "2021-02-30",
                "2021-02-29",
                "2020-02-30",
                "2021-13-01",
                "2021-00-10",
                "0000-01-01",
                "21-07-03",
                "2021/07/03",
                "03.07.2021",
                "2021-7-3",
                "yesterday",
                " ",
                "",
            ]
        ),
    )


def value_texts(measure: str) -> st.SearchStrategy[str]:
    known = {m.value: m for m in Measure}
    most = MOST_IN_ONE_FIGURE[known[measure]] if measure in known else 10
    return st.one_of(
        st.integers(0, 2000).map(str),
        st.integers(0, most + 1).map(str),
        st.sampled_from(
            [
                "1e30",
                "10^30",
                "12.5",
                "-3",
                "1,200",
                "1 200",
                "nan",
                "inf",
                "0x10",
                "٣",
                "",
                "x",
                str(2**63),
                "99999999999999999999",
            ]
        ),
    )


def rarely(
    rare: st.SearchStrategy[T], usual: st.SearchStrategy[T], *, one_in: int = 20
) -> st.SearchStrategy[T]:
    """`rare` about once in `one_in` draws, else `usual`: periods of decades are valid, but a
    file of them would spend the run on a few series."""
    return st.integers(1, one_in).flatmap(lambda n: rare if n == 1 else usual)


@st.composite
def valid_rows(draw: st.DrawFn, today: date) -> dict[str, str]:
    """A row the importer must accept (its place is one of PLACES); periods up to the whole
    window, so that some series span decades."""
    measure = draw(st.sampled_from(list(Measure)))
    last = today + FUTURE_MARGIN
    start = draw(rarely(st.dates(EARLIEST_DAY, last), st.dates(date(2019, 1, 1), today)))
    length = draw(rarely(st.integers(0, (last - start).days), st.integers(0, 40)))
    end = start + timedelta(days=length)
    return {
        "measure": measure.value,
        "place": draw(st.sampled_from(PLACES)),
        "period_start": start.isoformat(),
        "period_end": draw(st.sampled_from(["", end.isoformat()]))
        if end == start
        else end.isoformat(),
        "value": str(
            draw(st.one_of(st.integers(0, 2000), st.integers(0, MOST_IN_ONE_FIGURE[measure])))
        ),
        "qualifier": draw(st.sampled_from([q.value for q in Qualifier])),
        "source_kind": draw(st.sampled_from([k.value for k in SourceKind])),
        "source_url": draw(st.sampled_from(["https://example.org/synthetic", "msg 12"])),
        "source_published": draw(st.sampled_from(["", "2021", "2021-07", "2021-07-04"])),
        "entered_at": draw(st.sampled_from(["", "2021-08-01T10:00+03:00"])),
    }


@st.composite
def figure_rows(draw: st.DrawFn, today: date) -> dict[str, str]:
    """A valid row with none, one or a few cells replaced by clumsy or hostile ones."""
    row = draw(valid_rows(today))
    hostile = draw(hostile_rows(today))
    spoilt = draw(st.sets(st.sampled_from(HEADER), max_size=3).filter(lambda s: len(s) != 2))
    return {name: hostile[name] if name in spoilt else cell for name, cell in row.items()}


@st.composite
def hostile_rows(draw: st.DrawFn, today: date) -> dict[str, str]:
    measure = draw(
        st.one_of(st.sampled_from([m.value for m in Measure]), st.sampled_from(["", "balloons"]))
    )
    start = draw(day_texts(today))
    end = draw(st.one_of(st.just(""), st.just(start), day_texts(today)))
    return {
        "measure": measure,
        "place": draw(st.one_of(st.sampled_from(PLACES), st.sampled_from(["", "XX", "LT-NOPE"]))),
        "period_start": start,
        "period_end": end,
        "value": draw(value_texts(measure)),
        "qualifier": draw(st.one_of(st.sampled_from([q.value for q in Qualifier]), st.just("?"))),
        "source_kind": draw(
            st.one_of(st.sampled_from([k.value for k in SourceKind]), st.just("rumour"))
        ),
        "source_url": draw(st.sampled_from(["https://example.org/synthetic", "msg 12", ""])),
        "source_published": draw(
            st.one_of(
                st.just(""),
                day_texts(today),
                st.sampled_from(["2021", "2021-07", "2021-13", "1989", "1989-12", "9999"]),
            )
        ),
        "entered_at": draw(
            st.one_of(
                st.just(""),
                days(today).map(lambda d: f"{d.isoformat()}T10:00+03:00"),
                st.sampled_from(["2021-07-03T10:00", "2021-02-30T10:00Z", "now"]),
            )
        ),
    }


def figure_files(today: date, *, most_rows: int = 6) -> st.SearchStrategy[FigureFile]:
    return st.builds(
        FigureFile,
        st.lists(figure_rows(today), min_size=1, max_size=most_rows),
        st.sampled_from([",", ",", ",", ";"]),
    )


SECTIONS_CSV = (
    "id,country,neighbour,name,length_km\n"
    "LT-BY-1,LT,BY,Synthetic stretch 1,100\n"
    "LT-BY-2,LT,BY,Synthetic stretch 2,100\n"
)
SITES_CSV = "id,name,country,kind\nLT-SYN-SITE,Synthetic site,LT,tent_camp\n"
PLACES_FILES = {"sections.csv": SECTIONS_CSV, "sites.csv": SITES_CSV}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one file did on its way through import, series, detection and report."""

    rows: int
    accepted: int
    rejected: int
    accounted_for: bool
    failed_series: list[str]
    # Per series group: (seconds to reconcile it, days it spans).
    reconciled: list[tuple[float, int]]
    series_days_within_window: bool


def through_everything(engine: Engine, path: Path, now: datetime) -> Outcome:
    """Import `path` (--partial), reconcile every series (timing each group), detect, build
    the report and render it: any exception propagates to the caller."""
    report = ingest.import_file(engine, path, entered_by="synthetic", partial=True, now=now)
    assert report.error is None, report.error
    timed = _reconcile_each_group(engine, now)
    series.refresh_series(engine, now=now)
    detection.run_detection(engine, now=now)
    on = now.date()
    render_markdown(build_report(engine, on, now=now))
    window = window_at(now)
    with Session(engine) as session:
        failed = series_reads.failed_series(session, EVERYTHING)
        spans = session.execute(select(SeriesRow.first_day, SeriesRow.last_day)).all()
    within = all(
        first is None or (window.earliest <= first and last <= window.latest)
        for first, last in spans
    )
    return Outcome(
        rows=report.read,
        accepted=report.accepted,
        rejected=report.rejected,
        accounted_for=report.accounted_for,
        failed_series=[f"{f.measure.value} at {f.place}: {f.failure}" for f in failed],
        reconciled=timed,
        series_days_within_window=within,
    )


def _reconcile_each_group(engine: Engine, now: datetime) -> list[tuple[float, int]]:
    with Session(engine) as session:
        figures = queries.list_figures(session, queries.FigureFilter())
        found = session.execute(
            select(FigureRow.measure, FigureRow.place, FigureRow.place_kind, FigureRow.country)
        ).all()
    timed = []
    for group in series_plan.plan((m, p, k, c) for m, p, k, c in found):
        members = set(group.members)
        mine = [f for f in figures if (f.measure, f.place) in members]
        began = time.perf_counter()
        series_plan.reconcile_group(group, mine, window=window_at(now))
        spent = time.perf_counter() - began
        span = (max(f.period_end for f in mine) - min(f.period_start for f in mine)).days + 1
        timed.append((spent, span))
    return timed


def place_files(folder: Path) -> list[Path]:
    paths = []
    for name, text in PLACES_FILES.items():
        paths.append(folder / name)
        paths[-1].write_text(text, encoding="utf-8")
    return paths
