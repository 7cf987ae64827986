"""The JSON API: filters, pages, exports from the same URLs, one validation path, JSON errors
a person can act on, tokens shown once and revocable, and an audit entry for every write."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitroom.store.account_tables import AuditRow, UserRow
from tests.web.conftest import World

FIGURE = {
    "measure": "apprehended",
    "place": "LT-BY-2",
    "period_start": "2021-08-01",
    "value": 7,
    "source_url": "https://example.org/synthetic-test-data",
    "sharing": "shared",
}


def audit_count(world: World) -> int:
    with Session(world.engine) as session:
        return int(session.scalar(select(func.count()).select_from(AuditRow)) or 0)


def test_a_figure_is_stored_once_with_an_audit_entry_and_read_back_with_its_history(
    world: World,
) -> None:
    bob = world.api("bob")
    before = audit_count(world)
    created = bob.post("/api/figures", json=FIGURE)
    assert created.status_code == 201, created.text
    ref = created.json()["ref"]
    again = bob.post("/api/figures", json=FIGURE)
    assert again.status_code == 200 and again.json() == {"ref": ref, "duplicate": True}
    assert audit_count(world) == before + 1
    correction = bob.post("/api/figures", json={**FIGURE, "value": 8, "corrects": ref})
    assert correction.status_code == 201, correction.text
    read = bob.get(f"/api/figures/{ref}").json()
    assert read["figure"]["entered_by"] == "bob"
    assert read["figure"]["owner"] == "LT border guard"
    assert [f["value"] for f in read["history"]] == ["7", "8"]


def test_a_refused_figure_says_what_to_fix_for_each_field(world: World) -> None:
    response = world.api("alice").post(
        "/api/figures",
        json={**FIGURE, "measure": "arrivals_by_balloon", "period_start": "2021-02-30"},
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body["fields"]) == {"measure", "period_start"}
    assert "arrivals_by_balloon" in body["error"]


def test_an_unknown_place_is_refused_by_the_same_check_as_an_import(world: World) -> None:
    response = world.api("alice").post("/api/figures", json={**FIGURE, "place": "LT-NOWHERE"})
    assert response.status_code == 422
    assert "not a known" in response.json()["fields"]["place"]


def test_bad_query_parameters_are_json_errors_naming_the_parameter(world: World) -> None:
    response = world.api("alice").get("/api/figures?measure=balloons&limit=0")
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"measure", "limit"}


def test_lists_page_with_a_next_link(world: World) -> None:
    alice = world.api("alice")
    first = alice.get("/api/incidents?limit=1").json()
    assert len(first["items"]) == 1 and first["next"]
    second = alice.get(first["next"]).json()
    assert second["items"][0]["ref"] != first["items"][0]["ref"]


def test_filters_narrow_the_list(world: World) -> None:
    items = world.api("alice").get("/api/incidents?section=LT-BY-1&status=reported").json()
    assert items["items"] and {i["section"] for i in items["items"]} == {"LT-BY-1"}
    none = world.api("alice").get("/api/incidents?country=PL").json()
    assert none["items"] == []


def test_every_format_downloads_from_the_same_url(world: World) -> None:
    alice = world.api("alice")
    csv = alice.get("/api/incidents?format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("ref,")
    hxl = alice.get("/api/incidents?format=hxl").text.splitlines()
    assert hxl[1].startswith("#meta+id")
    rows = json.loads(alice.get("/api/incidents?format=json").content)
    assert isinstance(rows, list | dict)
    xlsx = alice.get("/api/figures?format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_an_import_reports_every_row_and_keeps_the_rejected_ones_to_download(
    world: World,
) -> None:
    text = (
        "measure,place,period_start,value,qualifier,source_kind,source_url\n"
        "apprehended,LT,2021-08-02,4,exact,official_feed,https://example.org/a\n"
        "apprehended,LT,2021-08-32,4,exact,official_feed,https://example.org/a\n"
    )
    files = {"file": ("day.csv", io.BytesIO(text.encode()), "text/csv")}
    report = world.api("alice").post("/api/imports", files=files).json()
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert report["rejections"][0]["line"] == 3
    assert report["rejections"][0]["field"] == "period_start"
    rejected = world.api("alice").get(report["rejected_rows"])
    assert "2021-08-32" in rejected.text and "period_start" in rejected.text


def test_a_token_is_shown_once_stored_hashed_and_stops_working_when_revoked(world: World) -> None:
    alice = world.api("alice")
    made = alice.post("/api/tokens", json={"name": "script"}).json()
    secret = made["token"]
    listed = alice.get("/api/tokens").json()
    assert all(secret not in json.dumps(t) for t in listed)
    with Session(world.engine) as session:
        hashes = [u.password_hash for u in session.scalars(select(UserRow))]
    assert all(secret not in h for h in hashes)
    client = world.api("alice")
    client.headers["authorization"] = f"Bearer {secret}"
    assert client.get("/api/me").json()["username"] == "alice"
    assert alice.delete(f"/api/tokens/{made['id']}").status_code == 200
    refused = client.get("/api/me")
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]


def test_without_credentials_the_api_says_how_to_sign_in(world: World) -> None:
    client = world.api("alice")
    del client.headers["authorization"]
    response = client.get("/api/figures")
    assert response.status_code == 401
    assert "Bearer" in response.json()["error"]


def test_a_series_not_computed_yet_says_that_it_is_pending(world: World) -> None:
    response = world.api("alice").get("/api/series?measure=apprehended&place=LT")
    assert response.status_code == 404
    assert "updating: 3 series pending" in response.json()["error"]


def test_changing_an_incident_is_audited_with_before_and_after(world: World) -> None:
    bob = world.api("bob")
    made = bob.post(
        "/api/incidents",
        json={
            "occurred_at": "2021-08-01T03:00+03:00",
            "section": "LT-BY-2",
            "category": "apprehension",
            "persons": 4,
        },
    )
    ref = made.json()["ref"]
    assert bob.post(f"/api/incidents/{ref}/status", json={"status": "verified"}).status_code == 200
    trail = world.api("admin").get("/api/audit").json()
    change = next(e for e in trail if e["record_ref"] == ref and e["action"] == "change")
    assert change["before"] == {"status": "reported"}
    assert change["after"] == {"status": "verified"}
    assert change["actor"] == "bob"


def test_the_openapi_document_and_its_docs_are_served_offline(world: World) -> None:
    client = world.api("alice")
    spec = client.get("/api/openapi.json").json()
    assert "/api/figures" in spec["paths"]
    docs = client.get("/api/docs").text
    assert "/api/figures" in docs and "cdn" not in docs.lower()
    assert "<script" not in docs


def test_a_refused_write_leaves_no_audit_entry(world: World) -> None:
    before = audit_count(world)
    response = world.api("alice").post("/api/figures", json={**FIGURE, "place": "LT-NOWHERE"})
    assert response.status_code == 422
    assert audit_count(world) == before


def test_uploaded_rows_belong_to_the_importers_organisation_from_their_first_moment(
    world: World,
) -> None:
    text = (
        "measure,place,period_start,value,qualifier,source_kind,source_url\n"
        "apprehended,LT-BY-2,2021-09-01,9191,exact,official_feed,https://example.org/a\n"
    )
    files = {"file": ("restricted.csv", text.encode(), "text/csv")}
    report = world.api("alice").post("/api/imports", files=files, data={"sharing": "restricted"})
    assert report.json()["accepted"] == 1
    url = "/api/figures?place=LT-BY-2&start=2021-09-01&end=2021-09-01"
    assert "9191" in world.api("bob").get(url).text
    assert "9191" not in world.api("charlie").get(url).text
    trail = world.api("alice").get("/api/audit").json()
    assert any(e["action"] == "import" and e["after"]["accepted"] == 1 for e in trail)


def test_an_unknown_call_points_at_the_docs(world: World) -> None:
    response = world.api("alice").get("/api/nothing-here")
    assert response.status_code == 404
    assert "/api/docs" in response.json()["error"]


def test_alarms_and_conflicts_filter_by_place(world: World) -> None:
    alice = world.api("alice")
    assert alice.get("/api/alarms?place=XX-NOWHERE").json() == []
    assert alice.get("/api/conflicts?measure=deaths&place=LT").json() == []
