"""Highlights on synthetic cases: each sentence is grammatical and true, or absent."""

from __future__ import annotations

from datetime import date

from sitroom.domain.alarms import AlarmLevel
from sitroom.domain.measures import Measure, Nature
from sitroom.report import highlights as h
from sitroom.report.model import AlarmLine, Change, KeyFigure, Number, SiteLine
from sitroom.report.wording import counted, percent_change

ON = date(2021, 8, 4)
WEEK = date(2021, 7, 29)


def number(
    value: float,
    *,
    derived: bool = False,
    qualifier: str = "",
    cites: tuple[int, ...] = (1,),
    change: Change | None = None,
) -> Number:
    return Number(value, derived, cites, qualifier, change)


def key(
    measure: Measure = Measure.APPREHENDED,
    *,
    week: Number | None = None,
    year: Number | None = None,
    label: str = "year to date",
) -> KeyFigure:
    return KeyFigure(measure, Nature.FLOW, None, week, year, label)


def facts(**overrides: object) -> h.CountryFacts:
    values: dict[str, object] = {
        "name": "Lithuania",
        "key_figures": [],
        "previous_year": {},
        "sites": [],
        "has_figures": True,
        "has_daily_figures": True,
    }
    values.update(overrides)
    return h.CountryFacts(**values)  # type: ignore[arg-type]


def alarm(
    day: date, level: AlarmLevel = AlarmLevel.RED, measure: Measure = Measure.APPREHENDED
) -> AlarmLine:
    return AlarmLine(day, "LT", measure, level, "new", "border", 160.0, 19.3, "Lithuania", (4,))


def site(name: str, occupancy: float | None, capacity: float | None) -> SiteLine:
    percent = 100 * occupancy / capacity if occupancy is not None and capacity else None
    return SiteLine(
        name,
        name,
        "tent camp",
        number(capacity, cites=(2,)) if capacity is not None else None,
        number(occupancy, cites=(3,)) if occupancy is not None else None,
        percent,
        "capacity unknown",
    )


def test_one_new_alarm_is_told_with_its_level_place_day_and_numbers() -> None:
    sentence = h.new_alarms([alarm(date(2021, 8, 2))], WEEK, ON)
    assert sentence is not None
    assert sentence.text == (
        "A red alarm was raised for persons apprehended in Lithuania on 2 August: "
        "160 against about 19 expected."
    )
    assert sentence.citations == (4,)


def test_an_amber_alarm_takes_an() -> None:
    sentence = h.new_alarms([alarm(date(2021, 8, 2), AlarmLevel.AMBER)], WEEK, ON)
    assert sentence is not None and sentence.text.startswith("An amber alarm")


def test_several_alarms_are_counted_by_level_and_the_latest_named() -> None:
    alarms = [
        alarm(date(2021, 8, 1)),
        alarm(date(2021, 8, 3), AlarmLevel.AMBER),
        alarm(date(2021, 7, 30)),
    ]
    sentence = h.new_alarms(alarms, WEEK, ON)
    assert sentence is not None
    assert sentence.text.startswith(
        "3 alarms were raised from 29 July to 4 August (2 reds and 1 amber)"
    ) or sentence.text.startswith("3 alarms were raised from 29 July to 4 August (2 red")
    assert "the latest for persons apprehended in Lithuania on 3 August" in sentence.text


def test_alarms_before_the_period_raise_no_highlight() -> None:
    assert h.new_alarms([alarm(date(2021, 7, 3))], WEEK, ON) is None


def test_a_site_over_capacity_is_named_with_occupancy_capacity_and_percent() -> None:
    sentence = h.sites_over_capacity(
        facts(sites=[site("Tent camp", 420, 350), site("Centre", 10, 250)])
    )
    assert sentence is not None
    assert sentence.text == (
        "Tent camp in Lithuania is over capacity: 420 persons accommodated for 350 places "
        "(120 % full)."
    )
    assert sentence.citations == (2, 3)


