"""Acknowledging and closing an alarm through the API: a reason is required, who and when are
kept and audited, a viewer may not, and an alarm of another audience does not exist for the
caller. The figures are SYNTHETIC (tests/web/surge.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from sitroom.services import audit
from tests.web.conftest import World
from tests.web.surge import SECTION, SURGE_START, load_restricted_surge


@pytest.fixture(scope="module")
def derived(world: World, tmp_path_factory: pytest.TempPathFactory) -> World:
    return load_restricted_surge(world, tmp_path_factory.mktemp("derived"))


def _surge_alarm(world: World, who: str) -> int:
    found = world.api(who).get(f"/api/alarms?place={SECTION}&start={SURGE_START}").json()
    return int(found[0]["id"])


def test_an_alarm_is_acknowledged_then_closed_with_who_when_and_why(derived: World) -> None:
    alarm_id = _surge_alarm(derived, "bob")
    before = datetime.now(UTC)
    missing = derived.api("bob").post(f"/api/alarms/{alarm_id}/acknowledge", json={"reason": ""})
    assert missing.status_code == 422
    acked = derived.api("bob").post(
        f"/api/alarms/{alarm_id}/acknowledge", json={"reason": "SYNTHETIC: called the post"}
    )
    assert acked.status_code == 200, acked.text
    body = acked.json()
    assert (body["state"], body["acknowledged_by"]) == ("acknowledged", "bob")
    assert datetime.fromisoformat(body["acknowledged_at"]) >= before
    closed = derived.api("alice").post(
        f"/api/alarms/{alarm_id}/close", json={"reason": "SYNTHETIC: back to normal"}
    )
    assert closed.status_code == 200, closed.text
    assert (closed.json()["closed_by"], closed.json()["closed_reason"]) == (
        "alice",
        "SYNTHETIC: back to normal",
    )
    again = derived.api("alice").post(f"/api/alarms/{alarm_id}/close", json={"reason": "x"})
    assert again.status_code == 422
    assert derived.api("bob").get(f"/api/alarms/{alarm_id}").json()["state"] == "closed"
    open_ids = [a["id"] for a in derived.api("bob").get(f"/api/alarms?place={SECTION}").json()]
    assert alarm_id not in open_ids
    with Session(derived.engine) as session:
        trail = audit.list_entries(session, derived.users["admin"], limit=50)
    changes = [(e.action, e.actor) for e in trail if e.record_kind == "alarm"]
    assert ("alarm.close", "alice") in changes and ("alarm.acknowledge", "bob") in changes


def test_a_viewer_reads_alarms_but_may_not_change_them(derived: World) -> None:
    alarm_id = _surge_alarm(derived, "viola")
    answer = derived.api("viola").post(f"/api/alarms/{alarm_id}/acknowledge", json={"reason": "x"})
    assert answer.status_code == 403


def test_an_alarm_charlie_may_not_see_does_not_exist_for_him(derived: World) -> None:
    alarm_id = _surge_alarm(derived, "alice")
    assert derived.api("charlie").get(f"/api/alarms/{alarm_id}").status_code == 404
    answer = derived.api("charlie").post(
        f"/api/alarms/{alarm_id}/acknowledge", json={"reason": "curious"}
    )
    assert answer.status_code == 404
    assert derived.api("alice").get(f"/api/alarms/{alarm_id}").json()["state"] != "acknowledged"


def test_the_alarm_filters_narrow_the_list(derived: World) -> None:
    client = derived.api("admin")
    everything = client.get("/api/alarms?state=new&state=acknowledged&state=closed").json()
    red = client.get("/api/alarms?level=red&state=new&state=acknowledged&state=closed").json()
    in_window = client.get(f"/api/alarms?start={SURGE_START}&end={SURGE_START}").json()
    assert everything and {a["level"] for a in red} <= {"red"}
    assert {a["id"] for a in red} <= {a["id"] for a in everything}
    assert {a["day"] for a in in_window} <= {SURGE_START.isoformat()}
    assert client.get("/api/alarms?place=PL").json() == []
