"""Throughput on PostgreSQL: a 1,000,000-row incidents import, then the recomputation of 1,000
series by 1, 2 and 4 `sitroom worker` processes. SYNTHETIC data.

    .venv/bin/python -m bench.live.throughput                     # the full run
    .venv/bin/python -m bench.live.throughput --incidents 100000 --series 100 --days 120

Steps, each timed, in a fresh database next to `--url` (default SITROOM_TEST_POSTGRES_URL):

1. `sitroom import` of the incidents file (bench/store/make_incidents.py, made once). Incidents
   feed no reconciled series in sitroom today, so this import marks nothing stale; it is timed
   because it shares the database and the machine with what follows.
2. `sitroom import` of `--days` daily figures for each of `--series` SYNTHETIC border
   sections (no country figures of that measure, so each section is a series group of its
   own): this marks the `--series` series stale.
3. For each worker count: the stored series, alarms and runs are removed and every series
   marked again, then that many `sitroom worker` processes are started and the time until no
   mark is left is taken.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from sitroom.store.engine import make_engine

from . import common

SECTIONS_PER_COUNTRY = {"LT": 0.4, "LV": 0.25, "PL": 0.35}
BUNDLED_SECTIONS = common.ROOT / "src" / "sitroom" / "data" / "belarus_2021" / "sections.csv"


def timed_import(url: str, path: Path) -> float:
    env = {**os.environ, "SITROOM_DATABASE_URL": url}
    began = time.perf_counter()
    done = subprocess.run(
        [*common.SITROOM, "import", str(path), "--partial"], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"import of {path} failed: {done.stdout}\n{done.stderr}")
    return time.perf_counter() - began


def incidents_file(rows: int) -> Path:
    from bench.store.make_incidents import default_path, write

    path = default_path(rows)
    if not path.exists():
        write(path, rows, 2021)
    return path


def section_rows(count: int) -> list[dict[str, str]]:
    rows = []
    for n in range(count):
        country = "LT" if n % 20 < 8 else "LV" if n % 20 < 13 else "PL"
        rows.append(
            {
                "id": f"{country}-SYNX-{n:04d}",
                "country": country,
                "neighbour": "BY",
                "name": f"Synthetic section {n}",
                "length_km": "10",
                "line": "[[25.0, 54.0], [25.1, 54.1]]",
            }
        )
    return rows


def remark(url: str) -> int:
    """Forget every computed series, alarm and run, and mark every series stale again."""
    engine = make_engine(common.settings_for(url))
    with engine.begin() as conn:
        for table in ("series_days", "conflicts", "series", "alarms", "pipeline_runs"):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("DELETE FROM stale_series"))
        conn.execute(text("DELETE FROM procrastinate_jobs"))
        marked = conn.execute(
            text(
                "INSERT INTO stale_series (measure, place, marked_at, attempts) "
                "SELECT DISTINCT measure, place, now(), 0 FROM figures"
            )
        ).rowcount
    engine.dispose()
    return int(marked)


def left(url: str) -> int:
    engine = make_engine(common.settings_for(url))
    with engine.connect() as conn:
        marks = conn.execute(text("SELECT count(*) FROM stale_series")).scalar()
    engine.dispose()
    return int(marks or 0)


def recompute(url: str, workers: int) -> dict[str, object]:
    marked = remark(url)
    logs = common.OUT / "live-logs"
    began = time.perf_counter()
    started = [
        common.start(["worker", "--name", f"tp-{workers}-{n}"], url, logs / f"tp{workers}-{n}.log")
        for n in range(workers)
    ]
    try:
        finished = common.wait_until(lambda: left(url) == 0, 3600)
    finally:
        for process in started:
            common.stop(process)
    seconds = time.perf_counter() - began
    return {
        "workers": workers,
        "series": marked,
        "seconds": round(seconds, 1),
        "series_per_second": round(marked / seconds, 2),
        "finished": finished,
        "load_average_after": common.load_average(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="PostgreSQL server (default: SITROOM_TEST_POSTGRES_URL)")
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    url = common.fresh_database(
        "postgresql", args.url or os.environ.get("SITROOM_TEST_POSTGRES_URL")
    )
    result: dict[str, object] = {"load_average_before": common.load_average()}
    common.load_sections(url, _bundled_and(section_rows(args.series)))
    path = incidents_file(args.incidents)
    result["incidents_import_s"] = round(timed_import(url, path), 1)
    end = date(2021, 6, 30)
    rows = [
        common.figure_row(
            "apprehended",
            s["id"],
            end - timedelta(days=args.days - 1 - i),
            (n + i) % 17,
            common.SYNTHETIC_URL,
        )
        for n, s in enumerate(section_rows(args.series))
        for i in range(args.days)
    ]
    from sitroom.interchange.records.figures import COLUMNS

    figures = common.write_csv(
        common.OUT / "live-throughput-figures.csv", [c.name for c in COLUMNS], rows
    )
    result["figures"] = len(rows)
    result["figures_import_s"] = round(timed_import(url, figures), 1)
    result["recompute"] = [recompute(url, int(n)) for n in args.workers.split(",")]
    result["at"] = datetime.now(UTC).isoformat(timespec="seconds")
    print(json.dumps(result, indent=2))


def _bundled_and(extra: list[dict[str, str]]) -> list[dict[str, str]]:
    import csv

    with BUNDLED_SECTIONS.open(encoding="utf-8") as handle:
        return [*csv.DictReader(handle), *extra]


if __name__ == "__main__":
    main()