def test_several_sites_over_capacity_name_the_fullest() -> None:
    sentence = h.sites_over_capacity(facts(sites=[site("A", 260, 250), site("B", 90, 40)]))
    assert sentence is not None
    assert sentence.text.startswith(
        "2 reception sites in Lithuania are over capacity; the fullest, B,"
    )


def test_sites_with_room_or_unknown_occupancy_raise_no_highlight() -> None:
    assert h.sites_over_capacity(facts(sites=[site("A", 100, 250), site("B", None, 40)])) is None


def test_the_year_is_set_against_the_whole_previous_year() -> None:
    f = facts(
        key_figures=[key(year=number(4112, cites=(5,)))],
        previous_year={Measure.APPREHENDED: number(81, cites=(6,))},
    )
    sentence = h.year_against_previous(f, ON)
    assert sentence is not None
    assert sentence.text == (
        "Lithuania recorded 4,112 persons apprehended in 2021 up to 4 August, "
        "against 81 in the whole of 2020."
    )
    assert sentence.citations == (5, 6)


def test_a_single_person_and_no_one_last_year_read_right() -> None:
    f = facts(
        key_figures=[key(year=number(1, derived=True))],
        previous_year={Measure.APPREHENDED: number(0)},
    )
    sentence = h.year_against_previous(f, ON)
    assert sentence is not None
    assert "an estimated 1 person apprehended" in sentence.text
    assert "against none in the whole of 2020" in sentence.text


def test_without_last_years_total_the_year_is_not_compared() -> None:
    assert h.year_against_previous(facts(key_figures=[key(year=number(10))]), ON) is None


def test_a_count_since_the_measure_began_is_not_called_the_year() -> None:
    f = facts(
        key_figures=[key(year=number(568), label="since 3 August")],
        previous_year={Measure.APPREHENDED: number(81)},
    )
    assert h.year_against_previous(f, ON) is None


def test_the_week_is_told_with_its_change_and_qualifier() -> None:
    week = number(700, qualifier="about", change=Change(500, percent_change(700, 500)))
    sentence = h.week_change(facts(key_figures=[key(week=week)]), ON)
    assert sentence is not None
    assert sentence.text == (
        "In the 7 days to 4 August, Lithuania recorded about 700 persons apprehended, "
        "up 40 % on the 7 days before."
    )


def test_a_week_spread_from_monthly_totals_is_not_a_highlight() -> None:
    f = facts(key_figures=[key(week=number(70, derived=True))], has_daily_figures=False)
    assert h.week_change(f, ON) is None


def test_a_country_without_figures_is_said_to_have_none() -> None:
    sentence = h.missing_figures(
        facts(name="Latvia", has_figures=False, has_daily_figures=False), ON, 60
    )
    assert sentence is not None
    assert sentence.text == "No figures for Latvia cover the 60 days to 4 August 2021."


def test_a_country_with_only_monthly_figures_is_said_to_have_no_daily_ones() -> None:
    sentence = h.missing_figures(facts(name="Poland", has_daily_figures=False), ON, 60)
    assert sentence is not None
    assert sentence.text.startswith("Poland reported no daily figures in the 60 days to 4 August")


def test_no_more_than_six_highlights_are_chosen() -> None:
    countries = [
        facts(
            name=f"Country {n}",
            key_figures=[key(week=number(10), year=number(100))],
            previous_year={Measure.APPREHENDED: number(5)},
            sites=[site("S", 5, 1)],
        )
        for n in range(4)
    ]
    chosen = h.choose(countries, [alarm(date(2021, 8, 1))], ON, WEEK, 60)
    assert len(chosen) == h.MAX_HIGHLIGHTS
    assert chosen[0].text.startswith("A red alarm")


def test_counts_and_changes_read_right_for_any_value() -> None:
    assert counted(1, Measure.ATTEMPTED_CROSSING) == "1 attempted crossing"
    assert counted(17447, Measure.ATTEMPTED_CROSSING) == "17,447 attempted crossings"
    assert percent_change(0, 0) == "unchanged at none"
    assert percent_change(5, 0) == "up from none"
    assert percent_change(50, 100) == "down 50 %"
    assert percent_change(100.2, 100) == "unchanged"
