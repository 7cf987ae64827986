"""The report for 4 August 2021 on the demo's real data, in all three formats."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from html import unescape

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine
from typer.testing import CliRunner

from sitroom.cli.main import app
from sitroom.report.markdown import render_markdown
from sitroom.report.model import Report
from sitroom.report.render import render_html, render_pdf
from sitroom.report.wording import count

from .conftest import ARTIFACTS


@pytest.fixture(scope="module")
def pdf(demo_report: Report) -> bytes:
    return render_pdf(demo_report)


@pytest.fixture(scope="module")
def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def key_numbers(report: Report) -> Iterator[str]:
    for country in report.countries:
        for key in country.key_figures:
            for number in (key.latest, key.week, key.year):
                if number is not None:
                    yield count(number.value)


def test_the_report_covers_the_three_countries_and_says_what_is_missing(
    demo_report: Report,
) -> None:
    assert [c.name for c in demo_report.countries] == ["Lithuania", "Latvia", "Poland"]
    assert 3 <= len(demo_report.highlights) <= 6
    latvia = demo_report.countries[1]
    assert latvia.missing[0] == "No figures for Latvia cover the 60 days to 4 August 2021."
    assert any("Days until full assume" in m for m in demo_report.countries[0].missing)


def test_each_site_says_how_long_until_full_or_why_that_is_unknown(demo_report: Report) -> None:
    runway = {s.id: s.days_until_full for s in demo_report.countries[0].sites}
    assert runway["LT-PABRADE"] == "occupancy unknown"  # a capacity of 250, no occupancy
    assert runway["LT-RUDNINKAI"] == "capacity unknown"  # 380 present, places never reported
    assert runway["LT-PABRADE-TENTS"] not in ("capacity unknown", "occupancy unknown")


def test_lithuanias_prevented_entries_on_the_day_are_reported_not_derived(
    demo_report: Report,
) -> None:
    lithuania = demo_report.countries[0]
    prevented = next(k for k in lithuania.key_figures if k.measure.value == "prevented_entry")
    assert prevented.latest is not None
    assert (prevented.latest.value, prevented.latest.derived) == (321.0, False)
    assert prevented.year_label == "since 3 August"


def test_every_citation_points_to_a_numbered_source(demo_report: Report) -> None:
    numbers = [s.number for s in demo_report.sources]
    assert numbers == list(range(1, len(numbers) + 1))
    cited = {n for s in demo_report.highlights for n in s.citations}
    cited |= {
        n
        for c in demo_report.countries
        for k in c.key_figures
        for x in (k.latest, k.week, k.year)
        if x is not None
        for n in x.citations
    }
    assert cited and cited <= set(numbers)


def test_the_pdf_text_holds_the_key_figures_and_the_source_numbers(
    demo_report: Report, pdf: bytes, pdf_text: str
) -> None:
    assert pdf.startswith(b"%PDF")
    flat = re.sub(r"\s+", " ", pdf_text)
    for value in key_numbers(demo_report):
        assert value in flat
    for source in demo_report.sources:
        assert f"[{source.number}]" in flat
    assert "Sources" in flat and "page 1 of" in flat


def test_the_first_page_renders_to_an_image_to_look_at(pdf: bytes) -> None:
    tool = shutil.which("pdftoppm")
    if tool is None:
        message = "pdftoppm (poppler-utils) is not installed: scripts/setup --test installs it"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI nothing is skipped
        pytest.skip(message)
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / "report-2021-08-04.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            tool,
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "2",
            str(source),
            str(ARTIFACTS / "report-2021-08-04"),
        ],
        check=True,
    )
    assert sorted(ARTIFACTS.glob("report-2021-08-04-*.png"))


def test_the_html_refers_to_nothing_outside_itself_but_its_sources(demo_report: Report) -> None:
    html = render_html(demo_report)
    links = {s.reference for s in demo_report.sources}
    assert not re.findall(r'\bsrc="', html)
    for href in re.findall(r'\bhref="([^"]*)"', html):
        # An attribute holds '&' as '&amp;' (the assistance sources have query strings).
        assert href.startswith("#") or unescape(href) in links, href
    assert "<style>" in html and "<link" not in html and "@import" not in html


def test_the_markdown_has_the_highlights_and_the_sources(demo_report: Report) -> None:
    text = render_markdown(demo_report)
    for sentence in demo_report.highlights:
        assert sentence.text in text
    assert f"{len(demo_report.sources)}. " in text


def test_the_command_writes_the_report(demo_engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "report.md"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--date",
            "2021-08-04",
            "--countries",
            "LT,LV",
            "--format",
            "md",
            "--out",
            str(target),
        ],
        env={"SITROOM_DATABASE_URL": str(demo_engine.url)},
    )
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# Situation report: Lithuania, Latvia")


def test_the_command_refuses_a_country_that_is_not_a_code(demo_engine: Engine) -> None:
    result = CliRunner().invoke(
        app,
        ["report", "--date", "2021-08-04", "--countries", "Lithuania"],
        env={"SITROOM_DATABASE_URL": str(demo_engine.url)},
    )
    assert result.exit_code == 2


def test_the_assistance_section_shows_the_gaps_of_4_august_with_their_sources(
    demo_report: Report,
) -> None:
    by_country = {a.code: a for a in demo_report.assistance}
    latvia = {(x.request, x.item): x for x in by_country["LV"].lines}
    officers = latvia[("REQ-02", "Border guard or police officer")]
    assert (officers.asked, officers.delivered, officers.uncovered) == (24, 4, 20)
    cited = {demo_report.sources[n - 1].reference for n in officers.citations}
    assert any(url.startswith("https://delfi.lv/193/politics/53353129/") for url in cited)
    lithuania = {(x.request, x.item): x for x in by_country["LT"].lines}
    assert lithuania[("REQ-03", "Thermal-vision unit")].uncovered == 2
    assert "## Assistance" in render_markdown(demo_report)
