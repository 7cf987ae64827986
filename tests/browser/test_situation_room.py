"""The situation room in a real browser, as a duty officer uses it."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Server, log_in, shoot

BAD_ROW_FILE = (
    "measure,place,period_start,value,qualifier,source_kind,source_url\n"
    "apprehended,LT,2021-11-02,5,exact,official_feed,https://example.org/synthetic\n"
    "apprehended,LT,2021-11-31,5,exact,official_feed,https://example.org/synthetic\n"
)


def only_this_server(page: Any, server: Server) -> None:
    outside = [u for u in page.requested if not u.startswith((server.base + "/", "data:"))]
    assert not outside, f"the page asked outside the server: {outside}"


def test_the_map_shows_sections_and_sites_and_a_series_opens(page: Any, server: Server) -> None:
    log_in(page)
    page.wait_for_selector("#map[data-ready=yes]", timeout=15000)
    assert page.locator("path.section").count() >= 5
    assert page.locator("path.site").count() >= 3
    shoot(page, "situation")
    page.click("text=Key figures >> xpath=.. >> table a >> nth=0")
    page.wait_for_selector("figure.chart svg")
    assert page.locator("table.figures tbody tr").count() > 0
    shoot(page, "series")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    page.wait_for_selector("#map[data-ready=yes]", timeout=15000)
    shoot(page, "situation-phone")
    only_this_server(page, server)


def test_an_incident_with_a_wrong_date_is_fixed_and_counted(page: Any, server: Server) -> None:
    log_in(page)
    page.goto("/report")
    page.fill("#incident-occurred_at", "2021-07-32T02:10+03:00")
    page.select_option("#incident-section", "LT-BY-1")
    page.fill("#incident-persons", "23")
    page.fill("#incident-description", "Browser test group")
    page.click("#incident-form button[type=submit]")
    error = page.locator("#incident-occurred_at-error")
    error.wait_for()
    assert "2021-07-32" in error.inner_text()
    assert page.input_value("#incident-persons") == "23"
    shoot(page, "report-error")
    page.fill("#incident-occurred_at", "2021-07-30T02:10+03:00")
    page.click("#incident-form button[type=submit]")
    page.wait_for_url("**/incidents?stored=*")
    row = page.locator("tr.new")
    assert "Browser test group" in row.inner_text() and "23" in row.inner_text()
    shoot(page, "incidents")
    page.goto("/figures?place=LT-BY-1&start=2021-07-30&end=2021-07-30")
    totals = page.locator("#incident-totals").inner_text()
    assert "2021-07-30" in totals and "23" in totals
    shoot(page, "figures")
    only_this_server(page, server)


def test_an_upload_with_a_bad_row_reports_it(page: Any, server: Server) -> None:
    log_in(page)
    page.goto("/import")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "day.csv", "mimeType": "text/csv", "buffer": BAD_ROW_FILE.encode()}],
    )
    page.click("#import-form button[type=submit]")
    report = page.locator("#import-report")
    report.wait_for()
    text = report.inner_text()
    assert "1 accepted" in text and "1 rejected" in text
    rejection = page.locator("#rejections tbody tr").inner_text()
    assert "3" in rejection and "period_start" in rejection
    shoot(page, "import-report")
    only_this_server(page, server)
