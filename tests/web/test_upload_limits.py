"""Uploads under load: a workbook part that would inflate past its bound is refused before it
is parsed, imports run off the event loop, and concurrent imports queue for the database
instead of failing. Every file here is SYNTHETIC."""

from __future__ import annotations

import asyncio
import io
import random
import threading
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from sitroom.interchange.table import ReadError
from sitroom.interchange.xlsx_format import MAX_SHARED_STRINGS_BYTES, read_xlsx
from sitroom.web.api import writes
from tests import factories
from tests.web.conftest import World
from tests.web.own_loop import run_in_own_loop

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_with_huge_shared_strings() -> bytes:
    """Random twelve-digit strings: they compress about fourfold, so neither the total size
    nor the compression ratio gives the workbook away; only the part's own size does."""
    rnd = random.Random(22)
    block = "".join(f"<si><t>{rnd.randrange(10**12):012d}</t></si>" for _ in range(40_000))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/sharedStrings.xml", "w") as part:
            written = part.write(b"<sst>")
            while written <= MAX_SHARED_STRINGS_BYTES:
                written += part.write(block.encode())
            part.write(b"</sst>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def huge_strings() -> bytes:
    return workbook_with_huge_shared_strings()


def test_a_workbook_whose_shared_strings_would_inflate_too_far_is_refused_unread(
    huge_strings: bytes,
) -> None:
    with zipfile.ZipFile(io.BytesIO(huge_strings)) as archive:
        sizes = {m.filename: (m.file_size, m.compress_size) for m in archive.infolist()}
    size, packed = sizes["xl/sharedStrings.xml"]
    assert size > MAX_SHARED_STRINGS_BYTES and size / packed < 10
    with pytest.raises(ReadError, match=r"part xl/sharedStrings.xml holds \d+ MiB"):
        read_xlsx(io.BytesIO(huge_strings))


def test_the_upload_of_such_a_workbook_is_refused_with_the_part_named(
    world: World, huge_strings: bytes
) -> None:
    response = world.api("alice").post(
        "/api/imports", files={"file": ("strings.xlsx", huge_strings, XLSX)}
    )
    assert response.status_code == 422
    assert "xl/sharedStrings.xml" in response.json()["error"]


def test_an_import_runs_off_the_event_loop_while_other_requests_are_served(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    order: list[str] = []
    real_import = writes.entries.import_upload

    def held_import(*args: object, **kwargs: object) -> object:
        # Blocks until the other request has been answered: on the event loop, it never would.
        order.append("import started")
        answered = release.wait(timeout=20)
        order.append("import went on" if answered else "import timed out")
        return real_import(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writes.entries, "import_upload", held_import)
    data = factories.figures_file(tmp_path / "f.csv", factories.figure_rows(3)).read_bytes()
    headers = {"authorization": f"Bearer {world.tokens['alice']}"}

    async def both() -> tuple[int, int]:
        transport = httpx.ASGITransport(app=world.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="https://testserver", headers=headers
        ) as client:

            async def upload() -> int:
                files = {"file": ("f.csv", data, "text/csv")}
                return (await client.post("/api/imports", files=files)).status_code

            async def read() -> int:
                while not order:
                    await asyncio.sleep(0.01)
                status = (await client.get("/api/me")).status_code
                order.append("read answered")
                release.set()
                return status

            return await asyncio.gather(upload(), read())  # type: ignore[return-value]

    imported, read = run_in_own_loop(both)
    assert (imported, read) == (200, 200)
    assert order == ["import started", "read answered", "import went on"]


def test_eight_concurrent_imports_and_reports_all_succeed(world: World, tmp_path: Path) -> None:
    files = [
        factories.figures_file(
            tmp_path / f"batch{n}.csv", factories.figure_rows(40, start_value=10_000 * (n + 1))
        ).read_bytes()
        for n in range(8)
    ]
    start = threading.Barrier(8)

    def upload(n: int) -> tuple[int, dict[str, object], list[int]]:
        client = TestClient(world.app, base_url="https://testserver")
        client.headers["authorization"] = f"Bearer {world.tokens['alice']}"
        start.wait()
        response = client.post(
            "/api/imports", files={"file": (f"batch{n}.csv", files[n], "text/csv")}
        )
        # A form's write reads before it writes (may this person see the place?): the case
        # in which SQLite's deferred transactions fail at once instead of waiting.
        reports = [
            client.post(
                "/api/figures",
                json={
                    "measure": "apprehended",
                    "place": "LT-BY-2",
                    "period_start": f"2021-09-{k + 1:02d}",
                    "value": str(n * 100 + k),
                },
            ).status_code
            for k in range(3)
        ]
        return response.status_code, response.json(), reports

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(upload, range(8)))
    assert [status for status, _, _ in results] == [200] * 8, results
    assert [body["accepted"] for _, body, _ in results] == [40] * 8
    assert [reports for _, _, reports in results] == [[201, 201, 201]] * 8


def test_on_sqlite_an_import_commits_while_a_long_read_is_still_open(
    world: World, tmp_path: Path
) -> None:
    """The write-ahead log: in SQLite's rollback journal the import's commit would wait for
    the reader (a streaming export, say) and fail after the busy timeout."""
    if world.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's readers never block writers")
    with world.engine.connect() as reader:
        assert reader.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        rows = reader.exec_driver_sql("SELECT ref FROM figures")
        assert rows.fetchone() is not None  # the read is open, mid-way
        data = factories.figures_file(
            tmp_path / "during.csv", factories.figure_rows(5, start_value=777_000)
        ).read_bytes()
        response = world.api("alice").post(
            "/api/imports", files={"file": ("during.csv", data, "text/csv")}
        )
        assert response.status_code == 200 and response.json()["accepted"] == 5
        rows.close()
