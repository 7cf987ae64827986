"""Latency from a committed figure to the updated series and alarms, under a steady load of
figure writes through the API. SYNTHETIC data.

    .venv/bin/python -m bench.live.latency --backend sqlite --seconds 300
    .venv/bin/python -m bench.live.latency --backend postgresql --workers 2 --seconds 300

SQLite: `sitroom serve` alone (its own pipeline thread). PostgreSQL: `sitroom serve` and
`--workers` `sitroom worker` processes. The database starts with `--days` of daily history for
each section of `--sections` per country (and each country, to which the sections add up)
and each `--measures`; the load then posts `--rate` figures a second, each the next day's
figure of a random section (or country, with `--sections 0`), from `--clients` threads on a
fixed schedule.

A write's latency is measured from just before its request is sent to the end of the first
pipeline run of its series group that took it in (`pipeline_runs.finished_at` of the first run
of that group whose newest consumed mark is not older than the send). Series and alarms are
stored in that run's one transaction, so it is the latency of both. Notifications follow in a
job of their own (on this branch delivery is a stub that returns at once).
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitroom.domain.accounts import Role
from sitroom.domain.places import Organisation, OrganisationKind
from sitroom.services import accounts, tokens
from sitroom.store.engine import make_engine
from sitroom.store.pipeline_tables import PipelineRunRow, StaleSeriesRow

from . import common

HISTORY_END = date(2021, 6, 30)


def prepare(args: argparse.Namespace, url: str) -> tuple[list[str], str]:
    """The places written to (the sections, or the countries when there are none), and an API
    token of a reporter."""
    countries = args.countries.split(",")
    measures = args.measures.split(",")
    defined = common.sections(countries, args.sections)
    common.load_sections(url, defined)
    places = [s["id"] for s in defined] + countries
    count = common.load_history(
        url, [(m, p) for m in measures for p in places], args.days, HISTORY_END
    )
    print(f"history: {count} SYNTHETIC figures, {len(places) * len(measures)} series")
    engine = make_engine(common.settings_for(url))
    org = accounts.create_organisation(
        engine,
        Organisation("Synthetic border guard", OrganisationKind.BORDER_GUARD, "LT"),
        actor=None,
    )
    user = accounts.create_user(
        engine,
        "loadbot",
        "synthetic-password-1",
        organisation_id=org.id,
        role=Role.REPORTER,
        actor=None,
    )
    _, token = tokens.create_token(engine, user, "bench", actor=user)
    engine.dispose()
    return [s["id"] for s in defined] or countries, token


def drained(url: str) -> bool:
    engine = make_engine(common.settings_for(url))
    with Session(engine) as session:
        left = session.scalar(select(func.count()).select_from(StaleSeriesRow))
    engine.dispose()
    return left == 0


def load(
    base: str,
    token: str,
    sections: list[str],
    measures: list[str],
    rate: float,
    seconds: float,
    clients: int,
) -> tuple[list[tuple[str, float]], int]:
    """Post figures on a fixed schedule; (group key, send time) of each stored one, errors."""
    total = int(rate * seconds)
    start = time.time() + 1.0
    sent: list[tuple[str, float]] = []
    errors = [0]
    lock = threading.Lock()
    next_day = {(m, s): HISTORY_END + timedelta(days=1) for m in measures for s in sections}
    rnd = random.Random(7)
    plan = [(rnd.choice(measures), rnd.choice(sections), rnd.randint(0, 40)) for _ in range(total)]

    def client(offset: int) -> None:
        with httpx.Client(
            base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=30
        ) as http:
            for i in range(offset, total, clients):
                measure, section, value = plan[i]
                with lock:
                    day = next_day[(measure, section)]
                    next_day[(measure, section)] = day + timedelta(days=1)
                wait = start + i / rate - time.time()
                if wait > 0:
                    time.sleep(wait)
                body = {
                    "measure": measure,
                    "place": section,
                    "period_start": day.isoformat(),
                    "value": value,
                    "source_url": common.SYNTHETIC_URL,
                    "sharing": "shared",
                }
                at = time.time()
                response = http.post("/api/figures", json=body)
                with lock:
                    if response.status_code == 201:
                        # The group is the country's: its sections add up to it (or the
                        # country's series alone).
                        sent.append((f"{measure}/{section[:2]}", at))
                    else:
                        errors[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent, errors[0]


def latencies(url: str, sent: list[tuple[str, float]]) -> tuple[list[float], int]:
    engine = make_engine(common.settings_for(url))
    with Session(engine) as session:
        runs = session.execute(
            select(
                PipelineRunRow.group_key, PipelineRunRow.figures_up_to, PipelineRunRow.finished_at
            )
            .where(PipelineRunRow.figures_up_to.is_not(None))
            .order_by(PipelineRunRow.finished_at)
        ).all()
    engine.dispose()
    by_group: dict[str, list[tuple[float, float]]] = {}
    for key, up_to, finished in runs:
        by_group.setdefault(key, []).append((up_to.timestamp(), finished.timestamp()))
    found, missing = [], 0
    for key, at in sent:
        done = next((f for u, f in by_group.get(key, []) if u >= at), None)
        if done is None:
            missing += 1
        else:
            found.append(done - at)
    return found, missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--url", help="PostgreSQL server (default: SITROOM_TEST_POSTGRES_URL)")
    parser.add_argument(
        "--workers", type=int, default=2, help="sitroom worker processes (PostgreSQL)"
    )
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--countries", default="LT,LV,PL")
    parser.add_argument(
        "--sections", type=int, default=0, help="per country (0: write to the countries)"
    )
    parser.add_argument("--measures", default="apprehended,prevented_entry")
    parser.add_argument("--days", type=int, default=365, help="history per series")
    args = parser.parse_args()
    import os

    url = common.fresh_database(
        args.backend, args.url or os.environ.get("SITROOM_TEST_POSTGRES_URL")
    )
    sections, token = prepare(args, url)
    logs = common.OUT / "live-logs"
    port = common.free_port()
    processes = [common.start(["serve", "--port", str(port)], url, logs / "serve.log")]
    if args.backend == "postgresql" and args.workers:
        processes += [
            common.start(["worker", "--name", f"bench-{n}"], url, logs / f"worker{n}.log")
            for n in range(args.workers)
        ]
    base = f"http://127.0.0.1:{port}"
    try:
        common.wait_until(lambda: _answers(base), 60)
        # The history is marked stale by its import: let the pipeline take it in first.
        if not common.wait_until(lambda: drained(url), 600):
            raise SystemExit("the pipeline did not take in the history in 10 minutes")
        print(f"history taken in; load average {common.load_average()}")
        began = time.time()
        sent, errors = load(
            base, token, sections, args.measures.split(","), args.rate, args.seconds, args.clients
        )
        elapsed = time.time() - began
        load_after = common.load_average()
        common.wait_until(lambda: drained(url), 120)
    finally:
        for process in processes:
            common.stop(process)
    found, missing = latencies(url, sent)
    result = {
        "backend": args.backend,
        "workers": args.workers if args.backend == "postgresql" else "in serve",
        "writes": len(sent),
        "errors": errors,
        "rate_achieved": round(len(sent) / elapsed, 2),
        "not_taken_in": missing,
        "p50_s": round(common.percentile(found, 50), 3),
        "p95_s": round(common.percentile(found, 95), 3),
        "p99_s": round(common.percentile(found, 99), 3),
        "max_s": round(max(found), 3) if found else None,
        "load_average_after": load_after,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(result, indent=2))


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/me", timeout=2).status_code == 401
    except httpx.TransportError:
        return False


if __name__ == "__main__":
    main()
