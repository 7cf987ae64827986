"""Assistance through the API and the pages, as the personas: alice (LT reporter) asks, charlie
(PL reporter) offers, bob (LT analyst) and viola (LT viewer) read, the admin coordinates. The
requests and offers are synthetic test data."""

from __future__ import annotations

from datetime import date

from tests.web.conftest import World

SYNTHETIC = "https://example.org/synthetic-test-data"
TODAY = date.today().isoformat()


def _ask_and_offer(world: World, request: str, quantity: int = 30) -> str:
    alice, charlie = world.api("alice"), world.api("charlie")
    asked = alice.post(
        "/api/requests",
        json={
            "request": request,
            "requested_on": "2021-07-15",
            "country": "LT",
            "item": "bed",
            "quantity": 50,
            "source_url": SYNTHETIC,
        },
    )
    assert asked.status_code == 201, asked.text
    offered = charlie.post(
        "/api/offers",
        json={
            "request": request,
            "provider": "PL",
            "item": "bed",
            "quantity": quantity,
            "recipient": "LT",
            "source_url": SYNTHETIC,
        },
    )
    assert offered.status_code == 201, offered.text
    ref: str = offered.json()["ref"]
    return ref


def test_an_offer_goes_from_offered_to_delivered_and_the_gap_closes_by_what_arrived(
    world: World,
) -> None:
    ref = _ask_and_offer(world, "REQ-W1")
    alice, charlie = world.api("alice"), world.api("charlie")
    assert {o["cells"]["ref"] for o in world.api("bob").get("/api/offers").json()["items"]} >= {ref}
    refused = charlie.post(f"/api/offers/{ref}/status", json={"status": "accepted"})
    assert refused.status_code == 403 and "organisation that asked" in refused.json()["error"]
    assert (
        alice.post(
            f"/api/offers/{ref}/status", json={"status": "accepted", "version": 1}
        ).status_code
        == 200
    )
    stale = alice.post(f"/api/offers/{ref}/status", json={"status": "declined", "version": 1})
    assert stale.status_code == 409 and "reload" in stale.json()["error"]
    assert (
        charlie.post(f"/api/offers/{ref}/status", json={"status": "dispatched"}).status_code == 200
    )
    too_much = alice.post(f"/api/offers/{ref}/status", json={"status": "delivered", "quantity": 40})
    assert too_much.status_code == 422 and "more than the 30" in too_much.json()["error"]
    done = alice.post(f"/api/offers/{ref}/status", json={"status": "delivered", "quantity": 30})
    assert done.json() == {
        "ref": ref,
        "status": "delivered",
        "delivered_quantity": 30.0,
        "version": 4,
    }
    line = next(
        x
        for x in alice.get(f"/api/pipeline?as_of={TODAY}").json()["lines"]
        if x["request"] == "REQ-W1"
    )
    assert (line["asked"], line["delivered"], line["uncovered"]) == (50, 30, 20)
    events = alice.get(f"/api/offers/{ref}").json()["events"]
    assert [(e["actor"], e["to_status"]) for e in events] == [
        ("alice", "accepted"),
        ("charlie", "dispatched"),
        ("alice", "delivered"),
    ]


def test_a_recipient_cannot_edit_the_providers_offer_and_a_viewer_cannot_move_it(
    world: World,
) -> None:
    ref = _ask_and_offer(world, "REQ-W2")
    assert world.api("alice").patch(f"/api/offers/{ref}", json={"quantity": 1}).status_code == 403
    assert (
        world.api("viola")
        .post(f"/api/offers/{ref}/status", json={"status": "accepted"})
        .status_code
        == 403
    )
    edited = world.api("charlie").patch(f"/api/offers/{ref}", json={"quantity": 25, "version": 1})
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stored = world.api("charlie").get(f"/api/offers/{ref}").json()
    assert stored["cells"]["quantity"] == "25" and stored["cells"]["status"] == "offered"


