"""A login flood against a real server: 100 concurrent wrong-password logins (argon2 at its
default cost) while a signed-in user keeps reading; the reader's latency, how the flood was
answered, and the server's peak memory.

Uses the SYNTHETIC database of bench/web/situation.py (built there once).

    .venv/bin/python -m bench.web.login_flood                 # 100 guesses, 2 workers
    .venv/bin/python -m bench.web.login_flood --guesses 300 --workers 1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
from bench.web.situation import DATABASE, build, free_port, token

from sitroom.web.deps import LOGIN_CSRF_COOKIE


def rss_kib(pid: int) -> int:
    """Resident memory of the server and its workers, from /proc."""
    total = 0
    for proc in [pid, *children(pid)]:
        status = Path(f"/proc/{proc}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in found.read_text().split()] if found.exists() else []


async def flood(base: str, secret: str, guesses: int, pid: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        quiet = []
        for _ in range(20):
            started = time.perf_counter()
            await client.get("/api/me", headers={"authorization": f"Bearer {secret}"})
            quiet.append(time.perf_counter() - started)
        print(
            f"before: signed-in read median {statistics.median(quiet) * 1000:.0f} ms, "
            f"server RSS {rss_kib(pid) / 1024:.0f} MiB"
        )
        reads: list[float] = []
        peak = rss_kib(pid)
        done = asyncio.Event()

        async def guess(n: int) -> int:
            form = {"username": f"nobody{n % 10}", "password": "wrong", "csrf_token": "t"}
            headers = {"cookie": f"{LOGIN_CSRF_COOKIE}=t"}
            return (await client.post("/login", data=form, headers=headers)).status_code

        async def reader() -> None:
            nonlocal peak
            auth = {"authorization": f"Bearer {secret}"}
            while not done.is_set():
                started = time.perf_counter()
                await client.get("/api/me", headers=auth)
                reads.append(time.perf_counter() - started)
                peak = max(peak, rss_kib(pid))
                await asyncio.sleep(0.05)

        watching = asyncio.create_task(reader())
        started = time.perf_counter()
        codes = await asyncio.gather(*(guess(n) for n in range(guesses)))
        took = time.perf_counter() - started
        done.set()
        await watching
    answers = ", ".join(f"{code}: {n}" for code, n in sorted(Counter(codes).items()))
    print(
        f"{guesses} concurrent wrong logins answered in {took:.1f} s ({answers}); "
        f"signed-in reads meanwhile: {len(reads)}, median "
        f"{statistics.median(reads) * 1000:.0f} ms, max {max(reads) * 1000:.0f} ms; "
        f"server peak RSS {peak / 1024:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guesses", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not DATABASE.exists():
        build(1_000_000, 100_000)
    env = {**os.environ, "SITROOM_DATABASE_URL": f"sqlite:///{DATABASE}"}
    subprocess.run([sys.executable, "-m", "sitroom.cli", "init"], env=env, check=True)
    with sqlite3.connect(DATABASE) as db:
        db.execute("DELETE FROM login_failures")  # a fresh start for the throttle each run
    secret = token()
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
        asyncio.run(flood(base, secret, args.guesses, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
