"""No write skips the one authorisation path (services.write_gate): every record kind has its
checks, every sink asks the gate before it stores, and every route that writes records makes
a gate for the person asking. A new sink or write route without a case here fails, and the
last two tests show the checks catching a sink and a route that skip the gate. SYNTHETIC
records."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from sitroom.interchange.records.schema import RecordKind
from sitroom.services import entries
from sitroom.services.sinks import SINKS, ChunkOutcome, Parsed, SiteSink
from sitroom.services.write_gate import CHECKS, WriteGate
from tests.web.conftest import World
from tests.web.test_access import routes
from tests.web.writing import csv_bytes, figure_row, incident, number, write

Request = Callable[[World], Any]


def _site() -> dict[str, str]:
    return {"id": f"PL-CAMP-{number()}", "name": "Synthetic camp", "country": "PL",
            "kind": "tent_camp", "lon": "", "lat": "", "operator": ""}  # fmt: skip


def _section() -> dict[str, str]:
    return {"id": f"PL-BY-{number()}", "country": "PL", "neighbour": "BY", "name": "Stretch",
            "length_km": "2", "line": ""}  # fmt: skip


def _request() -> dict[str, str]:
    return {"ref": f"REQ-S{number()}.1", "request": f"REQ-S{number()}",
            "requested_on": "2021-07-15", "country": "PL", "item": "tent_60", "quantity": "12",
            "source_url": "https://example.org/synthetic-test-data"}  # fmt: skip


def _offer() -> dict[str, str]:
    return {"ref": f"OFF-S-{number()}", "provider": "PL", "item": "tent_60", "quantity": "10",
            "recipient": "LT", "source_url": "https://example.org/synthetic-test-data",
            "offered_on": "2021-07-16"}  # fmt: skip


SAMPLES: dict[RecordKind, Callable[[], dict[str, str]]] = {
    RecordKind.FIGURES: figure_row,
    RecordKind.INCIDENTS: incident,
    RecordKind.SITES: _site,
    RecordKind.SECTIONS: _section,
    RecordKind.REQUESTS: _request,
    RecordKind.OFFERS: _offer,
}


def _form(path: str, fields: dict[str, str]) -> Request:
    def send(world: World) -> Any:
        client, csrf = world.browser("charlie")
        return client.post(path, data={**fields, "csrf_token": csrf})

    return send


def _upload(path: str) -> Request:
    def send(world: World) -> Any:
        data = csv_bytes(RecordKind.FIGURES, [figure_row()])
        files = {"file": ("figures.csv", data, "text/csv")}
        if path.startswith("/api"):
            return world.api("charlie").post(path, files=files)
        client, csrf = world.browser("charlie")
        return client.post(path, data={"csrf_token": csrf}, files=files)

    return send


def _api(method: str, path: str, body: dict[str, Any] | None = None) -> Request:
    def send(world: World) -> Any:
        url = path.replace("{ref}", world.refs["shared_incident"])
        return world.api("charlie").request(method, url, json=body)

    return send


# Every route that writes records, with a request charlie makes to it.
RECORD_WRITES: dict[tuple[str, str], Request] = {
    ("POST", "/api/figures"): _api("POST", "/api/figures", figure_row()),
    ("POST", "/api/incidents"): _api("POST", "/api/incidents", incident()),
    ("POST", "/api/incidents/{ref}/status"): _api(
        "POST", "/api/incidents/{ref}/status", {"status": "verified"}
    ),
    ("POST", "/api/sites/{site_id}/occupancy"): _api(
        "POST", "/api/sites/LT-OPENCAMP/occupancy", {"day": "2021-07-09", "occupancy": 4}
    ),
    ("POST", "/api/sections"): _api("POST", "/api/sections", _section()),
    ("DELETE", "/api/sections/{section_id}"): _api("DELETE", "/api/sections/LT-BY-2"),
    ("POST", "/api/imports"): _upload("/api/imports"),
    ("POST", "/report/figure"): _form("/report/figure", figure_row()),
    ("POST", "/report/incident"): _form("/report/incident", incident()),
    ("POST", "/report/occupancy"): _form(
        "/report/occupancy", {"site": "LT-OPENCAMP", "day": "2021-07-09", "occupancy": "4"}
    ),
    ("POST", "/import"): _upload("/import"),
    ("POST", "/admin/sections"): _form("/admin/sections", _section()),
    ("POST", "/admin/sections/{section_id}/delete"): _form("/admin/sections/LT-BY-2/delete", {}),
}

# Every other route that changes something, and why it writes no record.
ACCOUNT_WRITES = {
    ("POST", "/login"): "starts a session",
    ("POST", "/logout"): "ends the caller's own session",
    ("POST", "/api/tokens"): "the caller's own token",
    ("DELETE", "/api/tokens/{token_id}"): "the caller's own token (or any, for admins)",
    ("POST", "/admin/tokens"): "the caller's own token",
    ("POST", "/admin/tokens/{token_id}/revoke"): "the caller's own token",
    ("POST", "/api/organisations"): "accounts, administrators only",
    ("POST", "/api/users"): "accounts, administrators only",
    ("PATCH", "/api/users/{user_id}"): "accounts, administrators only",
    ("POST", "/admin/organisations"): "accounts, administrators only",
    ("POST", "/admin/users"): "accounts, administrators only",
    ("POST", "/admin/users/{user_id}"): "accounts, administrators only",
    ("POST", "/api/me/password"): "the caller's own password",
    ("POST", "/admin/password"): "the caller's own password",
    ("POST", "/api/users/{user_id}/password"): "accounts, administrators only",
    ("POST", "/admin/users/{user_id}/password"): "accounts, administrators only",
    # Assistance lines are posted through entries (and so the gate, as RECORD_WRITES would
    # show for /api/requests and /api/offers); the moves of a stored offer are judged by
    # domain.assistance.may_move_offer on the offer the caller may see (assist_writes).
    ("POST", "/api/requests"): "a request line through entries.report_record and the gate",
    ("POST", "/api/offers"): "an offer through entries.report_record and the gate",
    ("POST", "/assistance/requests"): "a request line through entries.report_record",
    ("POST", "/assistance/offers"): "an offer through entries.report_record",
    ("POST", "/api/offers/{ref}/status"): "an offer's move: domain.assistance.may_move_offer",
    ("PATCH", "/api/offers/{ref}"): "an offer's edit: provider or coordinator only",
    ("POST", "/assistance/offers/{ref}/move"): "an offer's move: may_move_offer",
    ("POST", "/api/offers/{ref}/capacity"): "a site's capacity figure through entries",
    ("POST", "/api/allocation/accept"): "coordinators accept a proposal (assist_plan)",
    ("POST", "/assistance/proposal/accept"): "coordinators accept a proposal (assist_plan)",
    ("POST", "/openrosa/submission"): "a phone's records through entries.report_record and "
    "the gate (tests/web/test_openrosa.py: charlie's phone at alice's restricted site)",
    ("POST", "/phones"): "the caller's own phone credentials",
    ("POST", "/phones/{device_id}/revoke"): "the caller's own phone",
    ("POST", "/api/alarms/{alarm_id}/acknowledge"): "an alarm's state: only alarms of the "
    "caller's audiences are found (services.alarms)",
    ("POST", "/api/alarms/{alarm_id}/close"): "an alarm's state, as above",
    ("POST", "/alarms/{alarm_id}/acknowledge"): "an alarm's state, as above",
    ("POST", "/alarms/{alarm_id}/close"): "an alarm's state, as above",
    ("POST", "/api/subscriptions"): "the caller's own subscription, to places they may see",
    ("DELETE", "/api/subscriptions/{subscription_id}"): "the caller's own subscription",
    ("POST", "/subscriptions"): "the caller's own subscription, to places they may see",
    ("POST", "/subscriptions/{subscription_id}/delete"): "the caller's own subscription",
}


@pytest.fixture
def gates(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, RecordKind | None]]]:
    """Each gate made and each check asked while the test runs: (writer, kind or None)."""
    seen: list[tuple[str, RecordKind | None]] = []
    made, check = WriteGate.__init__, WriteGate.check

    def making(self: WriteGate, session: Any, writer: Any) -> None:
        made(self, session, writer)
        seen.append((writer.name, None))

    def checking(self: WriteGate, kind: RecordKind, block: Sequence[Parsed]) -> Any:
        seen.append((self.writer.name, kind))
        return check(self, kind, block)

    monkeypatch.setattr(WriteGate, "__init__", making)
    monkeypatch.setattr(WriteGate, "check", checking)
    yield seen


def test_every_record_kind_has_a_sink_and_the_gates_checks() -> None:
    assert set(SINKS) == set(CHECKS) == set(RecordKind)


def test_every_route_that_changes_something_is_either_a_record_write_or_an_account_one(
    world: World,
) -> None:
    unsafe = {(m, p) for m, p in routes(world) if m in {"POST", "PUT", "PATCH", "DELETE"}}
    assert not set(RECORD_WRITES) & set(ACCOUNT_WRITES)
    unclassified = unsafe - set(RECORD_WRITES) - set(ACCOUNT_WRITES)
    assert not unclassified, f"say whether these write records: {sorted(unclassified)}"
    gone = (set(RECORD_WRITES) | set(ACCOUNT_WRITES)) - unsafe
    assert not gone, f"no such routes: {sorted(gone)}"


def sink_asks_the_gate(world: World, kind: RecordKind, seen: list[Any]) -> None:
    write(world, "charlie", "api-import", kind, [SAMPLES[kind]()])
    assert ("charlie", kind) in seen, f"the {kind.value} import stored rows without the gate"


@pytest.mark.parametrize("kind", sorted(SINKS))
def test_every_sink_asks_the_gate_as_the_writer_before_storing(
    world: World, kind: RecordKind, gates: list[Any]
) -> None:
    sink_asks_the_gate(world, kind, gates)


def route_makes_a_gate(world: World, key: tuple[str, str], seen: list[Any]) -> None:
    response = RECORD_WRITES[key](world)
    assert response.status_code < 500, (key, response.status_code)
    assert ("charlie", None) in seen, f"{key} wrote without a gate for the person asking"


@pytest.mark.parametrize("key", sorted(RECORD_WRITES))
def test_every_record_write_route_makes_a_gate_for_the_person_asking(
    world: World, key: tuple[str, str], gates: list[Any]
) -> None:
    route_makes_a_gate(world, key, gates)


def test_a_sink_that_skips_the_gate_is_caught(
    world: World, gates: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Careless(SiteSink):
        def take(self, chunk: Sequence[Parsed]) -> ChunkOutcome:
            return ChunkOutcome(len(chunk), 0, [], [p.line for p in chunk])

    monkeypatch.setitem(SINKS, RecordKind.SITES, Careless)
    with pytest.raises(AssertionError, match="without the gate"):
        sink_asks_the_gate(world, RecordKind.SITES, gates)


def test_a_route_that_skips_the_gate_is_caught(
    world: World, gates: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def careless(*_args: Any, **_kwargs: Any) -> entries.EntryResult:
        return entries.EntryResult(ref="F-stored-without-a-gate")

    monkeypatch.setattr(entries, "report_record", careless)
    with pytest.raises(AssertionError, match="without a gate"):
        route_makes_a_gate(world, ("POST", "/api/figures"), gates)
