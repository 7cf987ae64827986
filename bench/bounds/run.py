"""Thousands of generated figure files (SYNTHETIC: valid and hostile cells mixed, see
tests/figure_files.py) through import → series → detection → report.

    .venv/bin/python -m bench.bounds.run [--files 10000] [--jobs 2] [--seed 0]

Each job process owns one SQLite file under bench/out/, holding the synthetic places; before
each file the figures, the series and what was derived from them are cleared. Hypothesis
draws the files (no shrinking, no example database). Counted: files, rows read, accepted and
rejected; files whose rows are not all accounted for; series that could not be computed;
unhandled exceptions (the first few are printed with the file that raised them); and, per
series group, the seconds to reconcile it against the days it spans, normalised to a
5-year series (a group spanning less counts as 5 years). Exit 1 when any check fails.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as seed_with
from sqlalchemy import text
from tests.figure_files import FigureFile, figure_files, place_files, through_everything

from sitroom.config import Settings
from sitroom.services import ingest
from sitroom.store.engine import make_engine
from sitroom.store.migrate import upgrade

OUT = Path(__file__).resolve().parents[1] / "out" / "bounds"
NOW = datetime(2021, 8, 4, 12, tzinfo=UTC)
FIVE_YEARS = 5 * 365 + 1
BOUND_SECONDS = 2.0


@dataclass
class Tally:
    files: int = 0
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    unaccounted: int = 0
    failed_series: int = 0
    outside_window: int = 0
    errors: list[str] = field(default_factory=list)
    groups: int = 0
    slowest_per_five_years: float = 0.0
    longest_span: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for name in (
            "files",
            "rows",
            "accepted",
            "rejected",
            "unaccounted",
            "failed_series",
            "outside_window",
            "groups",
            "seconds",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors
        self.slowest_per_five_years = max(self.slowest_per_five_years, other.slowest_per_five_years)
        self.longest_span = max(self.longest_span, other.longest_span)


def run_job(job: int, files: int, seed: int) -> Tally:
    folder = OUT / f"job-{job}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    engine = make_engine(Settings(database_url=f"sqlite:///{folder / 'synthetic.db'}"))
    upgrade(engine)
    for path in place_files(folder):
        assert ingest.import_file(engine, path, entered_by="bench", now=NOW).committed
    tally = Tally()
    began = time.perf_counter()

    @settings(
        max_examples=files,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(file=figure_files(NOW.date()))
    def one(file: FigureFile) -> None:
        _forget_figures(engine)
        path = folder / "figures.csv"
        path.write_bytes(file.encode())
        tally.files += 1
        if tally.files % 25 == 0:
            print(f"job {job}: {tally.files} files", flush=True)
        try:
            outcome = through_everything(engine, path, NOW)
        except Exception:  # counted and shown: finding these is what the run is for
            if len(tally.errors) < 5:
                tally.errors.append(f"{file!r}\n{traceback.format_exc()}")
            else:
                tally.errors.append("")
            return
        tally.rows += outcome.rows
        tally.accepted += outcome.accepted
        tally.rejected += outcome.rejected
        tally.unaccounted += not outcome.accounted_for
        tally.failed_series += len(outcome.failed_series)
        tally.outside_window += not outcome.series_days_within_window
        for seconds, span in outcome.reconciled:
            tally.groups += 1
            tally.longest_span = max(tally.longest_span, span)
            normalised = seconds / max(span / FIVE_YEARS, 1.0)
            tally.slowest_per_five_years = max(tally.slowest_per_five_years, normalised)

    seed_with(seed * 1000 + job)(one)()
    tally.seconds = time.perf_counter() - began
    engine.dispose()
    return tally


def _forget_figures(engine: object) -> None:
    with engine.begin() as connection:  # type: ignore[attr-defined]
        for table in ("alarms", "conflicts", "series_days", "series", "quarantine", "figures"):
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(
            text(
                "DELETE FROM import_batches WHERE id NOT IN (SELECT import_batch_id FROM "
                "reception_sites WHERE import_batch_id IS NOT NULL)"
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    shares = [args.files // args.jobs + (j < args.files % args.jobs) for j in range(args.jobs)]
    began = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        parts = pool.starmap(run_job, [(j, n, args.seed) for j, n in enumerate(shares)])
    total = Tally()
    for part in parts:
        total.add(part)
    wall = time.perf_counter() - began
    print(
        f"files {total.files} (of {args.files} asked), rows read {total.rows}: "
        f"accepted {total.accepted}, rejected {total.rejected}"
    )
    print(
        f"unhandled exceptions {len(total.errors)}, files not accounted for {total.unaccounted}, "
        f"series that could not be computed {total.failed_series}, "
        f"series outside the window {total.outside_window}"
    )
    print(
        f"series groups reconciled {total.groups}, longest span {total.longest_span} days, "
        f"slowest per 5-year series {total.slowest_per_five_years:.3f} s "
        f"(bound {BOUND_SECONDS} s)"
    )
    print(f"wall {wall:.0f} s with {args.jobs} jobs; load average {os.getloadavg()[0]:.1f}")
    for error in [e for e in total.errors if e][:5]:
        print(error, file=sys.stderr)
    good = (
        not total.errors
        and not total.unaccounted
        and not total.failed_series
        and not total.outside_window
        and total.slowest_per_five_years <= BOUND_SECONDS
        and total.files == args.files
    )
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
