"""/alerts.atom: anyone may read the alarms computed from shared figures, each entry a valid
CAP 1.2 alert; alice's restricted surge never appears in it, though its alarms exist.

SYNTHETIC figures: tests/web/surge.py, plus a surge published (shared) for Latvia."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

import numpy as np
import pytest

from sitroom.interchange.cap import validate_cap
from sitroom.services import detection
from sitroom.services.ingest import import_file
from sitroom.services.series import refresh_series
from tests import factories
from tests.web.conftest import SECRETS, World
from tests.web.surge import (
    QUIET_DAYS,
    QUIET_START,
    SECTION,
    SURGE,
    SURGE_START,
    daily_rows,
    load_restricted_surge,
)

ATOM = "{http://www.w3.org/2005/Atom}"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
PUBLISHED = "LV"  # a country: the synthetic world has two sections, both used


@pytest.fixture(scope="module")
def feed_world(world: World, tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("feed")
    load_restricted_surge(world, folder)
    quiet = [int(v) for v in np.random.default_rng(5).poisson(3.0, QUIET_DAYS)]
    rows = daily_rows(quiet + SURGE, QUIET_START, place=PUBLISHED)
    published = factories.figures_file(folder / "published-surge.csv", rows)
    stored = import_file(world.engine, published, entered_by="setup")
    assert stored.committed, stored.rejections[:2]
    refresh_series(world.engine)
    detection.run_detection(world.engine, since=SURGE_START - timedelta(days=30))
    return world


def _entries(world: World) -> list[ET.Element]:
    response = world.api("alice").get("/alerts.atom", headers={"authorization": ""})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    return feed.findall(f"{ATOM}entry")


def _area(entry: ET.Element) -> str:
    alert = entry.find(f"{ATOM}content/{CAP}alert")
    assert alert is not None
    return alert.findtext(f"{CAP}info/{CAP}area/{CAP}areaDesc") or ""


def test_the_feed_is_public_and_each_entry_is_a_valid_cap_alert(feed_world: World) -> None:
    entries = _entries(feed_world)
    assert entries
    for entry in entries:
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "application/cap+xml"
        alert = content.find(f"{CAP}alert")
        assert alert is not None
        assert validate_cap(ET.tostring(alert, xml_declaration=True, encoding="utf-8")) == []


def test_the_feed_carries_the_published_surge_but_never_the_restricted_one(
    feed_world: World,
) -> None:
    admin_sees = feed_world.api("admin").get(f"/api/alarms?place={SECTION}").json()
    assert any(a["day"] >= SURGE_START.isoformat() for a in admin_sees)  # it exists
    text = feed_world.api("charlie").get("/alerts.atom").text
    titles = [e.findtext(f"{ATOM}title") or "" for e in _entries(feed_world)]
    assert any(f"at {PUBLISHED} on" in t for t in titles)
    surge_days = {(SURGE_START + timedelta(days=i)).isoformat() for i in range(len(SURGE))}
    assert not [t for t in titles if f"at {SECTION} on" in t and t[-10:] in surge_days]
    assert not any(secret in text for secret in SECRETS)
