"""The incident totals read newest day first and, within a day, in section and measure order;
a short page keeps the newest groups. (The query reads its index backwards for speed and the
page is put back in reading order: this is what that must not change.) SYNTHETIC incidents."""

from __future__ import annotations

from sitroom.domain.accounts import Sharing
from sitroom.interchange.records.schema import RecordKind
from sitroom.services import entries
from tests import factories
from tests.web.conftest import World


def test_totals_come_newest_day_first_then_by_section_and_a_page_keeps_the_newest(
    world: World,
) -> None:
    alice = world.users["alice"]
    n = 500
    for day in ("2021-10-01", "2021-10-02"):
        for section in ("LT-BY-2", "LT-BY-1"):
            for category in ("entry_prevented", "apprehension"):
                n += 1
                row = factories.incident_row(
                    n, occurred_at=f"{day}T03:00:00+03:00", section=section, category=category
                )
                result = entries.report_record(
                    world.engine, alice, RecordKind.INCIDENTS, row, sharing=Sharing.SHARED
                )
                assert result.ok, result.errors
    api = world.api("alice")
    rows = api.get("/api/incidents/totals", params={"start": "2021-10-01"}).json()
    keys = [(r["period_start"], r["place"], r["measure"]) for r in rows]
    assert keys == sorted(keys, key=lambda k: (-int(k[0].replace("-", "")), k[1], k[2]))
    assert [k[0] for k in keys] == ["2021-10-02"] * 4 + ["2021-10-01"] * 4
    assert [k[1] for k in keys[:4]] == ["LT-BY-1"] * 2 + ["LT-BY-2"] * 2
    page = api.get("/figures", params={"start": "2021-10-01"}).text
    totals = page.split('id="incident-totals"')[1]
    assert totals.index("2021-10-02") < totals.index("2021-10-01")
