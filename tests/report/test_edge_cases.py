"""Reports for thin data: an empty database, a day with no figures, a country with only
monthly totals. Each is produced in every format and says plainly what is missing."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import Engine

from sitroom.domain.measures import Measure, Qualifier
from sitroom.interchange.records.figures import figure_cells
from sitroom.report.build import build_report
from sitroom.report.markdown import render_markdown
from sitroom.report.model import Report
from sitroom.report.render import render_html, render_pdf
from sitroom.services.ingest import import_file
from sitroom.services.series import refresh_series
from tests.factories import figure, figures_file

from .conftest import WRITTEN

ON = date(2021, 8, 4)


def all_formats(report: Report) -> tuple[str, str, str]:
    pdf = PdfReader(io.BytesIO(render_pdf(report)))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    return render_html(report), text, render_markdown(report)


def test_a_report_on_an_empty_database_says_there_is_nothing(engine: Engine) -> None:
    report = build_report(engine, ON, now=WRITTEN)
    html, pdf, markdown = all_formats(report)
    assert report.countries == [] and report.highlights == []
    for text in (html, pdf, markdown):
        assert "Nothing to highlight: no figures cover the period." in text
    assert "No figures were used." in html


def test_a_day_with_no_figures_says_so_for_each_country_asked(engine: Engine) -> None:
    report = build_report(engine, ON, ["LT", "PL"], now=WRITTEN)
    html, pdf, markdown = all_formats(report)
    for name in ("Lithuania", "Poland"):
        sentence = f"No figures for {name} cover the 60 days to 4 August 2021."
        assert sentence in html and sentence in pdf and sentence in markdown
    assert "No reception sites are recorded for Lithuania." in html
    assert "No alarms were raised or open" in pdf


def test_a_country_with_only_monthly_figures_shows_derived_values_and_says_why(
    engine: Engine, tmp_path: Path
) -> None:
    months = [(date(2021, m, 1), date(2021, m + 1, 1).replace(day=1)) for m in (5, 6, 7)]
    rows = [
        figure_cells(
            figure(
                measure=Measure.ATTEMPTED_CROSSING,
                place="PL",
                period_start=start,
                period_end=date.fromordinal(end.toordinal() - 1),
                value=value,
                qualifier=Qualifier.EXACT,
            )
        )
        for (start, end), value in zip(months, (300.0, 900.0, 3100.0), strict=True)
    ]
    import_file(engine, figures_file(tmp_path / "monthly.csv", rows), entered_by="alice")
    refresh_series(engine)
    report = build_report(engine, date(2021, 7, 31), ["PL"], now=WRITTEN)
    html, pdf, markdown = all_formats(report)
    said = "Poland reported no daily figures in the 60 days to 31 July"
    assert said in html and said in pdf and said in markdown
    (key,) = report.countries[0].key_figures
    assert key.latest is not None and key.latest.derived
    assert key.week is not None and key.week.derived
    assert key.year is not None and round(key.year.value) == 4300


def test_a_day_after_the_last_figure_says_no_figure_covers_it(
    engine: Engine, tmp_path: Path
) -> None:
    rows = [
        figure_cells(
            figure(period_start=date(2021, 7, d), period_end=date(2021, 7, d), value=float(d))
        )
        for d in range(1, 11)
    ]
    import_file(engine, figures_file(tmp_path / "daily.csv", rows), entered_by="alice")
    refresh_series(engine)
    report = build_report(engine, ON, ["LT"], now=WRITTEN)
    html, _, _ = all_formats(report)
    assert "Apprehended: no figure covers 4 August 2021." in html


def test_markup_typed_into_a_source_field_is_shown_as_text_in_the_markdown(
    engine: Engine, tmp_path: Path
) -> None:
    hostile = '<script>alert("x")</script> [click](javascript:alert(1))'
    rows = [
        {
            **figure_cells(figure(period_start=ON, period_end=ON, value=12.0)),
            "source_organisation": hostile,
        }
    ]
    import_file(engine, figures_file(tmp_path / "hostile.csv", rows), entered_by="SYNTHETIC")
    refresh_series(engine)
    markdown = render_markdown(build_report(engine, ON, ["LT"], now=WRITTEN))
    assert "<script>" not in markdown
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown)  # no live link
    assert "&lt;script&gt;" in markdown
    assert "\\[click\\](javascript:alert(1))" in markdown
