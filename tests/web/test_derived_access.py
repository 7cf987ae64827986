"""What analysis derives from figures (series, conflicts, alarms, the situation map) follows
the sharing of those figures: charlie never sees the effect of alice's restricted figures,
alice and her organisation do, coordinators and administrators see everything.

The figures are SYNTHETIC: a quiet shared series on LT-BY-2 (as if published), and alice's
restricted surge on top of it, with one restricted figure that contradicts a shared one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from sitroom.domain.audiences import EVERYTHING, SHARED_ONLY
from sitroom.services import alarms
from tests.web.conftest import World
from tests.web.surge import SECTION, SURGE, SURGE_START, load_restricted_surge


@pytest.fixture(scope="module")
def derived(world: World, tmp_path_factory: pytest.TempPathFactory) -> World:
    return load_restricted_surge(world, tmp_path_factory.mktemp("derived"))


def _get(world: World, who: str, url: str) -> Any:
    response = world.api(who).get(url)
    assert response.status_code in (200, 404), (who, url, response.text)
    return response


def _series_max(world: World, who: str, place: str) -> float | None:
    response = _get(world, who, f"/api/series?measure=apprehended&place={place}")
    if response.status_code == 404:
        return None
    return max(d["estimate"] for d in response.json()["days"])


def _surge_alarms(world: World, who: str) -> list[dict[str, Any]]:
    alarms = _get(world, who, f"/api/alarms?place={SECTION}").json()
    return [a for a in alarms if date.fromisoformat(a["day"]) >= SURGE_START]


@pytest.mark.parametrize("who", ["alice", "bob", "viola", "admin"])
def test_those_who_may_read_the_restricted_figures_see_their_effect(
    derived: World, who: str
) -> None:
    assert (_series_max(derived, who, SECTION) or 0) >= max(SURGE) - 1
    assert _surge_alarms(derived, who)
    conflicts = _get(derived, who, f"/api/conflicts?place={SECTION}").json()
    assert [c["kind"] for c in conflicts].count("same_period") == 1
    assert _series_max(derived, who, "LT-BY-1") == pytest.approx(4242)


def test_charlie_sees_the_series_of_the_shared_figures_only(derived: World) -> None:
    highest = _series_max(derived, "charlie", SECTION)
    assert highest is not None and highest < min(SURGE)
    assert _surge_alarms(derived, "charlie") == []
    assert _get(derived, "charlie", f"/api/conflicts?place={SECTION}").json() == []
    # LT-BY-1 holds nothing but alice's restricted figure: for charlie it does not exist.
    assert _series_max(derived, "charlie", "LT-BY-1") is None


def test_the_series_index_lists_only_series_with_figures_the_reader_may_see(
    derived: World,
) -> None:
    client, _ = derived.browser("charlie")
    assert "place=LT-BY-1" not in client.get("/series").text
    assert f"place={SECTION}" in client.get("/series").text
    client, _ = derived.browser("alice")
    assert "place=LT-BY-1" in client.get("/series").text


def test_the_map_colours_a_section_by_the_alarms_its_reader_may_see(derived: World) -> None:
    def level(who: str) -> str:
        picture = _get(derived, who, "/api/situation").json()
        return str(next(s for s in picture["sections"] if s["id"] == SECTION)["alarm_level"])

    assert level("alice") in ("amber", "red")
    assert level("admin") in ("amber", "red")
    # Charlie's LT-BY-2 holds only the quiet shared days: whatever level it shows cannot come
    # from alice's surge, which none of his latest alarms may be about.
    picture = _get(derived, "charlie", "/api/situation").json()
    days = [date.fromisoformat(a["day"]) for a in picture["alarms"] if a["place"] == SECTION]
    assert all(day < SURGE_START for day in days)


def _surge_alerts(world: World, folder: Path, readers: tuple[str, ...]) -> list[Path]:
    files = alarms.write_cap(
        world.engine, folder, sender="sitroom@example.org", now=datetime.now(UTC), readers=readers
    )
    assert all(f.problems == [] for f in files)
    prefix = f"sitroom-alarm-{SECTION}-"
    return [
        f.path
        for f in files
        if f.path.name.startswith(prefix)
        and datetime.strptime(f.path.name[len(prefix) :][:8], "%Y%m%d").date() >= SURGE_START
    ]


def test_cap_alerts_for_outside_the_organisations_leave_the_restricted_surge_out(
    derived: World, tmp_path: Path
) -> None:
    assert _surge_alerts(derived, tmp_path / "operator", EVERYTHING)
    assert _surge_alerts(derived, tmp_path / "public", SHARED_ONLY) == []
