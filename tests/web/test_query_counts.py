"""Every page runs a fixed number of database queries, whatever the data size: counted with a
`before_cursor_execute` listener, before and after the data grows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

from sitroom.services.detection import run_detection
from sitroom.services.ingest import import_file
from sitroom.services.series import refresh_series
from tests import factories
from tests.web.conftest import World

PAGES = [
    "/",
    "/api/situation",
    "/series",
    "/series?measure=apprehended&place=LT",
    "/figures",
    "/figures?country=LT&measure=apprehended",
    "/incidents",
    "/incidents?section=LT-BY-1",
    "/sites",
    "/report",
    "/import",
    "/admin",
    "/phones",
    "/api/figures?country=LT",
    "/api/incidents?section=LT-BY-1",
    "/api/incidents/totals",
    "/api/sites",
    "/api/sections",
    "/api/alarms",
    "/api/alarms?place=LT&level=red&state=closed",
    "/alarms",
    "/alarms?place=LT&state=any&start=2021-01-01",
    "/subscriptions",
    "/api/subscriptions",
    "/alerts.atom",
    "/api/series?measure=apprehended&place=LT",
]


@contextmanager
def counting(world: World) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    engine = world.app.state.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def queries_per_page(world: World) -> dict[str, int]:
    client, _ = world.browser("admin")
    counts = {}
    for page in PAGES:
        client.get(page)  # warm: the first request may load what later ones reuse
        with counting(world) as seen:
            assert client.get(page).status_code == 200, page
        counts[page] = len(seen)
    return counts


def grow(world: World, folder: Path, start: int) -> None:
    rows = [factories.incident_row(n) for n in range(start, start + 120)]
    path = factories.write_rows(folder / f"incidents-{start}.csv", rows[0].keys(), rows)
    assert import_file(world.engine, path, entered_by="growth").committed
    figures = factories.figure_rows(60, start_value=start)
    assert import_file(
        world.engine,
        factories.figures_file(folder / f"figures-{start}.csv", figures),
        entered_by="growth",
    ).committed
    refresh_series(world.engine)
    run_detection(world.engine)


def test_each_page_runs_the_same_number_of_queries_as_the_data_grows(
    world: World, tmp_path: Path
) -> None:
    grow(world, tmp_path, 100)
    small = queries_per_page(world)
    grow(world, tmp_path, 1000)
    grow(world, tmp_path, 2000)
    large = queries_per_page(world)
    assert large == small
    assert max(small.values()) <= 12, small
