"""Sections and their country (synthetic figures)."""

from __future__ import annotations

from datetime import date

import numpy as np

from sitroom.analysis.reconcile import UNATTRIBUTED, Figure, reconcile_hierarchy
from sitroom.domain.measures import Nature

JUNE = date(2021, 6, 1)
JUNE_END = date(2021, 6, 30)


def test_sections_add_up_to_the_country_on_every_day() -> None:
    country = [
        Figure("c-june", JUNE, JUNE_END, 600),
        Figure("c-15", date(2021, 6, 15), date(2021, 6, 15), 40),
    ]
    sections = {
        "north": [Figure("n-june", JUNE, JUNE_END, 200)],
        "south": [Figure("s-15", date(2021, 6, 15), date(2021, 6, 15), 25)],
    }
    result = reconcile_hierarchy(country, sections, Nature.FLOW, JUNE, JUNE_END)
    summed = result.sections["north"].estimate + result.sections["south"].estimate
    np.testing.assert_allclose(summed, result.country.estimate, atol=1e-6)
    assert abs(result.country.total(JUNE, JUNE_END) - 600) < 1e-3
    assert abs(result.sections["north"].total(JUNE, JUNE_END) - 200) < 1e-3
    day15 = result.country.index_of(date(2021, 6, 15))
    assert abs(result.country.estimate[day15] - 40) < 1e-3
    assert result.country.upper95[day15] - result.country.lower95[day15] < 1e-3


def test_an_unreported_stretch_of_border_gets_the_remainder() -> None:
    country = [Figure("c-june", JUNE, JUNE_END, 600)]
    sections = {"north": [Figure("n-june", JUNE, JUNE_END, 450)]}
    result = reconcile_hierarchy(
        country, sections, Nature.FLOW, JUNE, JUNE_END, sections_complete=False
    )
    assert abs(result.sections[UNATTRIBUTED].total(JUNE, JUNE_END) - 150) < 1e-3


def test_a_section_figure_set_aside_is_shown_on_its_section_too() -> None:
    country = [Figure("c-june", JUNE, JUNE_END, 100)]
    sections = {
        "north": [Figure("n-june", JUNE, JUNE_END, 300)],
        "south": [Figure("s-june", JUNE, JUNE_END, 50)],
    }
    result = reconcile_hierarchy(country, sections, Nature.FLOW, JUNE, JUNE_END)
    assert set(result.country.set_aside_ids) == {"n-june", "s-june"}
    for name, figure_id in (("north", "n-june"), ("south", "s-june")):
        section = result.sections[name]
        assert section.set_aside_ids == (figure_id,)
        assert [c.loser_ids for c in section.conflicts] == [(figure_id,)]
        assert all(c in result.country.conflicts for c in section.conflicts)
    assert abs(result.country.total(JUNE, JUNE_END) - 100) < 1e-3
