"""Time the three-country PDF situation report for 4 August 2021 from a warm database.

    .venv/bin/python bench/report/run.py [--runs 5] [--database /tmp/demo.db]

Loads the demo's real 2021 data into a fresh SQLite file (unless --database names one that
already holds it), reconciles the series and raises alarms, renders once to warm the caches
(fonts, matplotlib, SQLite pages), then times --runs full reports: building the model from the
database (charts and map included) and rendering the PDF. Prints each step's median wall-clock
time, the median CPU time of the process, and the load average, since the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sitroom.config import Settings
from sitroom.report.build import build_report
from sitroom.report.render import render_html, render_pdf
from sitroom.services import detection
from sitroom.services.series import refresh_series
from sitroom.services.setup import load_belarus_2021
from sitroom.store.engine import make_engine

DAY = date(2021, 8, 4)
COUNTRIES = ["LT", "LV", "PL"]
TARGET_SECONDS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sitroom-bench-report-") as folder:
        path = args.database or Path(folder) / "demo.db"
        engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
        if args.database is None:
            load_belarus_2021(engine)
        refresh_series(engine)
        detection.run_detection(engine)
        render_pdf(build_report(engine, DAY, COUNTRIES))
        build, html, pdf, total, cpu = [], [], [], [], []
        for _ in range(args.runs):
            wall, clock = time.perf_counter(), time.process_time()
            report = build_report(engine, DAY, COUNTRIES)
            built = time.perf_counter()
            render_html(report)
            htmled = time.perf_counter()
            document = render_pdf(report)
            done = time.perf_counter()
            build.append(built - wall)
            html.append(htmled - built)
            pdf.append(done - htmled)
            total.append(done - wall - (htmled - built))
            cpu.append(time.process_time() - clock)
        engine.dispose()
    median = statistics.median
    print(f"three-country PDF for {DAY}, {args.runs} warm runs, {len(document):,} bytes")
    print(f"  build model (queries, charts, map): {median(build):.2f} s")
    print(f"  render HTML:                        {median(html):.2f} s")
    print(f"  render PDF (HTML + WeasyPrint):     {median(pdf):.2f} s")
    print(
        f"  report to PDF, wall clock:          {median(total):.2f} s (target < {TARGET_SECONDS} s)"
    )
    print(f"  CPU time per report:                {median(cpu):.2f} s")
    print(
        f"  load average during the runs:       {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
