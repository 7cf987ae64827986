"""For every endpoint and page: charlie (another state's reporter) never reads or changes
alice's restricted records, and a viewer never writes. A route without a case here fails the
first test, so a new endpoint cannot slip past these checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute

from tests.web.conftest import SECRET_SITE, SECRETS, World

FIGURE = {
    "measure": "apprehended",
    "place": "LT",
    "period_start": "2021-07-09",
    "value": 5,
    "source_url": "https://example.org/synthetic-test-data",
}
INCIDENT = {
    "occurred_at": "2021-07-09T02:10+03:00",
    "section": "LT-BY-2",
    "category": "apprehension",
    "persons": 3,
}
SECTION = {"id": "PL-BY-9", "country": "PL", "neighbour": "BY", "name": "New", "length_km": 5}

# Reads: path parameters point at alice's restricted records wherever a route takes one.
READS = {
    "/api/figures": ["", "?format=csv", "?format=json", "?format=hxl", "?format=xlsx"],
    "/api/figures/{ref}": [""],
    "/api/incidents": ["", "?format=csv", "?format=json"],
    "/api/incidents/totals": [""],
    "/api/incidents/{ref}": [""],
    "/api/sites": ["", "?format=csv"],
    "/api/sections": ["", "?format=csv"],
    "/api/series": ["?measure=apprehended&place=LT-BY-1"],
    "/api/series/failed": [""],
    "/api/conflicts": [""],
    "/api/alarms": [""],
    "/api/situation": [""],
    "/api/imports/{batch_id}/rejected": [""],
    "/api/requests": ["", "?country=LT", "?format=csv", "?format=hxl"],
    "/api/offers": ["", "?status=offered", "?format=csv", "?format=json"],
    "/api/offers/{ref}": [""],
    "/api/pipeline": ["?as_of=2021-07-20"],
    "/api/allocation": ["?as_of=2021-07-20"],
    "/assistance": ["", "?as_of=2021-07-20&country=LT"],
    "/assistance/requests": [""],
    "/assistance/offers": [""],
    "/assistance/proposal": ["?as_of=2021-07-20"],
    "/api/me": [""],
    "/api/organisations": [""],
    "/api/users": [""],
    "/api/tokens": [""],
    "/api/audit": [""],
    "/api/docs": [""],
    "/api/openapi.json": [""],
    "/geo/{name}.geojson": [""],
    "/login": [""],
    "/": [""],
    "/series": [
        "",
        "?measure=apprehended&place=LT-BY-1",
        "?measure=occupancy&place=" + SECRET_SITE,
    ],
    "/figures": ["", "?place=LT-BY-1"],
    "/incidents": ["", "?section=LT-BY-1"],
    "/sites": [""],
    "/report": [""],
    "/import": [""],
    "/admin": [""],
    "/reports/{day}": ["", "?countries=LT"],
    "/reports/{day}/download": ["?format=md", "?format=html&countries=LT"],
    "/alarms": ["", "?place=LT-BY-2"],
    "/api/alarms/{alarm_id}": [""],
    "/subscriptions": [""],
    "/api/subscriptions": [""],
    "/alerts.atom": [""],
    "/phones": [""],
    # Phones sign in with their own Basic credentials: a session or token gets 401 here.
    "/openrosa/formList": [""],
    "/openrosa/forms/{form_id}/form.xml": [""],
    "/openrosa/forms/{form_id}/manifest": [""],
    "/openrosa/forms/{form_id}/media/{name}": [""],
}

# Writes: (what a viewer is refused with, what charlie's attempt on alice's record gets).
# None for charlie: the route only creates new records of charlie's own.
WRITES: dict[tuple[str, str], tuple[int | None, int | None]] = {
    ("POST", "/api/figures"): (403, 422),
    ("POST", "/api/incidents"): (403, None),
    ("POST", "/api/incidents/{ref}/status"): (403, 404),
    ("POST", "/api/sites/{site_id}/occupancy"): (403, 404),
    ("POST", "/api/imports"): (403, None),
    ("POST", "/api/sections"): (403, 403),
    ("DELETE", "/api/sections/{section_id}"): (403, 403),
    ("POST", "/api/requests"): (403, None),
    ("POST", "/api/offers"): (403, None),
    ("POST", "/api/offers/{ref}/status"): (403, 404),
    ("PATCH", "/api/offers/{ref}"): (403, 404),
    ("POST", "/api/offers/{ref}/capacity"): (403, 404),
    ("POST", "/api/allocation/accept"): (403, 403),
    ("POST", "/api/organisations"): (403, 403),
    ("POST", "/api/users"): (403, 403),
    ("PATCH", "/api/users/{user_id}"): (403, 403),
    ("POST", "/api/tokens"): (None, None),  # anyone may make their own token
    ("DELETE", "/api/tokens/{token_id}"): (None, 404),
    ("POST", "/login"): (None, None),
    ("POST", "/logout"): (None, None),
    ("POST", "/report/incident"): (403, None),
    ("POST", "/report/figure"): (403, 422),
    ("POST", "/report/occupancy"): (403, 422),
    ("POST", "/import"): (403, None),
    ("POST", "/assistance/requests"): (None, None),
    ("POST", "/assistance/offers"): (None, None),
    ("POST", "/assistance/offers/{ref}/move"): (None, None),
    ("POST", "/assistance/proposal/accept"): (None, None),
    ("POST", "/admin/organisations"): (403, 403),
    ("POST", "/admin/sections"): (403, 403),
    ("POST", "/admin/sections/{section_id}/delete"): (403, 403),
    ("POST", "/admin/users"): (403, 403),
    ("POST", "/admin/users/{user_id}"): (403, 403),
    ("POST", "/admin/tokens"): (None, None),
    ("POST", "/admin/tokens/{token_id}/revoke"): (None, 404),
    ("POST", "/openrosa/submission"): (401, 401),  # phones' own credentials only
    ("POST", "/phones"): (403, None),  # a phone of one's own, for those who report
    # Alice's phone (number 1 once made) is "not found" for viola and charlie alike; none is
    # made in this world, so both get the page's 404.
    ("POST", "/phones/{device_id}/revoke"): (404, 404),
    ("POST", "/api/me/password"): (None, None),  # one's own password
    ("POST", "/admin/password"): (None, None),
    ("POST", "/api/users/{user_id}/password"): (403, 403),
    ("POST", "/admin/users/{user_id}/password"): (403, 403),
    # The world holds no alarm and no subscription of alice's: charlie's attempts on a number
    # get the answer a hidden one gets (test_derived_access and test_notifications hold real
    # ones).
    ("POST", "/api/alarms/{alarm_id}/acknowledge"): (403, 404),
    ("POST", "/api/alarms/{alarm_id}/close"): (403, 404),
    # The page answers back to the list with the refusal in it (the same words as for none).
    ("POST", "/alarms/{alarm_id}/acknowledge"): (403, 303),
    ("POST", "/alarms/{alarm_id}/close"): (403, 303),
    ("POST", "/api/subscriptions"): (None, None),  # anyone may subscribe to what they see
    ("DELETE", "/api/subscriptions/{subscription_id}"): (None, 404),
    ("POST", "/subscriptions"): (None, None),
    ("POST", "/subscriptions/{subscription_id}/delete"): (None, 404),
}


def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in routes:
        # FastAPI keeps an included router as one entry that holds the router's own routes.
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(inner.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, APIRoute) or getattr(route, "methods", None):
            for method in route.methods:
                if method != "HEAD":
                    yield method, prefix + route.path


def routes(world: World) -> set[tuple[str, str]]:
    """Every route of the app, with its method. Checked against the OpenAPI document, so that
    a change in how FastAPI holds routes cannot leave this list (and the checks built on it)
    quietly empty."""
    found = set(_walk(world.app.routes))
    documented = world.app.openapi()["paths"]
    listed = {(m.upper(), path) for path, ops in documented.items() for m in ops}
    assert listed and listed <= found, sorted(listed - found)
    return found


def test_every_route_has_an_access_case(world: World) -> None:
    covered = {("GET", path) for path in READS} | set(WRITES)
    missing = routes(world) - covered
    assert not missing, f"add access cases for {sorted(missing)}"


def fill(path: str, world: World) -> str:
    ref = world.refs["incident"] if path.startswith("/api/incidents") else world.refs["figure"]
    if path.startswith(("/api/offers", "/assistance/offers")):
        ref = world.refs["offer"]
    return (
        path.replace("{ref}", ref)
        .replace("{batch_id}", str(world.batch))
        .replace("{site_id}", SECRET_SITE)
        .replace("{section_id}", "LT-BY-2")
        .replace("{name}", "countries_10m_LT_LV_PL_EE_BY")
        .replace("{token_id}", str(world.token_ids["alice"]))
        .replace("{user_id}", str(world.users["alice"].id))
        .replace("{day}", "2021-07-09")
        .replace("{alarm_id}", "1")
        .replace("{subscription_id}", "1")
        .replace("{form_id}", "sitroom_incident")
        .replace("{name}", "sites.csv")
        .replace("{device_id}", "1")
    )


def body_text(response: Any) -> str:
    return response.content.decode("utf-8", errors="replace")


@pytest.mark.parametrize("path", sorted(READS))
def test_charlie_reads_nothing_of_alices_restricted_records(world: World, path: str) -> None:
    charlie_api = world.api("charlie")
    charlie_page, _csrf = world.browser("charlie")
    for suffix in READS[path]:
        url = fill(path, world) + suffix
        client = charlie_api if url.startswith("/api") else charlie_page
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        text = body_text(response)
        # What charlie typed may come back to him (a page title, an error); nothing more.
        leaked = [s for s in SECRETS if s in text and s not in url]
        assert not leaked, f"{url} showed charlie {leaked}"


@pytest.mark.parametrize(
    "url",
    [
        "/api/figures",
        "/api/figures?format=csv",
        "/api/incidents?format=json",
        "/api/sites",
        "/figures?place=LT-BY-1",
        "/incidents",
        "/sites",
        "/",
        "/api/requests",
        "/api/requests?format=hxl",
        "/api/offers",
        "/api/offers?format=csv",
        "/assistance/requests",
        "/assistance/offers",
    ],
)
def test_alice_and_bob_see_what_charlie_cannot(world: World, url: str) -> None:
    """The other side of the check above: the markers are there to be found."""
    for name in ("alice", "bob"):
        client = world.api(name) if url.startswith("/api") else world.browser(name)[0]
        text = body_text(client.get(fill(url, world)))
        assert any(s in text for s in SECRETS), (name, url)


def _attempt(world: World, who: str, method: str, path: str) -> Any:
    """One write as `who`, aimed at alice's records where the route names one."""
    url = fill(path, world)
    if path.startswith("/api"):
        client = world.api(who)
        body: dict[str, Any] = {}
        if path == "/api/figures":
            body = {**FIGURE, "corrects": world.refs["figure"]}
        elif path == "/api/incidents":
            body = INCIDENT
        elif path == "/api/offers/{ref}/status":
            body = {"status": "accepted"}
        elif path.endswith("/status"):
            body = {"status": "retracted"}
        elif path.endswith("/capacity"):
            body = {"site": SECRET_SITE, "day": "2021-07-09"}
        elif path.endswith("/occupancy"):
            body = {"day": "2021-07-09", "occupancy": 10}
        elif path == "/api/organisations":
            body = {"name": f"New org by {who}", "kind": "ngo"}
        elif path == "/api/users":
            body = {"username": f"new-{who}", "password": "long enough password"}
        elif path.startswith("/api/users/"):
            body = {"role": "admin"}
        elif path == "/api/sections":
            body = SECTION
        elif path.startswith("/api/alarms/"):
            body = {"reason": f"seen by {who}"}
        if path == "/api/imports":
            files = {"file": ("x.csv", b"measure,place\n", "text/csv")}
            return client.post(url, files=files)
        return client.request(method, url, json=body)
    client, csrf = world.browser(who)
    form = {"csrf_token": csrf}
    if path == "/report/figure":
        form |= {**{k: str(v) for k, v in FIGURE.items()}, "corrects": world.refs["figure"]}
    elif path == "/report/incident":
        form |= {k: str(v) for k, v in INCIDENT.items()}
    elif path == "/report/occupancy":
        form |= {"site": SECRET_SITE, "day": "2021-07-09", "occupancy": "10"}
    elif path == "/admin/organisations":
        form |= {"name": f"Org by {who}", "kind": "ngo"}
    elif path == "/admin/users":
        form |= {"username": f"page-{who}", "password": "long enough password", "role": "admin"}
    elif path.startswith("/admin/users/"):
        form |= {"role": "admin", "password": "a password charlie chose 2021"}
    elif path == "/admin/sections":
        form |= {k: str(v) for k, v in SECTION.items()}
    elif path.startswith("/alarms/"):
        form |= {"reason": f"seen by {who}"}
    if path == "/import":
        return client.post(url, data=form, files={"file": ("x.csv", b"a,b\n", "text/csv")})
    return client.post(url, data=form)