def test_an_offer_of_an_unknown_item_or_an_absurd_quantity_is_refused_with_its_field(
    world: World,
) -> None:
    charlie = world.api("charlie")
    unknown = charlie.post(
        "/api/offers",
        json={"provider": "PL", "item": "moon_base", "recipient": "LT", "source_url": SYNTHETIC},
    )
    assert unknown.status_code == 422 and "item" in unknown.json()["fields"]
    absurd = charlie.post(
        "/api/offers",
        json={
            "provider": "PL",
            "item": "bed",
            "quantity": 1e9,
            "recipient": "LT",
            "source_url": SYNTHETIC,
        },
    )
    assert absurd.status_code == 422 and "not believable" in absurd.json()["fields"]["quantity"]
    negative = charlie.post(
        "/api/offers",
        json={
            "provider": "PL",
            "item": "bed",
            "quantity": -4,
            "recipient": "LT",
            "source_url": SYNTHETIC,
        },
    )
    assert negative.status_code == 422


def test_a_coordinator_accepts_part_of_an_unsolicited_offer_from_the_proposal(world: World) -> None:
    _ask_and_offer(world, "REQ-W3", quantity=10)  # leaves 40 uncovered once accepted
    spare = world.api("charlie").post(
        "/api/offers",
        json={
            "provider": "PL",
            "item": "bed",
            "quantity": 100,
            "recipient": "LT",
            "source_url": SYNTHETIC,
        },
    )
    spare_ref = spare.json()["ref"]
    admin = world.api("admin")
    proposal = admin.get(f"/api/allocation?as_of={TODAY}").json()
    assert (
        proposal["gap"] <= 0.01
        and proposal["weighted_shortfall"] <= proposal["first_come_shortfall"]
    )
    move = next(
        m for m in proposal["moves"] if m["offer"] == spare_ref and m["request"] == "REQ-W3"
    )
    assert (
        world.api("charlie").post("/api/allocation/accept", json={"moves": [move]}).status_code
        == 403
    )
    accepted = admin.post("/api/allocation/accept", json={"moves": [move]})
    assert accepted.status_code == 200, accepted.text
    (done,) = accepted.json()
    assert done["accepted_as"] == f"{spare_ref}/1" and done["quantity"] == move["quantity"]
    rest = admin.get(f"/api/offers/{spare_ref}").json()["cells"]
    assert float(rest["quantity"]) == 100 - move["quantity"] and rest["status"] == "offered"


def test_the_pages_show_the_pipeline_the_offers_and_take_a_move_by_form(world: World) -> None:
    ref = _ask_and_offer(world, "REQ-W4")
    page, csrf = world.browser("alice")
    pipeline = page.get(f"/assistance?as_of={TODAY}")
    assert pipeline.status_code == 200 and "REQ-W4" in pipeline.text
    offers = page.get("/assistance/offers")
    assert ref in offers.text and 'name="version"' in offers.text
    moved = page.post(
        f"/assistance/offers/{ref}/move",
        data={"csrf_token": csrf, "status": "accepted", "version": "1"},
    )
    assert moved.status_code == 303 and "stored=" in moved.headers["location"]
    again = page.post(
        f"/assistance/offers/{ref}/move",
        data={"csrf_token": csrf, "status": "accepted", "version": "1"},
    )
    assert "refused=" in again.headers["location"]
    assert page.get("/assistance/proposal").status_code == 200
    form = page.post(
        "/assistance/requests",
        data={
            "csrf_token": csrf,
            "request": "REQ-W5",
            "requested_on": "2021-07-20",
            "country": "LT",
            "item": "blanket",
            "quantity": "-1",
            "sharing": "shared",
        },
    )
    assert form.status_code == 422 and "quantity" in form.text


def test_charlie_cannot_learn_of_alices_restricted_site_by_naming_it_as_a_destination(
    world: World,
) -> None:
    from tests.web.conftest import SECRET_SITE

    body = {
        "provider": "PL",
        "item": "bed",
        "quantity": 5,
        "recipient": "LT",
        "destination": SECRET_SITE,
        "source_url": SYNTHETIC,
    }
    refused = world.api("charlie").post("/api/offers", json=body)
    unknown = world.api("charlie").post("/api/offers", json={**body, "destination": "LT-NOWHERE"})
    assert refused.status_code == unknown.status_code == 422
    assert refused.json()["fields"]["destination"].replace(SECRET_SITE, "X") == (
        unknown.json()["fields"]["destination"].replace("LT-NOWHERE", "X")
    )
    assert world.api("alice").post("/api/offers", json=body).status_code == 201
