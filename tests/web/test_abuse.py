"""Bad input and abuse: refused or neutralised with a clear message, never a 5xx."""

from __future__ import annotations

import io
import zipfile

from tests.web.conftest import World

HEADER = "measure,place,period_start,value,qualifier,source_kind,source_url\n"


def upload(world: World, name: str, data: bytes, media: str = "text/csv") -> object:
    return world.api("alice").post("/api/imports", files={"file": (name, data, media)})


def test_an_oversized_upload_is_refused_before_it_is_read(world: World) -> None:
    limit = world.app.state.settings.max_upload_bytes
    response = world.api("alice").post(
        "/api/imports", files={"file": ("big.csv", b"x" * (limit + 1), "text/csv")}
    )
    assert response.status_code == 413
    assert "split" in response.json()["error"]


def test_a_wrong_content_type_is_refused(world: World) -> None:
    response = world.api("alice").post(
        "/api/imports", files={"file": ("a.csv", b"<html></html>", "text/html")}
    )
    assert response.status_code == 415
    assert "CSV or XLSX" in response.json()["error"]
    json_body = world.api("alice").post(
        "/api/figures", content=b"measure=x", headers={"content-type": "text/plain"}
    )
    assert json_body.status_code == 422


def test_a_file_named_like_something_else_is_refused(world: World) -> None:
    response = world.api("alice").post(
        "/api/imports", files={"file": ("evil.exe", b"MZ\x90\x00", "application/octet-stream")}
    )
    assert response.status_code == 422
    assert "cannot import .exe" in response.json()["error"]


def test_a_zip_bomb_named_xlsx_is_refused(world: World) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (70 * 1024 * 1024))
    response = upload(world, "bomb.xlsx", buffer.getvalue(), "application/vnd.ms-excel")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "unsafe size" in response.json()["error"]  # type: ignore[attr-defined]


def test_an_xml_entity_bomb_in_a_workbook_is_not_expanded(world: World) -> None:
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{"&lol{};".format(i - 1 if i > 1 else "") * 10}">'
            for i in range(1, 9)
        )
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row><c t="inlineStr"><is><t>&lol8;</t></is></c></row></sheetData></worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", lol)
    response = upload(world, "lol.xlsx", buffer.getvalue(), "application/octet-stream")
    assert response.status_code < 500  # type: ignore[attr-defined]


def test_a_csv_with_a_monstrous_cell_is_rejected_row_by_row(world: World) -> None:
    data = (
        HEADER + "apprehended,LT,2021-08-07,4,exact,official_feed," + "A" * 400_000 + "\n"
    ).encode()
    response = upload(world, "wide.csv", data)
    body = response.json()  # type: ignore[attr-defined]
    assert response.status_code in (200, 422)  # type: ignore[attr-defined]
    assert body["rejected"] == 1 or body["error"]


def test_path_names_in_a_file_name_are_dropped(world: World) -> None:
    data = (HEADER + "apprehended,LT,2021-08-08,4,exact,official_feed,https://e.org\n").encode()
    body = upload(world, "..\\..\\windows\\..\\../../etc/passwd.csv", data).json()  # type: ignore[attr-defined]
    assert body["file"] == "passwd.csv"


def test_script_in_a_text_field_is_stored_as_typed_and_escaped_when_shown(world: World) -> None:
    script = "<script>document.title='owned'</script>"
    made = world.api("alice").post(
        "/api/incidents",
        json={
            "occurred_at": "2021-07-28T02:10+03:00",
            "section": "LT-BY-1",
            "category": "other",
            "persons": 1,
            "description": script,
            "sharing": "shared",
        },
    )
    assert made.status_code == 201
    stored = world.api("alice").get(f"/api/incidents/{made.json()['ref']}").json()
    assert stored["description"] == script
    client, _ = world.browser("charlie")
    html = client.get("/incidents").text
    assert script not in html
    assert "&lt;script&gt;document.title=&#39;owned&#39;&lt;/script&gt;" in html


def test_an_open_redirect_after_login_goes_home_instead(world: World) -> None:
    client, _ = world.browser("alice")
    response = client.get("/login?next=//evil.example/")
    assert response.headers["location"] == "/"


def test_a_nul_character_in_a_parameter_is_refused_beside_the_parameter(world: World) -> None:
    """Found by the OpenAPI run: PostgreSQL refuses NUL in text, which was a 500."""
    response = world.api("alice").get("/api/series?measure=apprehended&place=%00")
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"place"}


def test_a_nul_character_in_the_path_is_refused_before_any_route(world: World) -> None:
    response = world.api("alice").get("/geo/lt%00.geojson")
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]


def test_counts_and_texts_too_big_for_the_store_are_refused_beside_their_field(
    world: World,
) -> None:
    """On PostgreSQL these would not fit the columns: the form path must refuse them as the
    importer does, not fail in the database."""
    alice = world.api("alice")
    incident = {
        "occurred_at": "2021-07-09T02:10+03:00",
        "section": "LT-BY-2",
        "category": "apprehension",
        "persons": 3_000_000_000,
    }
    response = alice.post("/api/incidents", json=incident)
    assert response.status_code == 422, response.text
    assert "persons" in response.json()["fields"]
    long_ref = {**incident, "persons": 3, "external_ref": "x" * 121}
    response = alice.post("/api/incidents", json=long_ref)
    assert response.status_code == 422, response.text
    assert "external_ref" in response.json()["fields"]
