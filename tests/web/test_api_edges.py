"""The API's edges, each found by the outside fuzzing of issues 21 and 22: values the database
cannot hold, methods a path does not take, a database that is down, and links that must not
come from the caller's Host header. The records are synthetic (tests/web/conftest.py)."""

from __future__ import annotations

import socket
import warnings
from pathlib import Path

import pytest

from sitroom.config import Settings
from sitroom.services.tokens import TOKEN_PREFIX
from sitroom.web.app import create_app
from sitroom.web.deps import SESSION_COOKIE
from sitroom.web.settings import WebSettings, load_web_settings
from tests.web.conftest import FAST_HASHER, World

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@pytest.mark.parametrize(
    "address",
    [
        "/api/audit?offset=6762041743048037105664&limit=19856388213891",
        "/api/audit?limit=-1",
        "/api/audit?offset=-5",
        "/api/figures?offset=9223372036854775808",
        "/api/incidents?limit=0",
        "/api/imports/18446744073709551616/rejected",
        "/api/imports/0/rejected",
    ],
)
def test_integers_out_of_range_are_refused_beside_their_parameter(
    world: World, address: str
) -> None:
    response = world.api("admin").get(address)
    assert response.status_code == 422, (address, response.text)
    body = response.json()
    assert body["fields"] and body["error"].startswith("the request is not valid")


def test_an_id_past_32_bits_in_a_path_is_refused_not_a_server_error(world: World) -> None:
    for method, address in [
        ("PATCH", "/api/users/2147483648"),
        ("DELETE", "/api/tokens/9223372036854775807"),
    ]:
        response = world.api("admin").request(method, address, json={"active": True})
        assert response.status_code == 422, (address, response.text)
        assert set(response.json()["fields"]) == {"user_id" if "users" in address else "token_id"}


@pytest.mark.parametrize("path", ["/api/alarms", "/api/conflicts", "/api/figures"])
@pytest.mark.parametrize("text", ["LT\x00BY", "LT\x01", "tab\there", "del\x7f"])
def test_control_characters_in_a_filter_are_refused_beside_it(
    world: World, path: str, text: str
) -> None:
    response = world.api("bob").get(path, params={"place": text})
    assert response.status_code == 422, response.text
    assert set(response.json()["fields"]) == {"place"}


def test_a_filter_longer_than_any_place_id_is_refused(world: World) -> None:
    response = world.api("bob").get("/api/conflicts", params={"place": "L" * 65})
    assert response.status_code == 422
    assert "place" in response.json()["fields"]


def test_a_day_that_is_not_written_yyyy_mm_dd_is_refused(world: World) -> None:
    """pydantic alone would read 1625097600 as 2021-07-01."""
    response = world.api("bob").get("/api/figures", params={"start": "1625097600"})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"start"}


def test_the_figures_page_reads_an_empty_filter_form_as_no_filter(world: World) -> None:
    client, _ = world.browser("bob")
    empty = "/figures?measure=&country=&place=&start=&end="
    response = client.get(empty)
    assert response.status_code == 200, response.text[:300]
    assert client.get("/figures?place=%01").status_code == 422


def test_every_refusal_under_the_api_has_the_one_error_shape(world: World) -> None:
    alice = world.api("alice")
    answers = [
        alice.get("/api/figures/Fnothing"),  # 404
        alice.get("/api/users"),  # 403
        alice.get("/api/figures?limit=501"),  # 422
        alice.put("/api/figures"),  # 405
        world.api("alice").get("/api/me", headers={"authorization": "Bearer wrong"}),  # 401
    ]
    assert [a.status_code for a in answers] == [404, 403, 422, 405, 401]
    for answer in answers:
        body = answer.json()
        assert set(body) == {"error", "fields"} and body["error"], body


def schema_paths(world: World) -> list[tuple[str, set[str]]]:
    paths = world.app.openapi()["paths"]
    return [(path, {m.upper() for m in methods}) for path, methods in sorted(paths.items())]


def test_a_method_a_path_does_not_take_is_405_with_the_methods_it_does(world: World) -> None:
    admin = world.api("admin")
    checked = 0
    for path, declared in schema_paths(world):
        address = (
            path.replace("{batch_id}", "1").replace("{user_id}", "1").replace("{token_id}", "1")
        )
        address = address.replace("{ref}", "x").replace("{site_id}", "LT-OPENCAMP")
        for method in set(HTTP_METHODS) - declared:
            response = admin.request(method, address)
            assert response.status_code == 405, (method, address, response.status_code)
            allowed = {m.strip() for m in response.headers["allow"].split(",")}
            assert declared <= allowed, (method, address, allowed)
            assert set(response.json()) == {"error", "fields"}
            checked += 1
    assert checked > 50


