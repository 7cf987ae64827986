"""The long fuzz run of the API (issue 21): schemathesis against a real `sitroom serve` on
loopback, every phase (examples, coverage, fuzzing, stateful links), rounds with random seeds as
an admin, an analyst and a reporter in turn, until the time is up. The checks are those of
schemathesis.toml, the same as the contract test in the suite.

The database is the demo's (the real 2021 data through the ordinary importer, series, alarms,
the demo users); whatever the fuzzer writes into it is SYNTHETIC and stays in bench/out.

    .venv/bin/python -m bench.fuzz.run                                  # 30 minutes, SQLite
    .venv/bin/python -m bench.fuzz.run --minutes 5 --round-seconds 60
    .venv/bin/python -m bench.fuzz.run --database-url postgresql+psycopg://...   # PostgreSQL

Prints one line per round and a summary; each round's reports (JUnit, and the CLI's output)
are kept in bench/out/fuzz/<run>/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from sitroom.cli import demo_users
from sitroom.config import Settings
from sitroom.services import accounts, tokens
from sitroom.services.detection import run_detection
from sitroom.services.series import refresh_series
from sitroom.services.setup import load_belarus_2021
from sitroom.store.engine import make_engine
from sitroom.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out" / "fuzz"
PERSONAS = ("admin", "bob", "alice")  # the demo's administrator, analyst and reporter
PHASES = "examples,coverage,fuzzing,stateful"
FAILURE_CODE = re.compile(r"^\s*- (ST\d+ [^\n]+)$", re.MULTILINE)
CASES = re.compile(r"Test cases:\s*([\d,]+) generated")


@dataclass
class Round:
    seed: int
    persona: str
    seconds: float
    cases: int
    failures: Counter[str] = field(default_factory=Counter)
    exit_code: int = 0


def fresh_database(folder: Path, url: str | None) -> str:
    if url is None:
        path = folder / "fuzz.db"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    schema = f"fuzz_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def load(database_url: str) -> dict[str, tuple[int, int, str]]:
    """The demo's data and users; a token for each persona: name -> (user id, token id, token)."""
    engine = make_engine(Settings(database_url=database_url))
    upgrade(engine)
    loaded = load_belarus_2021(engine)
    assert all(r.committed for r in loaded.reports), [r.as_dict() for r in loaded.reports]
    refresh_series(engine)
    run_detection(engine)
    demo_users.create(engine)
    with Session(engine) as session:
        users = {u.username: u for u in accounts.list_users(session)}
    people: dict[str, tuple[int, int, str]] = {}
    for name in PERSONAS:
        info, secret = tokens.create_token(engine, users[name], "fuzz run", actor=users[name])
        people[name] = (users[name].id, info.id, secret)
    engine.dispose()
    return people


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(database_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SITROOM_DATABASE_URL": database_url}
    command = [str(ROOT / ".venv" / "bin" / "sitroom"), "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1"]
    server = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"sitroom serve did not start: see {log}")


def fuzz_round(
    base: str,
    folder: Path,
    persona: str,
    secret: str,
    spared: dict[str, list[int]],
    seconds: int,
    seed: int,
) -> Round:
    folder.mkdir(parents=True)
    command = [
        str(ROOT / ".venv" / "bin" / "schemathesis"),
        "--no-color",
        "--config-file",
        str(ROOT / "schemathesis.toml"),
        "run",
        f"{base}/api/openapi.json",
        "--phases",
        PHASES,
        "--seed",
        str(seed),
        "--max-time",
        str(seconds),
        "--header",
        f"Authorization: Bearer {secret}",
        "--continue-on-failure",
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--report",
        "junit",
        "--report-dir",
        str(folder),
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "bench.fuzz.hooks",
        "SITROOM_FUZZ_SPARED": json.dumps(spared),
        "PYTHONPATH": str(ROOT),
    }
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds * 3)
    elapsed = time.monotonic() - started
    (folder / "output.txt").write_text(done.stdout + done.stderr, encoding="utf-8")
    cases = CASES.search(done.stdout)
    found = Round(seed, persona, elapsed, int(cases.group(1).replace(",", "")) if cases else 0)
    found.exit_code = done.returncode
    junit = next(folder.glob("junit*.xml"))
    for case in ET.parse(junit).getroot().iter("testcase"):
        for failure in case.iter("failure"):
            for code in FAILURE_CODE.findall("\n" + (failure.text or failure.get("message", ""))):
                found.failures[f"{case.get('name')}: {code}"] += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--round-seconds", type=int, default=120)
    parser.add_argument("--database-url", help="a PostgreSQL server (a schema is made in it)")
    args = parser.parse_args()
    run = OUT / time.strftime("%Y%m%d-%H%M%S")
    run.mkdir(parents=True)
    database_url = fresh_database(run, args.database_url)
    people = load(database_url)
    spared = {
        "user_id": [user for user, _token, _secret in people.values()],
        "token_id": [token for _user, token, _secret in people.values()],
    }
    port = free_port()
    server = serve(database_url, port, run / "server.log")
    rounds: list[Round] = []
    rnd = random.SystemRandom()
    deadline = time.monotonic() + args.minutes * 60
    try:
        while (left := deadline - time.monotonic()) > 10:
            persona = PERSONAS[len(rounds) % len(PERSONAS)]
            seed = rnd.getrandbits(63)
            seconds = int(min(args.round_seconds, left))
            done = fuzz_round(
                f"http://127.0.0.1:{port}",
                run / f"round-{len(rounds) + 1:02d}",
                persona,
                people[persona][2],
                spared,
                seconds,
                seed,
            )
            rounds.append(done)
            print(
                f"round {len(rounds):2d} {persona:14s} seed {seed:<20d} {done.seconds:5.0f} s "
                f"{done.cases:6d} cases  failures: {dict(done.failures) or 'none'}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    server_errors = (run / "server.log").read_text(errors="replace").count("Traceback")
    total = Counter[str]()
    for done in rounds:
        total.update(done.failures)
    print(
        f"\n{len(rounds)} rounds, {sum(r.cases for r in rounds)} cases in "
        f"{sum(r.seconds for r in rounds) / 60:.1f} min; server tracebacks: {server_errors}; "
        f"failures: {dict(total) or 'none'}\nreports: {run}"
    )
    sys.exit(1 if total or server_errors else 0)


if __name__ == "__main__":
    main()
