"""The live pipeline seen from the web app (SYNTHETIC world of tests/web): a reported figure
marks its series stale, reads never write, and the pages and API say how fresh the series are."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitroom.services import pipeline
from sitroom.store.analysis_tables import SeriesRow
from sitroom.store.pipeline_tables import PipelineRunRow, StaleSeriesRow
from tests.web.conftest import World
from tests.web.test_api import FIGURE


def counts(world: World) -> tuple[int, int, int]:
    with Session(world.engine) as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in (StaleSeriesRow, SeriesRow, PipelineRunRow)
        )


def test_opening_the_situation_report_writes_nothing(world: World) -> None:
    before = counts(world)
    assert before[0] > 0  # figures are waiting for the pipeline
    client, _csrf = world.browser("admin")
    assert client.get("/reports/2021-07-09?countries=LT").status_code == 200
    assert client.get("/reports/2021-07-09/download?format=md").status_code == 200
    assert counts(world) == before


def test_a_figure_reported_through_the_api_marks_its_series_stale(world: World) -> None:
    figure = {**FIGURE, "place": "LT-BY-2", "value": 31}
    assert world.api("alice").post("/api/figures", json=figure).status_code == 201
    with Session(world.engine) as session:
        marked = session.scalars(
            select(StaleSeriesRow.place).where(StaleSeriesRow.place == "LT-BY-2")
        ).all()
    assert marked == ["LT-BY-2"]


def test_the_situation_says_how_fresh_its_series_are_before_and_after_a_run(
    world: World,
) -> None:
    client, _csrf = world.browser("admin")
    page = client.get("/")
    assert "updating:" in page.text and "series pending" in page.text
    pipeline.drain(world.engine)
    page = client.get("/")
    assert "Series and alarms computed " in page.text and "from figures up to" in page.text
    fresh = world.api("admin").get("/api/situation").json()["freshness"]
    assert (fresh["pending"], fresh["failed"]) == (0, 0)
    assert fresh["computed_at"] >= fresh["figures_up_to"]


def test_the_situation_as_of_a_past_day_is_recomputed_for_the_reader(world: World) -> None:
    client, _csrf = world.browser("alice")
    page = client.get("/?as_of=2021-07-02")
    assert page.status_code == 200
    assert "Situation as of 2021-07-02" in page.text
    assert 'data-situation="/api/situation?as_of=2021-07-02"' in page.text
    before = counts(world)
    then = world.api("alice").get("/api/situation?as_of=2021-07-02").json()
    assert then["as_of"] == "2021-07-02" and then["freshness"] is None
    assert counts(world) == before
    assert world.api("alice").get("/api/situation?as_of=2021-02-30").status_code == 422
