"""Surge detection on the real 2021 border figures, as sitroom stores them.

Loads the bundled 2021 data into a scratch SQLite file through the ordinary importer,
reconciles every series and runs the border method over all of it, then prints, per series,
the first alarm and every red day before 2021-09-01. Run from the repo:
    .venv/bin/python -m bench.detect.lithuania
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from sitroom.config import Settings
from sitroom.services import detection, series
from sitroom.services.setup import load_belarus_2021
from sitroom.store.engine import make_engine

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(Settings(database_url=f"sqlite:///{Path(folder) / 'lt.db'}"))
        load_belarus_2021(engine, now=NOW)
        series.refresh_series(engine, now=NOW)
        run = detection.run_detection(engine, methods=("border",), now=NOW)
        engine.dispose()
    for skipped in run.skipped:
        print(f"no decision: {skipped.measure.value} at {skipped.place}: {skipped.reason}")
    by_series: dict[tuple[str, str], list[date]] = {}
    for alarm in sorted(run.raised, key=lambda a: a.day):
        by_series.setdefault((alarm.measure.value, alarm.place), []).append(alarm.day)
    for (measure, place), days in sorted(by_series.items()):
        early = [d.isoformat() for d in days if d < date(2021, 9, 1)]
        print(f"{measure} at {place}: first alarm {days[0]}, {len(days)} in all; "
              f"before September 2021: {', '.join(early) or 'none'}")


if __name__ == "__main__":
    main()
