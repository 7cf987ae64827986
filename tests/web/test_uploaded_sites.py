"""Sites defined by an upload belong to the uploader's organisation with the upload's sharing,
like the figures and incidents of an upload. SYNTHETIC sites."""

from __future__ import annotations

from pathlib import Path

from sitroom.domain.accounts import Sharing
from sitroom.interchange.records.places import SITE_COLUMNS
from sitroom.services import entries
from tests import factories
from tests.web.conftest import World


def _upload(world: World, folder: Path, site_id: str, sharing: Sharing) -> None:
    site = {
        "id": site_id,
        "name": f"Synthetic {site_id}",
        "country": "LT",
        "kind": "hostel",
        "lon": "25.3",
        "lat": "54.8",
        "operator": "",
    }
    path = factories.write_rows(folder / f"{site_id}.csv", [c.name for c in SITE_COLUMNS], [site])
    report = entries.import_upload(
        world.engine, world.users["alice"], path.name, path.read_bytes(), sharing=sharing
    )
    assert report.committed and report.accepted == 1, report


def _site_ids(world: World, who: str) -> set[str]:
    response = world.api(who).get("/api/sites")
    assert response.status_code == 200, response.text
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return {s["id"] for s in items}


def test_a_restricted_upload_of_sites_is_hidden_from_other_organisations(
    world: World, tmp_path: Path
) -> None:
    _upload(world, tmp_path, "LT-UPLOADED-HIDDEN", Sharing.RESTRICTED)
    _upload(world, tmp_path, "LT-UPLOADED-OPEN", Sharing.SHARED)
    assert {"LT-UPLOADED-HIDDEN", "LT-UPLOADED-OPEN"} <= _site_ids(world, "bob")
    assert {"LT-UPLOADED-HIDDEN", "LT-UPLOADED-OPEN"} <= _site_ids(world, "admin")
    seen_by_charlie = _site_ids(world, "charlie")
    assert "LT-UPLOADED-OPEN" in seen_by_charlie
    assert "LT-UPLOADED-HIDDEN" not in seen_by_charlie


def test_charlie_cannot_report_occupancy_at_the_hidden_site(world: World, tmp_path: Path) -> None:
    _upload(world, tmp_path, "LT-UPLOADED-BYID", Sharing.RESTRICTED)
    body = {"day": "2021-07-09", "occupancy": 10}
    url = "/api/sites/LT-UPLOADED-BYID/occupancy"
    assert world.api("charlie").post(url, json=body).status_code == 404
    assert world.api("alice").post(url, json=body).status_code == 201
