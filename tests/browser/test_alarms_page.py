"""The alarm workflow in a real browser: a duty officer filters the alarms, acknowledges one
with a reason, closes it, and finds it again among the closed ones with who, when and why;
the map says where a section's colour comes from."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Server, log_in, shoot

FILTERED = re.compile(r"/alarms\?.*place=LT", re.IGNORECASE)


def test_an_alarm_is_filtered_acknowledged_and_closed_with_reasons(
    page: Any, server: Server
) -> None:
    log_in(page)
    page.click("nav >> text=Alarms")
    page.wait_for_selector("#alarms tbody tr[data-state]")
    assert page.locator("#alarms tbody tr[data-state]").count() >= 2
    page.select_option("select[name=level]", "red")
    page.fill("input[name=place]", "lt")
    page.click("#alarm-filters button[type=submit]")
    page.wait_for_url(FILTERED)
    rows = page.locator("#alarms tbody tr[data-state]")
    places = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())]
    assert places and all(p == "LT" or p.startswith("LT-") for p in places)
    first = rows.first
    row_id = first.get_attribute("id")
    first.locator("input[name=reason]").first.fill("Checked with the duty officer in Vilnius")
    first.locator("button", has_text="Acknowledge").click()
    page.wait_for_url(FILTERED)
    row = page.locator(f"#{row_id}")
    assert row.get_attribute("data-state") == "acknowledged"
    assert "acknowledged by alice at" in row.inner_text()
    assert "Checked with the duty officer in Vilnius" in row.inner_text()
    shoot(page, "alarms-acknowledged")
    row.locator("input[name=reason]").fill("Surge over; numbers back to baseline")
    row.locator("button", has_text="Close").click()
    page.wait_for_url(FILTERED)
    assert page.locator(f"#{row_id}").count() == 0  # the list shows open alarms
    page.select_option("select[name=state]", "closed")
    page.click("#alarm-filters button[type=submit]")
    closed = page.locator(f"#{row_id}")
    closed.wait_for()
    assert "closed by alice at" in closed.inner_text()
    assert "Surge over" in closed.inner_text()
    shoot(page, "alarms-closed")


def test_closing_an_alarm_without_a_reason_is_refused(page: Any, server: Server) -> None:
    log_in(page)
    page.goto("/alarms")
    row = page.locator("#alarms tbody tr[data-state=new]").first
    row_id = row.get_attribute("id")
    # The browser asks for the reason itself; a hand-made request must be refused too.
    alarm = (row_id or "").removeprefix("alarm-")
    csrf = page.locator("input[name=csrf_token]").first.input_value()
    answer = page.request.post(
        f"/alarms/{alarm}/close", form={"csrf_token": csrf, "reason": " "}, max_redirects=0
    )
    assert answer.status == 303 and "error=" in answer.headers["location"]
    page.goto("/alarms")
    assert page.locator(f"#{row_id}").get_attribute("data-state") == "new"


def test_the_map_says_which_sections_take_their_countrys_level(page: Any, server: Server) -> None:
    log_in(page)
    page.wait_for_selector("#map[data-ready=yes]", timeout=15000)
    # The 2021 data has figures per country only: every section shows its country's level.
    assert page.locator("path.section.from-country").count() >= 5
    assert page.locator("path.section.from-section").count() == 0
    assert "no series of its own" in page.locator("#sections").inner_text()
    assert "dashed" in page.locator("#legend").inner_text()
    shoot(page, "situation-legend")


def test_a_subscription_is_refused_beside_its_field_then_made_and_removed(
    page: Any, server: Server
) -> None:
    log_in(page)
    page.click("nav >> text=Subscriptions")
    page.fill("input[name=places]", "LT, LT-NOWHERE")
    page.fill("input[name=target]", "duty@example.org")
    page.click("form.entry button[type=submit]")
    error = page.locator("#places-error")
    error.wait_for()
    assert "LT-NOWHERE" in error.inner_text()
    assert page.input_value("input[name=target]") == "duty@example.org"
    page.fill("input[name=places]", "LT, LT-BY-2")
    page.select_option("select[name=channel]", "webhook")
    page.fill("input[name=target]", "https://8.8.8.8/hooks/sitroom")
    page.click("form.entry button[type=submit]")
    secret = page.locator("#secret")
    secret.wait_for()
    assert len(secret.inner_text()) == 64
    row = page.locator("#subscriptions tbody tr", has_text="https://8.8.8.8/hooks/sitroom")
    assert "LT, LT-BY-2" in row.inner_text()
    shoot(page, "subscriptions")
    row.locator("button", has_text="Unsubscribe").click()
    page.wait_for_url("**/subscriptions")
    assert page.locator("#subscriptions", has_text="8.8.8.8").count() == 0
