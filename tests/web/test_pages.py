"""The pages as a person uses them: a mistake is shown beside its field with everything else
kept; a stored incident shows in the table and in what incidents add up to; text is escaped."""

from __future__ import annotations

import re

from tests.web.conftest import World

INCIDENT_FORM = {
    "occurred_at": "2021-07-35T02:10+03:00",
    "section": "LT-BY-2",
    "category": "apprehension",
    "persons": "6",
    "minors": "2",
    "nationalities": "IQ:4;SY:2",
    "description": "Group found near the river <script>alert('x')</script>",
    "sharing": "shared",
}


def test_a_wrong_date_is_shown_beside_its_field_and_the_rest_is_kept(world: World) -> None:
    client, csrf = world.browser("alice")
    response = client.post("/report/incident", data={**INCIDENT_FORM, "csrf_token": csrf})
    assert response.status_code == 422
    html = response.text
    field = re.search(r'<div class="field invalid">.*?</div>', html, re.S)
    assert field and 'name="occurred_at"' in field.group(0)
    assert "2021-07-35T02:10+03:00" in field.group(0)
    assert 'class="field-error"' in field.group(0)
    assert 'value="IQ:4;SY:2"' in html and 'value="6"' in html
    assert '<option value="LT-BY-2" selected>' in html


def test_a_fixed_incident_shows_in_the_table_and_in_the_figures(world: World) -> None:
    client, csrf = world.browser("alice")
    form = {**INCIDENT_FORM, "occurred_at": "2021-07-25T02:10+03:00", "csrf_token": csrf}
    stored = client.post("/report/incident", data=form)
    assert stored.status_code == 303
    listing = client.get(stored.headers["location"]).text
    assert "Stored incident" in listing and 'class="new"' in listing
    # Script in a text field is stored as typed and shown as text, never run.
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in listing
    assert "<script>alert" not in listing
    figures = client.get("/figures?place=LT-BY-2&start=2021-07-25&end=2021-07-25").text
    totals = figures.split('id="incident-totals"')[1]
    assert "2021-07-25" in totals and "LT-BY-2" in totals and ">6<" in totals


def test_an_occupancy_mistake_is_named_by_the_forms_own_field(world: World) -> None:
    client, csrf = world.browser("alice")
    form = {"site": "LT-OPENCAMP", "day": "yesterday", "occupancy": "12", "csrf_token": csrf}
    response = client.post("/report/occupancy", data=form)
    assert response.status_code == 422
    assert 'id="occupancy-day-error"' in response.text
    ok = client.post("/report/occupancy", data={**form, "day": "2021-07-20"})
    assert ok.status_code == 303
    assert "Open camp" in client.get("/sites").text


def test_the_import_page_reports_each_rejected_row_with_a_link_to_fix_them(world: World) -> None:
    client, csrf = world.browser("alice")
    text = (
        "measure,place,period_start,value,qualifier,source_kind,source_url\n"
        "apprehended,LT,2021-08-05,4,exact,official_feed,https://example.org/a\n"
        "apprehended,LT,2021-08-06,-4,exact,official_feed,https://example.org/a\n"
    )
    response = client.post(
        "/import",
        data={"csrf_token": csrf, "sharing": "restricted"},
        files={"file": ("../../etc/day.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text[:400]
    report = response.text.split('id="import-report"')[1]
    assert "<h2>day.csv</h2>" in report
    assert 'class="accepted">1<' in report and 'class="rejected">1<' in report
    link = re.search(r'href="(/api/imports/\d+/rejected)"', report)
    assert link
    assert "-4" in client.get(link.group(1)).text


def test_the_series_page_draws_the_chart_and_lists_figures_with_their_sources(
    world: World,
) -> None:
    from sitroom.services.series import refresh_series

    refresh_series(world.engine)
    client, _ = world.browser("alice")
    html = client.get("/series?measure=apprehended&place=LT-BY-1").text
    assert "<svg" in html
    assert "alice" in html  # who entered each figure


def test_pages_fit_a_phone(world: World) -> None:
    client, _ = world.browser("alice")
    html = client.get("/").text
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    css = client.get("/static/sitroom.css").text
    assert "@media (max-width: 760px)" in css


def test_no_page_refers_to_another_origin(world: World) -> None:
    client, _ = world.browser("admin")
    for page in ("/", "/series", "/figures", "/incidents", "/sites", "/report", "/import"):
        html = client.get(page).text
        # What the browser loads by itself; a source's link is only followed when clicked.
        refs = re.findall(r'src="([^"]+)"', html) + re.findall(r'<link[^>]*href="([^"]+)"', html)
        outside = [r for r in refs if re.match(r"^(https?:)?//", r)]
        assert not outside, (page, outside)
    assert "default-src 'self'" in client.get("/").headers["content-security-policy"]
