"""The figures page and the incident totals under load: 1,000,000 incidents and 100,000
figures stored, 20 concurrent clients on loopback, latency percentiles and errors per path.

Same SYNTHETIC database as bench/web/situation.py (built there, once, through the importer).

    .venv/bin/python -m bench.web.figures            # builds bench/out/web_situation.db once
    .venv/bin/python -m bench.web.figures --seconds 30 --clients 20 --workers 2
    .venv/bin/python -m bench.web.figures --profile  # ten requests of each, in-process
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import httpx
from bench.web.situation import DATABASE, WRK_REPORT, build, counts, free_port, token

PATHS = ("/figures", "/api/incidents/totals", "/figures?country=LT", "/api/incidents?limit=100")


def wrk(base: str, path: str, secret: str, clients: int, seconds: float) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_REPORT)
        script.flush()
        done = subprocess.run(
            [
                *(
                    "wrk",
                    f"-t{min(2, clients)}",
                    f"-c{clients}",
                    f"-d{int(seconds)}s",
                    "-s",
                    script.name,
                ),
                *("-H", f"authorization: Bearer {secret}", f"{base}{path}"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    requests, errors, p50, p95, p99, mean = done.stdout.strip().splitlines()[-1].split()
    return (
        f"{requests} requests ({int(requests) / seconds:.0f}/s), errors {errors}; "
        f"p50 {p50} ms, p95 {p95} ms, p99 {p99} ms, mean {mean} ms"
    )


async def with_httpx(base: str, path: str, secret: str, clients: int, seconds: float) -> str:
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
                ok = (await client.get(path)).status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += 0 if ok else 1

    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as client:
        await asyncio.gather(*(one(client) for _ in range(clients)))
    latencies.sort()
    p = {q: latencies[min(len(latencies) - 1, int(q / 100 * len(latencies)))] for q in (50, 95, 99)}
    return (
        f"{len(latencies)} requests ({len(latencies) / seconds:.0f}/s), errors {errors}; "
        f"p50 {p[50] * 1000:.1f} ms, p95 {p[95] * 1000:.1f} ms, p99 {p[99] * 1000:.1f} ms, "
        f"mean {statistics.fmean(latencies) * 1000:.1f} ms"
    )


def profile(secret: str) -> None:
    """Each path once in-process, after a warm-up: where a request's time goes."""
    import warnings

    from sitroom.config import Settings
    from sitroom.web.app import create_app
    from sitroom.web.settings import WebSettings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    app = create_app(WebSettings(database=Settings(database_url=f"sqlite:///{DATABASE}")))
    client = TestClient(app, headers={"authorization": f"Bearer {secret}"})
    for path in PATHS:
        client.get(path)
        started = time.perf_counter()
        for _ in range(10):
            assert client.get(path).status_code == 200
        print(f"{path}: {(time.perf_counter() - started) * 100:.1f} ms a request, in-process")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--figures", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--path", action="append", help=f"default: {', '.join(PATHS)}")
    parser.add_argument("--profile", action="store_true", help="time each path in-process")
    parser.add_argument(
        "--tool",
        choices=["wrk", "httpx"],
        default="wrk" if shutil.which("wrk") else "httpx",
        help="wrk (Debian's, light on CPU) or an asyncio httpx client (heavier)",
    )
    args = parser.parse_args()
    if not DATABASE.exists():
        build(args.incidents, args.figures)
    # An older database gets this version's indexes (migrations) before it is measured.
    env = {**os.environ, "SITROOM_DATABASE_URL": f"sqlite:///{DATABASE}"}
    subprocess.run([sys.executable, "-m", "sitroom.cli", "init"], env=env, check=True)
    incidents, figures = counts()
    print(f"stored: {incidents:,} incidents, {figures:,} figures ({DATABASE})")
    secret = token()
    if args.profile:
        profile(secret)
        return
    port = free_port()
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
        for path in args.path or PATHS:
            asyncio.run(with_httpx(base, path, secret, args.clients, 3.0))  # warm every worker
            if args.tool == "wrk":
                result = wrk(base, path, secret, args.clients, args.seconds)
            else:
                result = asyncio.run(with_httpx(base, path, secret, args.clients, args.seconds))
            print(
                f"GET {path} ({args.tool}), {args.clients} clients, {args.workers} workers, "
                f"{args.seconds:.0f} s: {result}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
