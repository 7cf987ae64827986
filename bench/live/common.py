"""What the live benchmarks share: a fresh database, SYNTHETIC history, and the processes
(`sitroom serve`, `sitroom worker`) they measure. Every figure here is made up."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from sitroom.config import Settings, load_settings
from sitroom.interchange.records.figures import COLUMNS
from sitroom.interchange.records.places import SECTION_COLUMNS
from sitroom.services.ingest import import_file
from sitroom.services.setup import init_database
from sitroom.store.engine import make_engine

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"
SITROOM = [sys.executable, "-m", "sitroom.cli"]
SYNTHETIC_URL = "https://example.org/synthetic-bench-data"
BENCH_DB = "sitroom_bench_live"


def fresh_database(backend: str, server_url: str | None) -> str:
    """The URL of an empty database: a new SQLite file, or a recreated PostgreSQL database
    next to `server_url`'s."""
    if backend == "sqlite":
        path = OUT / "live-bench.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if not server_url:
        raise SystemExit("--url (or SITROOM_TEST_POSTGRES_URL) names the PostgreSQL server")
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {BENCH_DB}"))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{BENCH_DB}"


def settings_for(url: str) -> Settings:
    return load_settings({"SITROOM_DATABASE_URL": url})


def write_csv(path: Path, names: list[str], rows: list[dict[str, str]]) -> Path:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=names, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
    return path


def sections(countries: list[str], per_country: int) -> list[dict[str, str]]:
    return [
        {
            "id": f"{c}-SYN-{n}",
            "country": c,
            "neighbour": "BY",
            "name": f"Synthetic section {n}",
            "length_km": "50",
            "line": f"[[25.{n}, 54.0], [25.{n}, 54.5]]",
        }
        for c in countries
        for n in range(1, per_country + 1)
    ]


def figure_row(measure: str, place: str, day: date, value: int, source: str) -> dict[str, str]:
    """One day's figure in the import format (columns of interchange.records.figures)."""
    return {
        "measure": measure,
        "place": place,
        "period_start": day.isoformat(),
        "period_end": day.isoformat(),
        "value": str(value),
        "qualifier": "exact",
        "source_kind": "official_feed",
        "source_url": source,
        "source_organisation": "Synthetic border guard",
        "source_published": "",
        "entered_by": "",
        "entered_at": "",
        "corrects": "",
        "note": "synthetic",
    }


def load_history(
    url: str, places: list[tuple[str, str]], days: int, end: date, seed: int = 2021
) -> int:
    """`days` of SYNTHETIC daily figures up to `end` for each (measure, place); imported through
    the ordinary importer. Returns how many figures."""
    rnd = random.Random(seed)
    rows = [
        figure_row(m, p, end - timedelta(days=days - 1 - i), rnd.randint(0, 25), SYNTHETIC_URL)
        for m, p in places
        for i in range(days)
    ]
    engine = make_engine(settings_for(url))
    init_database(engine)
    path = write_csv(OUT / "live-history.csv", [c.name for c in COLUMNS], rows)
    report = import_file(engine, path, entered_by="bench")
    assert report.committed and not report.rejected, report.as_dict()
    engine.dispose()
    return len(rows)


def load_sections(url: str, rows: list[dict[str, str]]) -> None:
    engine = make_engine(settings_for(url))
    init_database(engine)
    path = write_csv(OUT / "live-sections.csv", [c.name for c in SECTION_COLUMNS], rows)
    report = import_file(engine, path, entered_by="bench")
    assert report.committed and not report.rejected, report.as_dict()
    engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(argv: list[str], url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SITROOM_DATABASE_URL": url}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        return subprocess.Popen([*SITROOM, *argv], env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
