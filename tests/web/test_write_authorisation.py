"""Every write path — the API, the forms, the API upload and the Import page — checks what a
record refers to as its writer may see it (services.write_gate), and a record the writer may
not see is answered exactly as one that does not exist: a correction of a hidden figure, a
figure at a hidden site, a duplicate of a hidden figure or incident, a site id held by a
hidden site. alice and bob (LT border guard) may use alice's restricted records, charlie (PL
border guard) may not, cora (coordinator) and the admin may. SYNTHETIC records."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitroom.domain.accounts import Sharing
from sitroom.interchange.records.schema import RecordKind
from sitroom.services import entries, ingest_columns, series
from sitroom.services.write_gate import (
    id_taken,
    no_correctable_figure,
    unknown_place,
    unknown_section,
)
from sitroom.store.analysis_tables import ConflictRow
from tests.web.conftest import SECRET_SITE, SECRET_SITE_NAME, World
from tests.web.writing import (
    IMPORT_PATHS,
    RECORD_PATHS,
    STORED_ONE,
    WRITERS,
    Outcome,
    csv_bytes,
    figure_row,
    incident,
    number,
    write,
)

MAY_USE_ALICES = {"alice", "bob", "cora", "admin"}
UNKNOWN_REF = "F00000000000000000000"
UNKNOWN_SITE = "LT-NOSUCHCAMP"


@pytest.mark.parametrize("who", WRITERS)
@pytest.mark.parametrize("path", RECORD_PATHS)
def test_only_writers_who_may_see_and_change_alices_restricted_figure_can_correct_it(
    world: World, path: str, who: str
) -> None:
    ref = world.refs["figure"]
    outcome = write(world, who, path, RecordKind.FIGURES, [figure_row(corrects=ref)])
    if who in MAY_USE_ALICES:
        assert outcome == STORED_ONE
        return
    assert outcome == Outcome(0, 0, (("corrects", no_correctable_figure(ref)),))
    unknown = write(world, who, path, RecordKind.FIGURES, [figure_row(corrects=UNKNOWN_REF)])
    assert outcome.without(ref) == unknown.without(UNKNOWN_REF)


@pytest.mark.parametrize("who", WRITERS)
@pytest.mark.parametrize("path", RECORD_PATHS)
def test_a_figure_at_alices_restricted_site_is_refused_as_at_a_site_that_does_not_exist(
    world: World, path: str, who: str
) -> None:
    row = figure_row(measure="occupancy", place=SECRET_SITE)
    outcome = write(world, who, path, RecordKind.FIGURES, [row])
    if who in MAY_USE_ALICES:
        assert outcome == STORED_ONE
        return
    assert outcome == Outcome(0, 0, (("place", unknown_place(SECRET_SITE)),))
    row = figure_row(measure="occupancy", place=UNKNOWN_SITE)
    unknown = write(world, who, path, RecordKind.FIGURES, [row])
    assert outcome.without(SECRET_SITE) == unknown.without(UNKNOWN_SITE)


@pytest.mark.parametrize("site", [SECRET_SITE, UNKNOWN_SITE])
def test_occupancy_at_a_hidden_site_is_answered_as_at_no_site_through_the_api_and_the_form(
    world: World, site: str
) -> None:
    response = world.api("charlie").post(
        f"/api/sites/{site}/occupancy", json={"day": "2021-07-09", "occupancy": 3}
    )
    assert response.status_code == 404
    said = {"error": f"no reception site {site!r} that you may see", "fields": {}}
    assert response.json() == said
    client, csrf = world.browser("charlie")
    form = {"site": site, "day": "2021-07-09", "occupancy": "3", "csrf_token": csrf}
    page = client.post("/report/occupancy", data=form)
    assert page.status_code == 422
    assert "choose one of the reception sites listed" in page.text


@pytest.mark.parametrize("path", RECORD_PATHS)
def test_charlie_storing_a_copy_of_alices_hidden_figure_is_answered_as_a_new_figure(
    world: World, path: str
) -> None:
    """The value oracle: guessing a restricted value right must look like guessing wrong.
    The ref is made from the content and unique only among records of the same readers, so
    charlie's copy is his own record, which he reads back; alice's stays hers."""
    secret = figure_row(note="alice-note-behind-the-oracle")
    kept = entries.report_record(
        world.engine, world.users["alice"], RecordKind.FIGURES, secret, sharing=Sharing.RESTRICTED
    )
    assert kept.ref and not kept.duplicate
    guess = {k: v for k, v in secret.items() if k != "note"}
    assert write(world, "charlie", path, RecordKind.FIGURES, [guess]) == STORED_ONE
    assert write(world, "charlie", path, RecordKind.FIGURES, [figure_row()]) == STORED_ONE
    mine = world.api("charlie").get(f"/api/figures/{kept.ref}").json()["figure"]
    assert mine["owner"] == "PL border guard"
    assert "alice-note-behind-the-oracle" not in str(mine)
    if path != "form":  # a form answers a duplicate as it answers a new record
        again = write(world, "alice", path, RecordKind.FIGURES, [secret])
        assert again == Outcome(0, 1, ())


@pytest.mark.parametrize("path", RECORD_PATHS)
def test_charlie_reporting_alices_hidden_incident_by_its_reference_is_answered_as_new(
    world: World, path: str
) -> None:
    reference = f"SYN-AUTH-{number()}"
    kept = entries.report_record(
        world.engine,
        world.users["alice"],
        RecordKind.INCIDENTS,
        incident(external_ref=reference, description="alice-incident-behind-the-oracle"),
        sharing=Sharing.RESTRICTED,
    )
    assert kept.ref and not kept.duplicate
    same_reference = incident(external_ref=reference)
    assert write(world, "charlie", path, RecordKind.INCIDENTS, [same_reference]) == STORED_ONE
    fresh = incident(external_ref=f"SYN-AUTH-{number()}")
    assert write(world, "charlie", path, RecordKind.INCIDENTS, [fresh]) == STORED_ONE
    mine = world.api("charlie").get(f"/api/incidents/{kept.ref}").json()
    assert "alice-incident-behind-the-oracle" not in str(mine)


@pytest.mark.parametrize("path", RECORD_PATHS)
def test_an_incident_on_a_section_nobody_defined_is_refused_alike_on_every_path(
    world: World, path: str
) -> None:
    row = incident(section="LT-BY-99")
    outcome = write(world, "charlie", path, RecordKind.INCIDENTS, [row])
    assert outcome == Outcome(0, 0, (("section", unknown_section("LT-BY-99")),))


def test_the_incidents_uploads_above_take_the_column_import() -> None:
    """So the incident cases cover both importers: an upload like theirs qualifies."""
    data = csv_bytes(RecordKind.INCIDENTS, [incident(), incident()])
    header = data.split(b"\n", 1)[0].decode().split(",")
    assert ingest_columns.qualifies(RecordKind.INCIDENTS, "csv", header, io.BytesIO(data))


def _site(site_id: str, name: str, lon: str = "25.2", lat: str = "54.7") -> dict[str, str]:
    return {"id": site_id, "name": name, "country": "LT", "kind": "tent_camp", "lon": lon,
            "lat": lat, "operator": ""}  # fmt: skip


@pytest.mark.parametrize("path", IMPORT_PATHS)
def test_a_site_id_is_refused_in_the_same_words_whatever_holds_it_and_its_values(
    world: World, path: str
) -> None:
    """Whether alice's hidden site has these values or others, and whether the id is held by
    a hidden site or by a visible one with other values, charlie reads one sentence; only
    what he may see can be a duplicate."""
    rows = [
        _site(SECRET_SITE, SECRET_SITE_NAME),  # alice's hidden site, its very values
        _site(SECRET_SITE, "A guess"),  # alice's hidden site, other values
        _site("LT-OPENCAMP", "A guess"),  # a shared site, other values
        _site(f"LT-CHARLIE-{number()}", "Charlie's own camp"),
    ]
    outcome = write(world, "charlie", path, RecordKind.SITES, rows)
    assert outcome.stored == 1 and outcome.duplicate == 0
    taken = [("id", id_taken(SECRET_SITE))] * 2 + [("id", id_taken("LT-OPENCAMP"))]
    assert list(outcome.refused) == taken
    assert outcome.without(SECRET_SITE, "LT-OPENCAMP").refused == (("id", id_taken("*")),) * 3
    alice = write(world, "alice", path, RecordKind.SITES, [rows[0]])
    assert alice == Outcome(0, 1, ())


@pytest.mark.parametrize("who", WRITERS)
@pytest.mark.parametrize("path", ["api", "page", *IMPORT_PATHS])
def test_only_coordinators_and_administrators_define_border_sections(
    world: World, path: str, who: str
) -> None:
    section = {"id": f"PL-BY-{number()}", "country": "PL", "neighbour": "BY",
               "name": "Synthetic stretch", "length_km": "12", "line": ""}  # fmt: skip
    may = who in {"cora", "admin"}
    if path in IMPORT_PATHS:
        outcome = write(world, who, path, RecordKind.SECTIONS, [section])
        refusal = ("id", "only administrators and coordinators define border sections")
        assert outcome == (STORED_ONE if may else Outcome(0, 0, (refusal,)))
    elif path == "api":
        response = world.api(who).post("/api/sections", json=section)
        assert response.status_code == (201 if may else 403), response.text
    else:
        client, csrf = world.browser(who)
        response = client.post("/admin/sections", data={**section, "csrf_token": csrf})
        assert response.status_code == (303 if may else 403), response.text[:300]
    listed = {s["id"] for s in world.api("charlie").get("/api/sections").json()["items"]}
    assert (section["id"] in listed) is may


def test_an_administrator_deletes_a_section_nothing_refers_to_and_the_audit_says_so(
    world: World,
) -> None:
    admin = world.api("admin")
    unused = {"id": "LV-BY-7", "country": "LV", "neighbour": "BY", "name": "Unused",
              "length_km": "3"}  # fmt: skip
    assert admin.post("/api/sections", json=unused).status_code == 201
    assert world.api("cora").delete("/api/sections/LV-BY-7").status_code == 403
    assert world.api("charlie").delete("/api/sections/LV-BY-7").status_code == 403
    assert admin.delete("/api/sections/LV-BY-7").status_code == 204
    assert admin.delete("/api/sections/LV-BY-7").status_code == 404
    listed = {s["id"] for s in admin.get("/api/sections").json()["items"]}
    assert "LV-BY-7" not in listed
    trail = admin.get("/api/audit").json()
    items = trail["items"] if isinstance(trail, dict) else trail
    deleted = [e for e in items if e["action"] == "delete" and e["record_ref"] == "LV-BY-7"]
    assert len(deleted) == 1 and deleted[0]["before"]["name"] == "Unused"


def test_a_section_that_records_refer_to_is_kept(world: World) -> None:
    response = world.api("admin").delete("/api/sections/LT-BY-1")
    assert response.status_code == 409
    assert "incidents" in response.json()["error"]
    client, csrf = world.browser("admin")
    page = client.post("/admin/sections/LT-BY-1/delete", data={"csrf_token": csrf})
    assert page.status_code == 409
    listed = {s["id"] for s in world.api("admin").get("/api/sections").json()["items"]}
    assert "LT-BY-1" in listed


def test_an_administrator_deletes_an_unused_section_from_the_administration_page(
    world: World,
) -> None:
    section = {"id": "LV-BY-8", "country": "LV", "neighbour": "BY", "name": "Page stretch",
               "length_km": "4"}  # fmt: skip
    assert world.api("cora").post("/api/sections", json=section).status_code == 201
    client, csrf = world.browser("admin")
    assert "/admin/sections/LV-BY-8/delete" in client.get("/admin").text
    page = client.post("/admin/sections/LV-BY-8/delete", data={"csrf_token": csrf})
    assert page.status_code == 303
    listed = {s["id"] for s in world.api("admin").get("/api/sections").json()["items"]}
    assert "LV-BY-8" not in listed


def test_two_organisations_copies_of_one_figure_count_once_in_the_coordinators_series(
    world: World,
) -> None:
    row = figure_row(place="LV", period_start="2021-06-01")
    for who in ("alice", "charlie"):
        kept = entries.report_record(
            world.engine, world.users[who], RecordKind.FIGURES, row, sharing=Sharing.RESTRICTED
        )
        assert kept.ref and not kept.duplicate
    series.refresh_series(world.engine)
    with Session(world.engine) as session:
        doubled = session.scalars(
            select(ConflictRow.detail).where(ConflictRow.detail.like("%same id%"))
        ).all()
    assert doubled == []
    found = world.api("cora").get("/api/series", params={"measure": "apprehended", "place": "LV"})
    assert found.status_code == 200, found.text
    assert found.json()["conflicts"] == []
    day = next(d for d in found.json()["days"] if d["day"] == "2021-06-01")
    assert day["estimate"] == pytest.approx(float(row["value"]), rel=1e-12)
    assert day["mark"] == "observed"
