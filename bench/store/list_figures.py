"""Time listing one country's figures for one measure over five years, among a million.

    .venv/bin/python bench/store/list_figures.py --figures 1000000

Builds (once, then reuses) a SQLite database of SYNTHETIC daily figures: 12 countries × 13
measures, one figure a day each, counting forward from 2008 until there are --figures of them,
day by day as daily feeds would arrive. Inserted through sitroom's bulk path (the one its
importer uses). Then times `sitroom.services.queries.list_figures` for LT / apprehended over the
last five years: warm runs in one session, the median reported.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from sitroom.config import Settings
from sitroom.domain.figures import ReportedFigure
from sitroom.domain.measures import Measure, Qualifier
from sitroom.domain.places import PlaceKind
from sitroom.domain.sources import Source, SourceKind
from sitroom.services.queries import FigureFilter, list_figures
from sitroom.services.setup import init_database
from sitroom.store import mapping
from sitroom.store.bulk import insert_new
from sitroom.store.engine import UnitOfWork, make_engine
from sitroom.store.tables import FigureRow

OUT = Path(__file__).resolve().parents[1] / "out"
COUNTRIES = ["LT", "LV", "PL", "EE", "FI", "DE", "AT", "HU", "RO", "SK", "CZ", "GR"]
FIRST_DAY = date(2008, 1, 1)
CHUNK = 20_000


def build(engine: Engine, figures: int, seed: int) -> None:
    rnd = random.Random(seed)
    init_database(engine)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    sources = {
        c: Source(SourceKind.OFFICIAL_FEED, f"https://example.org/synthetic/{c.lower()}", None)
        for c in COUNTRIES
    }
    series = [(c, m) for c in COUNTRIES for m in Measure]
    rows: list[tuple[object, ...]] = []
    with UnitOfWork(engine) as uow:
        for n in range(figures):
            country, measure = series[n % len(series)]
            day = FIRST_DAY + timedelta(days=n // len(series))
            figure = ReportedFigure(
                measure=measure,
                place=country,
                period_start=day,
                period_end=day,
                value=float(rnd.randrange(0, 400)),
                qualifier=Qualifier.EXACT,
                source=sources[country],
                entered_by="bench (synthetic)",
                entered_at=now,
            )
            rows.append(mapping.figure_values(figure, PlaceKind.COUNTRY, None))
            if len(rows) == CHUNK:
                insert_new(uow.session, "figures", mapping.FIGURE_COLUMNS, rows)
                rows = []
        insert_new(uow.session, "figures", mapping.FIGURE_COLUMNS, rows)
        uow.commit()
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))


def stored(engine: Engine) -> int:
    try:
        with Session(engine) as session:
            return int(session.scalar(select(func.count()).select_from(FigureRow)) or 0)
    except Exception:  # no table yet: the database is new
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--rebuild", action="store_true", help="build the database afresh")
    args = parser.parse_args()
    path = OUT / f"figures_synthetic_{args.figures}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    if args.rebuild:
        path.unlink(missing_ok=True)
    engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
    if stored(engine) != args.figures:
        path.unlink(missing_ok=True)
        engine.dispose()
        engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
        began = time.perf_counter()
        build(engine, args.figures, args.seed)
        print(f"built {path} in {time.perf_counter() - began:.1f} s (synthetic)")
    else:
        init_database(engine)  # a database built before a migration gets its indexes
    last = FIRST_DAY + timedelta(days=(args.figures - 1) // (len(COUNTRIES) * len(Measure)))
    first = last.replace(year=last.year - 5) + timedelta(days=1)
    where = FigureFilter(measure=Measure.APPREHENDED, country="LT", start=first, end=last)
    with Session(engine) as session:
        found = list_figures(session, where)  # warm: pages cached, statement compiled
        list_figures(session, where)
        times, cpu = [], []
        for _ in range(args.runs):
            began, began_cpu = time.perf_counter(), time.process_time()
            list_figures(session, where)
            times.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        plan = session.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT * FROM figures WHERE measure = :m AND country = :c "
                "AND period_end >= :s AND period_start <= :e "
                "ORDER BY period_start, period_end, id"
            ),
            {"m": "apprehended", "c": "LT", "s": first, "e": last},
        ).all()
    print(f"{stored(engine):,} figures stored; LT / apprehended, {first} to {last}")
    print(f"rows returned   {len(found):,}")
    print(f"median          {statistics.median(times):.1f} ms over {args.runs} warm runs")
    print(f"min / max       {min(times):.1f} / {max(times):.1f} ms")
    # On a shared machine wall time includes waiting for a core; CPU time does not.
    print(f"median CPU      {statistics.median(cpu):.1f} ms")
    print("query plan      " + "; ".join(str(row[-1]) for row in plan))


if __name__ == "__main__":
    main()
