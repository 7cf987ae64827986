"""A PostgreSQL server of a test's own, for the fault tests that restart it: the suite's shared
server cannot be restarted under the other tests. Needs the server binaries (scripts/test
installs them); as root, the server runs as the postgres user, as scripts/pg does."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def _owner_prefix() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class PrivatePostgres:
    root: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://sitroom@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*_owner_prefix(), str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), *args],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-l", str(self.root / "log"), "-w", "-o", options, "start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")
        self.start()

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")


def start_private_postgres() -> PrivatePostgres:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
    root = Path(tempfile.mkdtemp(prefix="sitroom-fault-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = PrivatePostgres(root, port, found[-1])
    subprocess.run(
        [
            *_owner_prefix(),
            str(server.bin / "initdb"),
            "-D",
            str(root / "data"),
            "-U",
            "sitroom",
            "--auth=trust",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    server.start()
    return server


def remove(server: PrivatePostgres) -> None:
    try:
        server.stop()
    finally:
        shutil.rmtree(server.root, ignore_errors=True)
