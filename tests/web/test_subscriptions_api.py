"""Each person manages their own subscriptions through /api/subscriptions; a subscription to
a place that does not exist for them, a bad address or an unsafe webhook URL is refused with
the field and the reason; every change is audited."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from sitroom.services import audit
from tests.web.conftest import SECRET_SITE, World


def test_a_subscription_is_made_listed_to_its_owner_only_and_removed(world: World) -> None:
    made = world.api("alice").post(
        "/api/subscriptions",
        json={
            "places": ["lt", "LT-BY-1"],
            "measures": ["apprehended"],
            "min_level": "red",
            "channel": "email",
            "target": "duty@example.org",
        },
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["places"], body["min_level"], body["secret"]) == (["LT", "LT-BY-1"], "red", None)
    listed = world.api("alice").get("/api/subscriptions").json()
    assert body["id"] in [s["id"] for s in listed]
    assert body["id"] not in [
        s["id"] for s in world.api("charlie").get("/api/subscriptions").json()
    ]
    assert world.api("charlie").delete(f"/api/subscriptions/{body['id']}").status_code == 404
    assert world.api("alice").delete(f"/api/subscriptions/{body['id']}").status_code == 204
    assert body["id"] not in [s["id"] for s in world.api("alice").get("/api/subscriptions").json()]
    with Session(world.engine) as session:
        trail = audit.list_entries(session, world.users["admin"], limit=20)
    actions = [(e.action, e.actor) for e in trail if e.record_ref == str(body["id"])]
    assert actions[:2] == [("delete", "alice"), ("create", "alice")]


def test_a_webhook_subscription_shows_its_signing_secret_once(world: World) -> None:
    made = world.api("bob").post(
        "/api/subscriptions",
        json={"places": ["LT"], "channel": "webhook", "target": "https://8.8.8.8/hooks/sitroom"},
    )
    assert made.status_code == 201, made.text
    secret = made.json()["secret"]
    assert len(secret) == 64 and int(secret, 16) >= 0
    assert secret not in world.api("bob").get("/api/subscriptions").text


@pytest.mark.parametrize(
    ("who", "body", "field", "words"),
    [
        ("alice", {"places": ["LT-NOWHERE"], "target": "a@example.org"}, "places", "LT-NOWHERE"),
        ("alice", {"places": ["XX"], "target": "a@example.org"}, "places", "XX"),
        # alice's restricted site does not exist for charlie
        ("charlie", {"places": [SECRET_SITE], "target": "c@example.org"}, "places", SECRET_SITE),
        ("alice", {"target": "not an address"}, "target", "email"),
        ("alice", {"target": "a@example.org\r\nBcc: b@example.org"}, "target", "email"),
        ("alice", {"channel": "webhook", "target": "http://8.8.8.8/x"}, "target", "https"),
        ("alice", {"channel": "webhook", "target": "https://10.0.0.7/x"}, "target", "public"),
        ("alice", {"channel": "webhook", "target": "https://169.254.169.254/"}, "target", "public"),
        ("alice", {"channel": "webhook", "target": "https://localhost/x"}, "target", "public"),
    ],
)
def test_a_subscription_that_cannot_be_kept_is_refused_with_its_field(
    world: World, who: str, body: dict[str, object], field: str, words: str
) -> None:
    response = world.api(who).post("/api/subscriptions", json={"channel": "email", **body})
    assert response.status_code == 422, response.text
    assert words in response.json()["fields"][field]


def test_alice_may_subscribe_to_her_organisations_restricted_site(world: World) -> None:
    response = world.api("alice").post(
        "/api/subscriptions",
        json={"places": [SECRET_SITE], "channel": "email", "target": "a@example.org"},
    )
    assert response.status_code == 201, response.text
