"""The situation page's data (GET /api/situation) under load: 1,000,000 incidents and
100,000 figures stored, 20 concurrent clients on loopback, latency percentiles and errors.

Every stored row beyond the bundled 2021 data is SYNTHETIC (the incidents from
bench/store/make_incidents.py, the figures made up here with a seeded generator); it goes in
through the importer, i.e. the bulk insert path.

    .venv/bin/python -m bench.web.situation               # builds bench/out/web_situation.db once
    .venv/bin/python -m bench.web.situation --seconds 30 --clients 20 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
from bench.store.make_incidents import default_path, write
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitroom.config import Settings
from sitroom.domain.accounts import Role
from sitroom.interchange.records.figures import COLUMNS as FIGURE_COLUMNS
from sitroom.services import accounts, tokens
from sitroom.services.detection import run_detection
from sitroom.services.ingest import import_file
from sitroom.services.series import refresh_series
from sitroom.services.setup import load_belarus_2021
from sitroom.store.engine import make_engine
from sitroom.store.tables import FigureRow, IncidentRow

OUT = Path(__file__).resolve().parents[1] / "out"
DATABASE = OUT / "web_situation.db"
SECTIONS = [f"LT-BY-{i}" for i in range(1, 5)] + ["LV-BY-1", "LV-BY-2"]
SECTIONS += [f"PL-BY-{i}" for i in range(1, 5)]
SITES = ["LT-PABRADE", "LT-KYBARTAI", "LT-MEDININKAI", "LT-RUKLA", "LT-JIEZNAS"]


def synthetic_figures(path: Path, count: int, seed: int = 2021) -> None:
    """Daily section counts and site occupancy, 2016 onwards: made up, labelled so."""
    rnd = random.Random(seed)
    places = [(s, m) for s in SECTIONS for m in ("apprehended", "prevented_entry")]
    places += [(s, "occupancy") for s in SITES]
    first = date(2016, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, fieldnames=[c.name for c in FIGURE_COLUMNS])
        out.writeheader()
        for n in range(count):
            place, measure = places[n % len(places)]
            day = first + timedelta(days=n // len(places))
            out.writerow(
                {
                    "measure": measure,
                    "place": place,
                    "period_start": day.isoformat(),
                    "value": str(rnd.randint(0, 300)),
                    "qualifier": "exact",
                    "source_kind": "official_feed",
                    "source_organisation": "SYNTHETIC benchmark feed",
                    "source_url": "https://example.org/synthetic-benchmark-data",
                }
            )


def build(incidents: int, figures: int) -> None:
    OUT.mkdir(exist_ok=True)
    engine = make_engine(Settings(database_url=f"sqlite:///{DATABASE}"))
    load_belarus_2021(engine)
    refresh_series(engine)
    run_detection(engine)
    csv_path = default_path(incidents)
    if not csv_path.exists():
        write(csv_path, incidents, 2021)
    started = time.perf_counter()
    report = import_file(engine, csv_path, entered_by="SYNTHETIC benchmark", partial=True)
    print(f"incidents: {report.accepted} stored in {time.perf_counter() - started:.0f} s")
    figure_path = OUT / f"figures_synthetic_web_{figures}.csv"
    synthetic_figures(figure_path, figures)
    report = import_file(engine, figure_path, entered_by="SYNTHETIC benchmark")
    print(f"figures: {report.accepted} stored ({report.rejected} rejected)")
    engine.dispose()


def counts() -> tuple[int, int]:
    engine = make_engine(Settings(database_url=f"sqlite:///{DATABASE}"))
    with Session(engine) as session:
        incidents = session.scalar(select(func.count()).select_from(IncidentRow)) or 0
        figures = session.scalar(select(func.count()).select_from(FigureRow)) or 0
    engine.dispose()
    return incidents, figures


def token() -> str:
    engine = make_engine(Settings(database_url=f"sqlite:///{DATABASE}"))
    with Session(engine) as session:
        existing = {u.username: u for u in accounts.list_users(session)}
    user = existing.get("bench") or accounts.create_user(
        engine,
        "bench",
        "load test only, not secret",
        organisation_id=None,
        role=Role.ANALYST,
        actor=None,
    )
    _info, secret = tokens.create_token(engine, user, "load test", actor=user)
    engine.dispose()
    return secret


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def load(base: str, secret: str, clients: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    headers = {"authorization": f"Bearer {secret}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                response = await client.get("/api/situation")
                ok = response.status_code == 200 and response.json()["sections"]
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += 0 if ok else 1

    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as client:
        await asyncio.gather(*(one(client) for _ in range(clients)))
    return latencies, errors


WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("%d %d %.3f %.3f %.3f %.3f\\n", summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


def run_wrk(base: str, secret: str, clients: int, seconds: float, workers: int) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_REPORT)
        script.flush()
        done = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{clients}",
                f"-d{int(seconds)}s",
                "-s",
                script.name,
                "-H",
                f"authorization: Bearer {secret}",
                f"{base}/api/situation",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    requests, errors, p50, p95, p99, mean = done.stdout.strip().splitlines()[-1].split()
    print(
        f"GET /api/situation (wrk), {clients} connections, {workers} workers, {seconds:.0f} s: "
        f"{requests} requests ({int(requests) / seconds:.0f}/s), errors {errors}; "
        f"p50 {p50} ms, p95 {p95} ms, p99 {p99} ms, mean {mean} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--figures", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--tool",
        choices=["wrk", "httpx"],
        default="wrk" if shutil.which("wrk") else "httpx",
        help="wrk (Debian's, light on CPU) or an asyncio httpx client (heavier: it competes "
        "with the server for the same two cores)",
    )
    args = parser.parse_args()
    if not DATABASE.exists():
        build(args.incidents, args.figures)
    incidents, figures = counts()
    print(f"stored: {incidents:,} incidents, {figures:,} figures ({DATABASE})")
    secret = token()
    port = free_port()
    env = {**os.environ, "SITROOM_DATABASE_URL": f"sqlite:///{DATABASE}"}
    command = [sys.executable, "-m", "sitroom.cli", "serve", "--port", str(port)]
    server = subprocess.Popen([*command, "--workers", str(args.workers)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        asyncio.run(load(base, secret, args.clients, 3.0))  # warm every worker
        if args.tool == "wrk":
            run_wrk(base, secret, args.clients, args.seconds, args.workers)
            return
        latencies, errors = asyncio.run(load(base, secret, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    p = {q: latencies[min(len(latencies) - 1, int(q / 100 * len(latencies)))] for q in (50, 95, 99)}
    print(
        f"GET /api/situation, {args.clients} clients, {args.workers} workers, "
        f"{args.seconds:.0f} s: {len(latencies)} requests "
        f"({len(latencies) / args.seconds:.0f}/s), errors {errors}; "
        f"p50 {p[50] * 1000:.1f} ms, p95 {p[95] * 1000:.1f} ms, p99 {p[99] * 1000:.1f} ms, "
        f"mean {statistics.fmean(latencies) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
