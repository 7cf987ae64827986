"""The shared charts: self-contained, accessible SVG that survives being put in one page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sitroom.charts import MapSite, map_svg, series_svg
from sitroom.domain.alarms import Alarm, AlarmLevel
from sitroom.domain.measures import Measure, Nature
from sitroom.domain.places import BorderSection
from sitroom.domain.series import SeriesDay, StoredSeries
from tests.factories import figure

START = date(2021, 7, 1)
MOMENT = datetime(2021, 8, 4, tzinfo=UTC)


def series(days: int = 30) -> StoredSeries:
    rows = [
        SeriesDay(
            START + timedelta(n),
            10.0 + n,
            8.0 + n,
            12.0 + n,
            6.0 + n,
            14.0 + n,
            "observed" if n % 3 else "derived",
            (),
        )
        for n in range(days)
    ]
    return StoredSeries(Measure.APPREHENDED, "LT", Nature.FLOW, rows, [], MOMENT, None)


def alarm(day: date) -> Alarm:
    return Alarm(Measure.APPREHENDED, "LT", day, "border", 40.0, 15.0, 30.0, AlarmLevel.RED, MOMENT)


def test_a_series_chart_is_self_contained_svg_with_a_title_for_screen_readers() -> None:
    svg = series_svg(
        series(),
        [
            figure(period_start=START, period_end=START, value=11.0),
            figure(period_start=START, period_end=date(2021, 7, 31), value=600.0),
        ],
        [alarm(date(2021, 7, 20))],
        title="Lithuania: apprehended",
    )
    assert svg.startswith("<svg")
    assert "<!DOCTYPE" not in svg and "<?xml" not in svg
    assert '<title id="' in svg and "Lithuania: apprehended</title>" in svg
    assert 'role="img"' in svg
    assert not re.search(r'(?:href|src)="(?!#)', svg), "nothing outside the SVG is referenced"
    assert "red alarm" in svg and "estimate" in svg


def test_two_charts_on_one_page_share_no_element_ids() -> None:
    first = series_svg(series(), [], [], title="one")
    second = series_svg(series(20), [], [], title="two")
    ids = re.findall(r'\bid="([^"]+)"', first)
    assert ids and not set(ids) & set(re.findall(r'\bid="([^"]+)"', second))


def test_a_series_without_days_or_figures_says_there_is_no_data() -> None:
    svg = series_svg(series(0), [], [], start=START, end=date(2021, 8, 4))
    assert "no data for this period" in svg


def test_the_map_draws_sections_by_alarm_level_and_sites_by_occupancy() -> None:
    line = ((25.0, 54.0), (25.5, 54.5), (26.0, 55.0))
    sections = [
        BorderSection("LT-BY-1", "LT", "BY", "stretch 1", line, 120.0),
        BorderSection("LT-BY-2", "LT", "BY", "stretch 2", ((26.0, 55.0), (26.5, 55.5)), 60.0),
    ]
    sites = [MapSite("Camp", 25.1, 54.4, 420.0, 350.0), MapSite("Centre", 24.4, 55.0, None, 212.0)]
    svg = map_svg(
        sections, sites, levels={"LT-BY-1": AlarmLevel.RED}, countries=["LT"], title="Lithuania"
    )
    assert svg.startswith("<svg") and "Lithuania</title>" in svg
    assert "1 with alarms; 2 reception sites" in svg
    assert "site over capacity" in svg


def test_a_map_of_sections_without_their_lines_frames_the_countries_instead() -> None:
    # Found by tests/integration/test_bounds_property.py: a section imported without a line.
    lineless = BorderSection("LT-BY-1", "LT", "BY", "Synthetic stretch", (), 100.0)
    svg = map_svg([lineless], [], countries=["LT"], title="Lithuania")
    assert svg.startswith("<svg") and "Lithuania" in svg
