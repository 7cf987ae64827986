"""One alarm state everywhere: the map (the situation data), the alarms API's states and the
report follow domain.alarm_levels. On the real 2021 data every alarm is on a country's
figures, so every border section shows its country's level, and says so."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sitroom.domain.accounts import Role, User
from sitroom.domain.alarm_levels import LevelSource
from sitroom.domain.alarms import AlarmLevel
from sitroom.domain.audiences import EVERYTHING
from sitroom.report.build import build_report
from sitroom.services import alarms, queries, situation
from tests.report.conftest import REPORT_DAY, WRITTEN

COORDINATOR = User(0, "coordinator", None, Role.COORDINATOR)


def _levels(engine: Engine, on: date | None) -> dict[str, tuple[str | None, str]]:
    with Session(engine) as session:
        found = alarms.section_levels(
            session, queries.list_sections(session), readers=EVERYTHING, on=on
        )
    return {k: (v.level.value if v.level else None, v.source.value) for k, v in found.items()}


def _notes(engine: Engine, on: date, code: str) -> list[str]:
    report = build_report(engine, on, [code], now=WRITTEN)
    return report.countries[0].missing


def test_on_4_august_lithuanias_sections_show_its_red_alarm_in_the_report_and_say_why(
    demo_engine: Engine,
) -> None:
    levels = _levels(demo_engine, REPORT_DAY)
    lithuanian = {k: v for k, v in levels.items() if k.startswith("LT-")}
    assert lithuanian and set(lithuanian.values()) == {("red", "country")}
    # Poland's alarms were raised in September and later: not yet on 4 August.
    assert {v for k, v in levels.items() if k.startswith("PL-")} == {(None, "country")}
    notes = " ".join(_notes(demo_engine, REPORT_DAY, "LT"))
    assert "open red alarm on its country figures" in notes
    assert f"{len(lithuanian)} border sections" in notes
    assert "has an open alarm or figures" not in notes
    report = build_report(demo_engine, REPORT_DAY, ["LT", "LV", "PL"], now=WRITTEN)
    assert f"{len(lithuanian)} with alarms" in report.map_svg


def test_the_map_today_and_the_report_on_the_last_day_agree_section_by_section(
    demo_engine: Engine,
) -> None:
    with Session(demo_engine) as session:
        picture = situation.situation(session, COORDINATOR)
    on_the_map = {s["id"]: (s["alarm_level"], s["alarm_from"]) for s in picture.sections}
    latest = _levels(demo_engine, date(2030, 1, 1))
    assert on_the_map == {k: (v[0] or "none", v[1]) for k, v in latest.items()}
    assert ("red", LevelSource.COUNTRY.value) in on_the_map.values()


def test_closing_a_countrys_alarms_clears_its_sections_on_the_map_and_in_the_report(
    demo_engine: Engine,
) -> None:
    with Session(demo_engine) as session:
        found = alarms.list_alarms(session, readers=EVERYTHING)
    for alarm_id, alarm in found:
        if alarm.place == "LT" and alarm.day <= REPORT_DAY:
            alarms.close(demo_engine, alarm_id, by="duty officer", reason="SYNTHETIC: over")
    levels = _levels(demo_engine, REPORT_DAY)
    assert {v for k, v in levels.items() if k.startswith("LT-")} == {(None, "country")}
    notes = " ".join(_notes(demo_engine, REPORT_DAY, "LT"))
    assert "open red alarm" not in notes
    with Session(demo_engine) as session:
        still_open = alarms.list_alarms(
            session,
            readers=EVERYTHING,
            where=alarms.AlarmFilter(place="LT", level=AlarmLevel.RED, end=REPORT_DAY),
        )
    assert still_open == []
