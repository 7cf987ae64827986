"""A patrol back in coverage: many phones send their queued reports at once, each with a photo,
to `sitroom serve` over OpenRosa on loopback; acceptance latency per report, every report
stored once (a resend of some adds nothing), and the server's memory.

Every report and photo is SYNTHETIC (made here: an incident with invented counts, and bytes
that start like a JPEG and are otherwise a seeded random block made unique per report).

    .venv/bin/python -m bench.field.submissions                         # 100 phones x 50, 2 MB
    .venv/bin/python -m bench.field.submissions --devices 20 --per-device 10 --photo-mb 2
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitroom.config import Settings
from sitroom.domain.accounts import Role
from sitroom.domain.places import Organisation, OrganisationKind
from sitroom.services import accounts
from sitroom.services.field_devices import create_device
from sitroom.services.ingest import import_file
from sitroom.store.engine import make_engine
from sitroom.store.field_tables import FieldAttachmentRow, FieldSubmissionRow
from sitroom.store.migrate import upgrade
from sitroom.store.tables import IncidentRow

OUT = Path(__file__).resolve().parents[1] / "out" / "field"
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
SECTIONS_CSV = (
    "id,country,neighbour,name,length_km,line\n"
    'LT-BY-1,LT,BY,SYNTHETIC stretch 1,100,"[[25.1, 54.0], [25.1, 54.5]]"\n'
    'LT-BY-2,LT,BY,SYNTHETIC stretch 2,100,"[[25.2, 54.0], [25.2, 54.5]]"\n'
)


def prepare(folder: Path, devices: int) -> tuple[str, list[tuple[str, str]]]:
    """A fresh database with two sections, one reporter and a phone each for `devices`."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    url = f"sqlite:///{folder / 'field.db'}"
    engine = make_engine(Settings(database_url=url))
    upgrade(engine)
    sections = folder / "sections.csv"
    sections.write_text(SECTIONS_CSV, encoding="utf-8")
    assert import_file(engine, sections, entered_by="SYNTHETIC benchmark").committed
    org = accounts.create_organisation(
        engine, Organisation("Bench border guard", OrganisationKind.BORDER_GUARD, "LT"), actor=None
    )
    user = accounts.create_user(
        engine,
        "patrol",
        "bench-password-only",
        organisation_id=org.id,
        role=Role.REPORTER,
        actor=None,
    )
    logins = []
    for n in range(devices):
        made = create_device(engine, user, f"SYNTHETIC phone {n}")
        logins.append((made.device.login, made.password))
    engine.dispose()
    return url, logins


def instance(form_version: str, n: int) -> tuple[str, bytes]:
    ident = f"uuid:{uuid.uuid4()}"
    xml = (
        f'<data id="sitroom_incident" version="{form_version}">'
        "<start>2026-12-05T09:00:00.000+02:00</start><end>2026-12-05T09:02:00.000+02:00</end>"
        "<deviceid>collect:SYNTHETIC</deviceid><section>LT-BY-1</section>"
        f"<occurred_at>2026-12-05T02:{n % 60:02d}:00.000+02:00</occurred_at>"
        f"<category>apprehension</category><persons>{1 + n % 40}</persons><minors>0</minors>"
        "<nationalities></nationalities><location>54.3 25.15 150 5</location>"
        "<description>SYNTHETIC benchmark report</description><photo>photo.jpg</photo>"
        f"<meta><instanceID>{ident}</instanceID></meta></data>"
    )
    return ident, xml.encode()


