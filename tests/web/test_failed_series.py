"""A series that cannot be computed says so in the API and on its page, and the others are
served as usual (SYNTHETIC figures; a world of its own, since one of its rows is spoilt)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from sitroom.services.ingest import import_file
from sitroom.services.series import refresh_series
from sitroom.store.tables import FigureRow
from tests import factories
from tests.web.conftest import World


def spoilt_pl_series(world: World, folder: Path) -> None:
    rows = factories.figure_rows(1)
    rows[0]["place"] = "PL"
    assert import_file(
        world.engine, factories.figures_file(folder / "pl.csv", rows), entered_by="t"
    ).committed
    with world.engine.begin() as connection:
        # As an older sitroom let it through: no import can store it now.
        connection.execute(
            update(FigureRow).where(FigureRow.place == "PL").values(source_published="2021-02-30")
        )
    refresh_series(world.engine)


def test_a_series_that_could_not_be_computed_says_why_in_the_api_and_on_its_page(
    world: World, tmp_path: Path
) -> None:
    spoilt_pl_series(world, tmp_path)
    api = world.api("alice")

    failed = api.get("/api/series/failed").json()
    one = api.get("/api/series?measure=apprehended&place=PL").json()
    other = api.get("/api/series?measure=apprehended&place=LT-BY-1").json()
    client, _ = world.browser("alice")
    page = client.get("/series?measure=apprehended&place=PL").text

    assert [(f["measure"], f["place"]) for f in failed] == [("apprehended", "PL")]
    assert "2021-02-30 is not a date (February 2021 has 28 days)" in failed[0]["failure"]
    assert one["failure"] == failed[0]["failure"] and one["days"] == []
    assert other["failure"] is None and other["days"]
    assert "This series could not be computed" in page and "February 2021 has 28 days" in page
    for address in ("/", "/series"):
        assert client.get(address).status_code == 200, address
    assert api.get("/api/situation").status_code == 200
    admin, _ = world.browser("admin")
    report = admin.get("/reports/2021-07-02")
    assert report.status_code == 200 and "could not be computed" in report.text