@pytest.mark.parametrize(("method", "path"), sorted(k for k, v in WRITES.items() if v[0]))
def test_a_viewer_cannot_write(world: World, method: str, path: str) -> None:
    refused, _ = WRITES[(method, path)]
    response = _attempt(world, "viola", method, path)
    assert response.status_code == refused, (path, response.status_code, body_text(response)[:300])


@pytest.mark.parametrize(("method", "path"), sorted(k for k, v in WRITES.items() if v[1]))
def test_charlie_cannot_change_alices_records(world: World, method: str, path: str) -> None:
    _refused, charlie_gets = WRITES[(method, path)]
    response = _attempt(world, "charlie", method, path)
    assert response.status_code == charlie_gets, (
        path,
        response.status_code,
        body_text(response)[:300],
    )
    assert not [s for s in SECRETS if s in body_text(response) and s != SECRET_SITE]
    alice = world.api("alice")
    assert alice.get(f"/api/incidents/{world.refs['incident']}").json()["status"] == "reported"
    assert alice.get("/api/me").status_code == 200  # alice's token still works
    assert alice.get("/api/me").json()["role"] == "reporter"


def test_only_the_importers_organisation_downloads_its_rejected_rows(world: World) -> None:
    url = f"/api/imports/{world.batch}/rejected"
    assert world.api("charlie").get(url).status_code == 404
    for name in ("alice", "bob"):
        response = world.api(name).get(url)
        assert response.status_code == 200
        assert "arrivals_by_balloon" in response.text


def test_charlie_cannot_report_figures_at_alices_restricted_site(world: World) -> None:
    body = {**FIGURE, "place": SECRET_SITE, "measure": "occupancy"}
    response = world.api("charlie").post("/api/figures", json=body)
    assert response.status_code == 422
    assert "not a known" in response.json()["fields"]["place"]
    assert world.api("alice").post("/api/figures", json=body).status_code == 201