def photo(block: bytes, size: int, n: int) -> bytes:
    # Unique per report (its number in the first bytes), so each is stored as its own file.
    marker = n.to_bytes(8, "big")
    body = (block * (size // len(block) + 1))[: size - len(JPEG_HEAD) - len(marker)]
    return JPEG_HEAD + marker + body


async def patrol(
    base: str,
    logins: list[tuple[str, str]],
    per_device: int,
    photo_bytes: int,
    form_version: str,
    resend_every: int,
) -> tuple[list[float], int, list[tuple[str, tuple[bytes, bytes]]]]:
    latencies: list[float] = []
    errors = 0
    resent: list[tuple[str, tuple[bytes, bytes]]] = []
    block = random.Random(2026).randbytes(1 << 16)
    limits = httpx.Limits(max_connections=len(logins), max_keepalive_connections=len(logins))
    timeout = httpx.Timeout(300.0)

    async def phone(index: int, login: str, password: str, client: httpx.AsyncClient) -> None:
        nonlocal errors
        token = base64.b64encode(f"{login}:{password}".encode()).decode()
        headers = {"authorization": f"Basic {token}", "x-openrosa-version": "1.0"}
        for k in range(per_device):
            n = index * per_device + k
            _ident, xml = instance(form_version, n)
            image = photo(block, photo_bytes, n)
            files = {
                "xml_submission_file": ("submission.xml", xml, "text/xml"),
                "photo.jpg": ("photo.jpg", image, "image/jpeg"),
            }
            started = time.perf_counter()
            try:
                head = await client.head("/openrosa/submission", headers=headers)
                started = time.perf_counter()
                response = await client.post("/openrosa/submission", headers=headers, files=files)
            except httpx.HTTPError:
                latencies.append(time.perf_counter() - started)
                errors += 1
                continue
            latencies.append(time.perf_counter() - started)
            if head.status_code != 204 or response.status_code != 201:
                errors += 1
            elif resend_every and n % resend_every == 0:
                resent.append((token, (xml, image)))
            del image, files

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        await asyncio.gather(*(phone(i, *creds, client) for i, creds in enumerate(logins)))
    return latencies, errors, resent


async def resend(base: str, resent: list[tuple[str, tuple[bytes, bytes]]]) -> int:
    """Send again some reports a phone thought were lost: each must be answered 201, and
    store nothing."""
    failed = 0
    async with httpx.AsyncClient(base_url=base, timeout=300.0) as client:
        for token, (xml, image) in resent:
            headers = {"authorization": f"Basic {token}", "x-openrosa-version": "1.0"}
            files = {
                "xml_submission_file": ("submission.xml", xml, "text/xml"),
                "photo.jpg": ("photo.jpg", image, "image/jpeg"),
            }
            response = await client.post("/openrosa/submission", headers=headers, files=files)
            failed += response.status_code != 201 or "already" not in response.text
    return failed


def peak_memory_kib(pid: int) -> dict[int, int]:
    """VmHWM (peak resident memory) of the server and its worker processes."""
    found = {}
    for task in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{task}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    found[task] = int(line.split()[1])
        except OSError:
            continue
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    direct = [int(p) for p in text.split()]
    return direct + [c for d in direct for c in children(d)]


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers (its own process group), forcibly if they hang."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--per-device", type=int, default=50)
    parser.add_argument("--photo-mb", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--resend-every", type=int, default=10, help="resend every n-th report")
    args = parser.parse_args()
    from sitroom.field.forms import field_forms

    version = field_forms()["sitroom_incident"].version
    url, logins = prepare(OUT, args.devices)
    files_dir = OUT / "files"
    port = free_port()
    env = {
        **os.environ,
        "SITROOM_DATABASE_URL": url,
        "SITROOM_FIELD_DIR": str(files_dir),
        # Loopback without TLS, for the benchmark only; a deployment has a TLS proxy in front.
        "SITROOM_FIELD_OVER_HTTP": "1",
    }
    command = [sys.executable, "-m", "sitroom.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", str(args.workers)], env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    total = args.devices * args.per_device
    photo_bytes = int(args.photo_mb * 1024 * 1024)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        cpu_before = cpu_seconds([server.pid, *children(server.pid)])
        started = time.perf_counter()
        latencies, errors, resent = asyncio.run(
            patrol(base, logins, args.per_device, photo_bytes, version, args.resend_every)
        )
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds([server.pid, *children(server.pid)]) - cpu_before
        resend_failures = asyncio.run(resend(base, resent))
        memory = peak_memory_kib(server.pid)
    finally:
        stop(server)
    engine = make_engine(Settings(database_url=url))
    with Session(engine) as session:
        stored = session.scalar(select(func.count()).select_from(FieldSubmissionRow))
        attachments = session.scalar(select(func.count()).select_from(FieldAttachmentRow))
        incidents = session.scalar(select(func.count()).select_from(IncidentRow))
    engine.dispose()
    on_disk = sum(1 for p in (files_dir / "attachments").rglob("*") if p.is_file())
    print(
        f"{args.devices} phones x {args.per_device} reports, photo {photo_bytes:,} bytes, "
        f"{args.workers} workers, SQLite: {total} POSTs in {elapsed:.1f} s "
        f"({total / elapsed:.1f}/s, {total * photo_bytes / elapsed / 1e6:.0f} MB/s), "
        f"errors {errors}"
    )
    print(
        f"acceptance per report: p50 {percentile(latencies, 50) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 95) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    print(
        f"stored: {stored} submissions, {incidents} incidents, {attachments} attachment rows, "
        f"{on_disk} files on disk; {len(resent)} resent, {resend_failures} resends not "
        "answered 'already'"
    )
    print(
        f"server CPU: {cpu:.1f} s for {total} reports, {cpu / total * 1000:.0f} ms per report "
        f"(HEAD and POST); load average at the end {os.getloadavg()[0]:.1f}"
    )
    peaks = ", ".join(f"{kib / 1024:.0f} MiB" for kib in memory.values())
    print(f"server peak resident memory per process (VmHWM): {peaks}")
    ok = stored == incidents == attachments == on_disk == total and not errors
    print("all stored once" if ok and not resend_failures else "NOT all stored once")


if __name__ == "__main__":
    main()
