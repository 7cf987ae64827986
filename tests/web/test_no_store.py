"""Nothing that may hold restricted records is kept by a browser or a proxy: every page, API
answer, download and error says `Cache-Control: no-store`; only public assets may be cached."""

from __future__ import annotations

from tests.web.conftest import World


def test_pages_api_answers_downloads_and_errors_are_never_stored(world: World) -> None:
    browser, _csrf = world.browser("alice")
    api = world.api("alice")
    answers = {
        "page /": browser.get("/"),
        "page /figures": browser.get("/figures"),
        "page /incidents": browser.get("/incidents"),
        "page /admin": browser.get("/admin"),
        "login page": world.api("alice").get("/login"),
        "api list": api.get("/api/figures"),
        "api record": api.get(f"/api/figures/{world.refs['figure']}"),
        "csv export": api.get("/api/incidents?format=csv"),
        "xlsx export": api.get("/api/figures?format=xlsx"),
        "rejected rows": api.get(f"/api/imports/{world.batch}/rejected"),
        "api error": api.get("/api/figures/NOSUCHREF"),
        "signed out": world.api("alice").get("/api/me", headers={"authorization": ""}),
    }
    for what, response in answers.items():
        assert response.status_code < 500, what
        assert response.headers.get("cache-control") == "no-store", what


def test_public_assets_may_be_cached(world: World) -> None:
    response = world.api("alice").get("/static/sitroom.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")
