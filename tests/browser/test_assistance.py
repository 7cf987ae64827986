"""The assistance pages in a real browser, on the 2021 data: the gap a coordinator looks at
first, the offers and the proposal."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Server, log_in, shoot
from tests.browser.test_situation_room import only_this_server


def test_the_pipeline_on_4_august_2021_shows_the_gaps_first(page: Any, server: Server) -> None:
    log_in(page)
    page.click("nav >> text=Assistance")
    page.fill("input[name=as_of]", "2021-08-04")
    page.click("text=Show")
    gaps = page.locator("#gaps li")
    assert gaps.count() == 3
    text = gaps.all_inner_texts()
    assert any("Thermal-vision unit" in t and "2 units uncovered" in t for t in text), text
    assert any(t.startswith("LV REQ-02: 20 officers uncovered") for t in text), text
    delivered = page.locator("#pipeline tr", has_text="Large tent, 60 persons")
    assert "10" in delivered.inner_text()
    shoot(page, "assistance")
    page.click("text=Offers")
    assert page.locator("#offers tbody tr").count() >= 100
    shoot(page, "assistance-offers")
    page.goto("/assistance/proposal?as_of=2021-08-04")
    assert "Nothing is accepted until a coordinator accepts it" in page.inner_text("#objective")
    shoot(page, "assistance-proposal")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/assistance?as_of=2021-08-04")
    shoot(page, "assistance-phone")
    only_this_server(page, server)