def test_every_status_an_operation_answers_has_a_documented_body(world: World) -> None:
    """Each documented status names its content: JSON with a schema, or a file type (none
    for 204)."""
    spec = world.app.openapi()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            for status, answer in operation["responses"].items():
                content = answer.get("content", {})
                if status == "204":  # No Content: HTTP forbids a body
                    assert not content, (method, path)
                    continue
                assert content, (method, path, status)
                if status.startswith(("4", "5")):
                    schema = content["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)
    downloads = spec["paths"]["/api/figures"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv"} <= set(downloads)
    assert any("spreadsheetml" in media for media in downloads)


def test_a_next_link_starts_with_the_configured_address_not_the_host_header(
    world: World,
) -> None:
    alice = world.api("alice")
    evil = {"host": "evil.example"}
    relative = alice.get("/api/incidents?limit=1", headers=evil).json()["next"]
    assert relative.startswith("/api/incidents?") and "evil" not in relative
    assert "offset=1" in relative and "limit=1" in relative
    settings = WebSettings(
        database=world.app.state.settings.database, public_url="https://sitroom.example.org"
    )
    app = create_app(settings, hasher=FAST_HASHER)
    with TestClient(app, base_url="https://testserver") as client:
        client.headers["authorization"] = f"Bearer {world.tokens['alice']}"
        link = client.get("/api/incidents?limit=1", headers=evil).json()["next"]
    assert link.startswith("https://sitroom.example.org/api/incidents?"), link


def test_a_public_address_that_is_not_http_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="SITROOM_PUBLIC_URL"):
        load_web_settings({"SITROOM_PUBLIC_URL": "javascript:alert(1)"})
    assert load_web_settings({"SITROOM_PUBLIC_URL": "https://a.example/"}).public_url == (
        "https://a.example"
    )


def closed_port() -> int:
    """A loopback port nobody listens on: a PostgreSQL server that has stopped."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_that_is_down_is_a_503_with_a_message(tmp_path: Path, backend: str) -> None:
    url = (
        f"sqlite:///{tmp_path / 'no-such-folder' / 'sitroom.db'}"
        if backend == "sqlite"
        else f"postgresql+psycopg://sitroom@127.0.0.1:{closed_port()}/sitroom"
    )
    app = create_app(WebSettings(database=Settings(database_url=url)), hasher=FAST_HASHER)
    with TestClient(app, base_url="https://testserver") as client:
        token = f"Bearer {TOKEN_PREFIX}{'x' * 43}"  # well formed: it has to be looked up
        api = client.get("/api/me", headers={"authorization": token})
        client.cookies.set(SESSION_COOKIE, "any-session")
        page = client.get("/figures")
    assert api.status_code == 503 and api.headers["retry-after"].isdigit()
    assert set(api.json()) == {"error", "fields"}
    assert "database cannot be reached" in api.json()["error"]
    assert "127.0.0.1" not in api.text and "no-such-folder" not in api.text
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "database cannot be reached" in page.text


def test_a_boolean_is_not_a_number_and_a_number_is_not_a_boolean(world: World) -> None:
    """Found by bench/fuzz: `"capacity": false` was stored as a capacity of 0."""
    occupancy = {"day": "2021-07-01", "occupancy": 5, "capacity": False}
    refused = world.api("alice").post("/api/sites/LT-OPENCAMP/occupancy", json=occupancy)
    assert refused.status_code == 422 and "capacity" in refused.json()["fields"]
    epoch = world.api("alice").post(
        "/api/sites/LT-OPENCAMP/occupancy", json={**occupancy, "capacity": 9, "day": 0}
    )
    assert epoch.status_code == 422 and "day" in epoch.json()["fields"]
    user = world.users["viola"].id
    blocked = world.api("admin").patch(f"/api/users/{user}", json={"active": 0})
    assert blocked.status_code == 422 and "active" in blocked.json()["fields"]


def test_a_control_character_in_a_reported_note_is_refused_as_a_file_row_would_be(
    world: World,
) -> None:
    figure = {
        "measure": "apprehended",
        "place": "LT",
        "period_start": "2021-07-09",
        "value": 3,
        "note": "bell\x07",
    }
    refused = world.api("alice").post("/api/figures", json=figure)
    assert refused.status_code == 422 and set(refused.json()["fields"]) == {"note"}
    lines = {**figure, "note": "two\nlines\twith a tab", "sharing": "restricted"}
    assert world.api("alice").post("/api/figures", json=lines).status_code == 201
