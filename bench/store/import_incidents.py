"""Time sitroom's incident import against the database's own bulk loader, on a synthetic file.

    .venv/bin/python bench/store/import_incidents.py --rows 1000000

SQLite: `sqlite3 DB ".import FILE t"` into a bare table vs `sitroom import FILE` into a fresh
database that holds the border sections. PostgreSQL: `psql -c "\\copy t FROM FILE CSV HEADER"`
into a bare table vs `sitroom import FILE`. Each is run as its own process under
`/usr/bin/time`, so the figures include start-up and the peak memory is that process's
ru_maxrss. The sitroom import is then run a second time: it must store nothing new.
With --rounds N the whole set runs N times and the table shows the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from make_incidents import default_path, write
from sqlalchemy import text

from sitroom.config import Settings
from sitroom.interchange.records.incidents import COLUMNS
from sitroom.services.ingest import import_file
from sitroom.services.setup import init_database
from sitroom.store.engine import make_engine

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"
SECTIONS = ROOT / "src" / "sitroom" / "data" / "belarus_2021" / "sections.csv"
SITROOM = Path(sys.executable).with_name("sitroom")
BENCH_DB = "sitroom_bench"


@dataclass(frozen=True, slots=True)
class Run:
    wall: float
    cpu: float
    peak_mb: float
    report: dict[str, object] | None = None


def timed(argv: list[str], env: dict[str, str] | None = None) -> Run:
    """Run argv under /usr/bin/time: wall seconds, user+sys seconds, peak RSS of that process."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", stats.name, *argv],
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            check=False,
        )
        figures = stats.read().split()
    if done.returncode != 0:
        sys.exit(
            f"{argv[0]} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    wall, user, system, kb = (float(x) for x in figures[-4:])
    report = json.loads(done.stdout) if done.stdout.lstrip().startswith("{") else None
    return Run(wall, user + system, kb / 1024, report)


def sitroom_import(csv: Path, url: str) -> Run:
    return timed([str(SITROOM), "import", str(csv), "--json"], {"SITROOM_DATABASE_URL": url})


# The same import without the `sitroom` command around it: the command loads every command
# group (the analysis, the report and their libraries) before it starts, which shows in its
# time and memory. This runs just the importer, in a process of its own.
IMPORT_ONLY = """
import json, sys
from pathlib import Path
from sitroom.config import Settings
from sitroom.services.ingest import import_file
from sitroom.store.engine import make_engine
report = import_file(make_engine(Settings(database_url=sys.argv[2])), Path(sys.argv[1]),
                     entered_by="bench")
print(json.dumps(report.as_dict()))
"""


def importer_only(csv: Path, url: str) -> Run:
    return timed([sys.executable, "-c", IMPORT_ONLY, str(csv), url])


def prepare(url: str) -> None:
    """A database at the current schema holding the sections the synthetic rows name."""
    engine = make_engine(Settings(database_url=url))
    init_database(engine)
    report = import_file(engine, SECTIONS, entered_by="bench")
    engine.dispose()
    if not report.committed:
        sys.exit(f"could not load the sections: {report.error or report.rejections[:3]}")


def sqlite_runs(csv: Path) -> list[tuple[str, Run]]:
    if shutil.which("sqlite3") is None:
        sys.exit("the sqlite3 command-line shell is needed: apt-get install -y sqlite3")
    work = OUT / "sqlite"
    work.mkdir(parents=True, exist_ok=True)
    bare, db = work / "bare.db", work / "sitroom.db"
    for path in (bare, db):
        path.unlink(missing_ok=True)
    baseline = timed(["sqlite3", str(bare), "-cmd", ".mode csv", f".import {csv} incidents"])
    url = f"sqlite:///{db}"
    prepare(url)
    first = sitroom_import(csv, url)
    second = sitroom_import(csv, url)
    db.unlink()
    prepare(url)
    alone = importer_only(csv, url)
    return [
        ("sqlite3 .import", baseline),
        ("sitroom import", first),
        ("  again", second),
        ("  importer only", alone),
    ]


def pg_url() -> str:
    if url := os.environ.get("SITROOM_BENCH_PG_URL"):
        return url
    started = subprocess.run(
        [str(ROOT / "scripts" / "pg"), "start"], capture_output=True, text=True
    )
    if started.returncode != 0:
        sys.exit(f"scripts/pg start failed: {started.stderr}")
    return started.stdout.strip()


def postgresql_runs(csv: Path) -> list[tuple[str, Run]]:
    # A database of its own, so the tests' database on the same server is left alone.
    server = pg_url()
    url = fresh_database(server)
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    columns = ", ".join(f"{c.name} text" for c in COLUMNS)
    subprocess.run(
        ["psql", "-q", libpq, "-c", f"CREATE TABLE bare_incidents ({columns})"], check=True
    )
    baseline = timed(
        ["psql", "-q", libpq, "-c", f"\\copy bare_incidents FROM '{csv}' WITH (FORMAT csv, HEADER)"]
    )
    prepare(url)
    first = sitroom_import(csv, url)
    second = sitroom_import(csv, url)
    fresh_database(server)
    prepare(url)
    alone = importer_only(csv, url)
    return [
        ("psql \\copy", baseline),
        ("sitroom import", first),
        ("  again", second),
        ("  importer only", alone),
    ]


def fresh_database(server: str) -> str:
    admin = make_engine(Settings(database_url=server)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {BENCH_DB}"))
    admin.dispose()
    return server.rsplit("/", 1)[0] + f"/{BENCH_DB}"


def show(title: str, runs: list[tuple[str, Run]], rows: int, *, server: bool = False) -> None:
    """`server`: the work happens in another process (PostgreSQL), so only the wall-clock ratio
    compares like with like; the client's CPU time is shown but not compared."""
    base = runs[0][1]
    print(f"\n{title}, {rows:,} rows")
    print(f"{'':18}{'wall s':>9}{'cpu s':>9}{'× wall':>8}{'× cpu':>8}{'peak MB':>9}  stored")
    for name, run in runs:
        stored = ""
        if run.report is not None:
            r = run.report
            stored = f"accepted {r['accepted']:,}, duplicate {r['duplicate']:,}, "
            stored += f"rejected {r['rejected']:,}"
        print(
            f"{name:18}{run.wall:9.2f}{run.cpu:9.2f}{run.wall / base.wall:8.1f}"
            f"{'-' if server else format(run.cpu / max(base.cpu, 0.01), '.1f'):>8}"
            f"{run.peak_mb:9.0f}  {stored}"
        )
    again = runs[2][1].report or {}
    if again.get("accepted") != 0 or again.get("duplicate") != rows:
        print(f"!! the second import was not a no-op: {again.get('accepted')} rows added")


def rounds(measure: Callable[[], list[tuple[str, Run]]], count: int) -> list[list[tuple[str, Run]]]:
    """`count` rounds of one set of runs: the baseline and sitroom take turns, so that a busy
    spell on a shared machine falls on both rather than on one."""
    return [measure() for _ in range(count)]


def medians(every: list[list[tuple[str, Run]]]) -> list[tuple[str, Run]]:
    """Per line, the median wall and CPU time over the rounds, the highest peak, and the
    first round's report."""
    return [
        (
            name,
            Run(
                statistics.median(r[i][1].wall for r in every),
                statistics.median(r[i][1].cpu for r in every),
                max(r[i][1].peak_mb for r in every),
                first.report,
            ),
        )
        for i, (name, first) in enumerate(every[0])
    ]


def show_rounds(every: list[list[tuple[str, Run]]]) -> None:
    if len(every) > 1:
        ratios = [r[1][1].wall / r[0][1].wall for r in every]
        print(
            f"{len(every)} rounds, medians above; sitroom import × wall per round: "
            + ", ".join(f"{x:.2f}" for x in ratios)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--rounds", type=int, default=1, help="repeat the whole set; report the medians"
    )
    args = parser.parse_args()
    csv = default_path(args.rows)
    if not csv.exists():
        print(f"writing {csv} (synthetic)")
        write(csv, args.rows, seed=2021)
    if args.only != "postgresql":
        every = rounds(lambda: sqlite_runs(csv), args.rounds)
        show("SQLite", medians(every), args.rows)
        show_rounds(every)
    if args.only != "sqlite":
        every = rounds(lambda: postgresql_runs(csv), args.rounds)
        show("PostgreSQL", medians(every), args.rows, server=True)
        show_rounds(every)


if __name__ == "__main__":
    main()
