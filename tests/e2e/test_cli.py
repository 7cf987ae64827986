"""The `sitroom` command as scripts use it: real processes, real files, exit codes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sitroom.datasets import belarus_2021
from sitroom.interchange.records.incidents import COLUMNS as INCIDENT_COLUMNS
from sitroom.store.tables import IncidentRow
from tests import factories

SITROOM = [sys.executable, "-m", "sitroom.cli"]


def sitroom(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SITROOM_DATABASE_URL": url, "COLUMNS": "200"}
    return subprocess.run(
        [*SITROOM, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_the_demo_loads_the_2021_data_and_prints_the_first_picture(tmp_path: Path) -> None:
    done = sitroom(
        "demo", "--database", "demo.db", "--no-serve", url="sqlite:///unused.db", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    figures = 111 + len(belarus_2021.reception_rows()[0])
    assert f"figures.csv: read {figures}, accepted {figures}, rejected 0" in done.stdout
    assert "Lithuania" in done.stdout and "Pabradė" in done.stdout
    assert (tmp_path / "demo.db").exists()
    picture, after = done.stdout.split("The situation as of 31 December 2021", 1)[1].split(
        "rows of the bundled data were not loaded:", 1
    )
    assert "2022-" not in picture and "2023-" not in picture  # later totals are not "latest"
    assert "— (not reported for the same day)" in picture  # no site has both on one day
    assert "a group of sites, or a site outside Lithuania (11)" in after


def test_import_exit_codes_tell_scripts_what_happened(database_url: str, tmp_path: Path) -> None:
    good = factories.figures_file(tmp_path / "good.csv", factories.figure_rows(3))
    rows = factories.figure_rows(2)
    rows[1]["measure"] = "arrivals_by_balloon"
    bad = factories.figures_file(tmp_path / "bad.csv", rows)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")

    ok = sitroom("import", str(good), "--json", url=database_url, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["accepted"] == 3

    refused = sitroom("import", str(bad), "--json", url=database_url, cwd=tmp_path)
    assert refused.returncode == 1
    report = json.loads(refused.stdout)
    assert report["committed"] is False
    assert report["rejections"] == [
        {"line": 3, "field": "measure", "reason": report["rejections"][0]["reason"]}
    ]
    assert "arrivals_by_balloon" in report["rejections"][0]["reason"]

    partial = sitroom("import", str(bad), "--partial", url=database_url, cwd=tmp_path)
    assert partial.returncode == 0
    assert "rejected 1" in partial.stdout

    unreadable = sitroom("import", str(empty), url=database_url, cwd=tmp_path)
    assert unreadable.returncode == 2
    assert "empty" in unreadable.stderr


def test_exports_in_every_format(database_url: str, tmp_path: Path) -> None:
    good = factories.figures_file(tmp_path / "good.csv", factories.figure_rows(4))
    assert sitroom("import", str(good), url=database_url, cwd=tmp_path).returncode == 0
    for fmt in ("csv", "hxl", "json", "xlsx"):
        target = tmp_path / f"out.{fmt}"
        done = sitroom(
            "export", "figures", str(target), "--format", fmt, url=database_url, cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
    assert len(json.loads((tmp_path / "out.json").read_text())) == 4
    assert (tmp_path / "out.hxl").read_text().splitlines()[1].startswith("#meta+id,#indicator+name")
    assert (tmp_path / "out.xlsx").read_bytes().startswith(b"PK")


def test_an_import_killed_half_way_leaves_nothing_and_a_rerun_completes(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    assert (
        sitroom(
            "import",
            str(factories.sections_file(tmp_path / "s.csv")),
            url=database_url,
            cwd=tmp_path,
        ).returncode
        == 0
    )
    rows = [factories.incident_row(n) for n in range(60_000)]
    path = factories.write_rows(tmp_path / "i.csv", [c.name for c in INCIDENT_COLUMNS], rows)
    env = {**os.environ, "SITROOM_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [*SITROOM, "import", str(path)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_rows_in_flight(engine, database_url, tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert _incidents(engine) == 0

    again = sitroom("import", str(path), "--json", url=database_url, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["accepted"] == 60_000
    assert _incidents(engine) == 60_000


def _incidents(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(IncidentRow)) or 0)


def _sqlite_writer_busy(path: Path) -> bool:
    if not path.exists():
        return False
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def _wait_for_rows_in_flight(engine: Engine, url: str, folder: Path) -> None:
    """Until the import has written inside its transaction: SQLite refuses a second writer at
    once (no busy timeout here), PostgreSQL shows a backend holding a transaction id."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if url.startswith("sqlite"):
            if _sqlite_writer_busy(Path(url.removeprefix("sqlite:///"))):
                return
        else:
            with engine.connect() as connection:
                busy = connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
                    "AND pid <> pg_backend_pid()"
                ).scalar()
            if busy:
                return
        time.sleep(0.02)
    raise AssertionError(f"the import in {folder} never started writing")
