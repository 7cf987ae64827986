"""The situation report in the web app: coordinators and administrators open it and download
it; everyone else is refused, since it is built from restricted figures too."""

from __future__ import annotations

from tests.web.conftest import SECRETS, World


def test_an_admin_opens_the_days_report_with_its_download_links(world: World) -> None:
    client, _csrf = world.browser("admin")
    page = client.get("/reports/2021-07-09?countries=LT")
    assert page.status_code == 200, page.text
    assert "Situation report" in page.text
    assert "/reports/2021-07-09/download?format=pdf&amp;countries=LT" in page.text or (
        "/reports/2021-07-09/download?format=pdf&countries=LT" in page.text
    )
    pdf = client.get("/reports/2021-07-09/download?format=pdf&countries=LT")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].endswith('sitroom-report-2021-07-09.pdf"')


def test_reporters_analysts_and_viewers_are_refused_with_a_reason(world: World) -> None:
    for name in ("alice", "bob", "charlie", "viola"):
        client, _csrf = world.browser(name)
        response = client.get("/reports/2021-07-09")
        assert response.status_code == 403, name
        assert "coordinators and administrators" in response.text
        assert not [s for s in SECRETS if s in response.text]


def test_a_bad_country_list_is_a_clear_error(world: World) -> None:
    client, _csrf = world.browser("admin")
    response = client.get("/reports/2021-07-09?countries=ZZ")
    assert response.status_code in (400, 422)
    assert "ZZ" in response.text
