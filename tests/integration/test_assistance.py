"""Assistance on a real database (SQLite and PostgreSQL): the 2021 data through the importer,
status moves with partial deliveries, refusals that store nothing, concurrent acceptance, and
the explicit capacity raise. Users and offers other than the 2021 data are synthetic."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sitroom.domain.accounts import Role, Sharing, User
from sitroom.domain.assistance import OfferStatus, TransitionRefused
from sitroom.domain.errors import InvalidValue
from sitroom.domain.places import Organisation, OrganisationKind
from sitroom.interchange.records.schema import RecordKind
from sitroom.services import accounts, assist_capacity, assist_reads, assist_writes
from sitroom.services.accounts import NotAllowed
from sitroom.services.assist_writes import Conflict
from sitroom.services.ingest import import_file
from sitroom.services.setup import load_belarus_2021
from sitroom.store.account_tables import AuditRow
from sitroom.store.assistance_tables import OfferEventRow, OfferRow
from sitroom.store.tables import FigureRow

OPERATOR = User(0, "operator", None, Role.COORDINATOR)
SYNTHETIC = "https://example.org/synthetic-test-data"


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    load = load_belarus_2021(engine)
    assert all(r.committed and not r.rejected for r in load.reports), load.reports
    return engine


def test_the_2021_pipeline_on_4_august_shows_what_was_delivered_and_what_is_uncovered(
    loaded: Engine,
) -> None:
    with Session(loaded) as session:
        view = assist_reads.pipeline_view(session, OPERATOR, date(2021, 8, 4))
    lines = {(x.request, x.item.key): x for x in view.pipeline.lines}
    rbi = {k[1]: lines[k] for k in lines if k[0] == "REQ-03"}
    assert (rbi["border_guard"].asked, rbi["border_guard"].delivered) == (60, 100)
    assert rbi["questioning_team"].uncovered == 4 and rbi["thermal_camera"].uncovered == 2
    assert (rbi["patrol_vehicle"].delivered, rbi["helicopter"].delivered) == (30, 2)
    latvia = lines[("REQ-02", "border_guard")]
    assert (latvia.asked, latvia.delivered, latvia.uncovered) == (24, 4, 20)
    tents = lines[("REQ-05", "tent_60")]
    assert tents.delivered == 10 and tents.places(tents.delivered) == 600
    assert lines[("REQ-05", "blanket")].delivered == 3500
    assert "OFF-FX-04" in view.pipeline.skipped_superseded


def test_importing_the_same_offers_again_adds_nothing(loaded: Engine, tmp_path: Path) -> None:
    from sitroom.datasets import assistance_2021

    files, _ = assistance_2021.write_import_files(tmp_path)
    for path in files:
        report = import_file(loaded, path, entered_by="again")
        assert report.accepted == 0 and report.duplicate == report.read and not report.rejected


def test_an_offer_file_with_one_bad_row_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "offers.csv"
    path.write_text(
        "ref,provider,item,quantity,recipient,source_url\n"
        f"OFF-A,PL,bed,10,LT,{SYNTHETIC}\n"
        f"OFF-B,PL,unicorn,10,LT,{SYNTHETIC}\n"
        f"OFF-C,PL,bed,-3,LT,{SYNTHETIC}\n"
        f"OFF-D,PL,bed,5,LT,{SYNTHETIC}\n",
        encoding="utf-8",
    )
    report = import_file(engine, path, entered_by="test")
    assert report.kind == "offers" and not report.committed
    assert [(r.line, r.field) for r in report.rejections] == [(3, "item"), (4, "quantity")]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(OfferRow)) == 0


def test_an_offer_for_a_request_that_does_not_exist_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "offers.csv"
    path.write_text(
        f"ref,request,provider,item,quantity,recipient,source_url\nOFF-A,REQ-99,PL,bed,1,LT,{SYNTHETIC}\n",
        encoding="utf-8",
    )
    report = import_file(engine, path, entered_by="test", kind=RecordKind.OFFERS)
    assert [(r.field, r.reason) for r in report.rejections] == [
        ("request", "no request 'REQ-99' is stored")
    ]


def _people(engine: Engine) -> dict[str, User]:
    lt = accounts.create_organisation(
        engine, Organisation("LT interior ministry", OrganisationKind.MINISTRY, "LT"), actor=None
    )
    pl = accounts.create_organisation(
        engine, Organisation("PL strategic reserves", OrganisationKind.MINISTRY, "PL"), actor=None
    )
    made = {}
    for name, role, org in (
        ("alice", Role.REPORTER, lt.id),
        ("charlie", Role.REPORTER, pl.id),
        ("dora", Role.COORDINATOR, None),
        ("erik", Role.COORDINATOR, None),
    ):
        made[name] = accounts.create_user(
            engine, name, "long enough password", organisation_id=org, role=role, actor=None
        )
    return made


@pytest.fixture
def people(engine: Engine) -> dict[str, User]:
    return _people(engine)


def _request_and_offer(engine: Engine, people: dict[str, User], quantity: str = "100") -> str:
    asked = assist_writes.post_request(
        engine,
        people["alice"],
        {
            "request": "REQ-70",
            "requested_on": "2021-07-15",
            "country": "LT",
            "item": "bed",
            "quantity": "300",
            "source_url": SYNTHETIC,
        },
    )
    assert asked.ok, asked.errors
    offered = assist_writes.post_offer(
        engine,
        people["charlie"],
        {
            "request": "REQ-70",
            "provider": "PL",
            "item": "bed",
            "quantity": quantity,
            "recipient": "LT",
            "source_url": SYNTHETIC,
            "status": "delivered",
        },
    )
    assert offered.ok and offered.ref, offered.errors
    return offered.ref


def test_an_offer_moves_step_by_step_with_partial_deliveries_each_audited(
    engine: Engine, people: dict[str, User]
) -> None:
    ref = _request_and_offer(engine, people)
    alice, charlie = people["alice"], people["charlie"]
    with Session(engine) as session:
        found = assist_reads.offer(session, alice, ref)
    assert found is not None and found.offer.status is OfferStatus.OFFERED  # never as posted
    with pytest.raises(NotAllowed):
        assist_writes.move_offer(engine, charlie, ref, OfferStatus.ACCEPTED)
    assist_writes.move_offer(engine, alice, ref, OfferStatus.ACCEPTED)
    with pytest.raises(NotAllowed):
        assist_writes.move_offer(engine, alice, ref, OfferStatus.DISPATCHED)
    assist_writes.move_offer(engine, charlie, ref, OfferStatus.DISPATCHED)
    part = assist_writes.move_offer(engine, alice, ref, OfferStatus.DELIVERED, quantity=60)
    assert (
        part is not None and part.status is OfferStatus.DISPATCHED and part.delivered_quantity == 60
    )
    with pytest.raises(InvalidValue, match="more than the 40 still to come"):
        assist_writes.move_offer(engine, alice, ref, OfferStatus.DELIVERED, quantity=41)
    rest = assist_writes.move_offer(engine, alice, ref, OfferStatus.DELIVERED)
    assert (
        rest is not None and rest.status is OfferStatus.DELIVERED and rest.delivered_quantity == 100
    )
    with pytest.raises(TransitionRefused):
        assist_writes.move_offer(engine, people["dora"], ref, OfferStatus.WITHDRAWN)
    with Session(engine) as session:
        moves = session.scalars(
            select(OfferEventRow.to_status).where(OfferEventRow.offer_ref == ref)
        )
        assert list(moves) == ["accepted", "dispatched", "dispatched", "delivered"]
        audited = session.scalars(
            select(AuditRow.actor).where(AuditRow.record_ref == ref, AuditRow.action == "move")
        )
        assert list(audited) == ["alice", "charlie", "alice", "alice"]


def test_a_provider_cannot_edit_another_providers_offer(
    engine: Engine, people: dict[str, User]
) -> None:
    ref = _request_and_offer(engine, people)
    with pytest.raises(NotAllowed):
        assist_writes.edit_offer(engine, people["alice"], ref, {"quantity": 5})
    moved = assist_writes.edit_offer(engine, people["charlie"], ref, {"quantity": 80})
    assert moved is not None and moved.version == 2


def test_an_accept_on_a_stale_version_is_a_conflict_and_changes_nothing(
    engine: Engine, people: dict[str, User]
) -> None:
    ref = _request_and_offer(engine, people)
    assert assist_writes.move_offer(engine, people["dora"], ref, OfferStatus.ACCEPTED, version=1)
    with pytest.raises(Conflict, match="changed since you read it"):
        assist_writes.move_offer(engine, people["erik"], ref, OfferStatus.DECLINED, version=1)
    with Session(engine) as session:
        assert session.scalar(select(OfferRow.status).where(OfferRow.ref == ref)) == "accepted"


def test_two_coordinators_accepting_at_once_one_wins_and_the_other_gets_a_conflict(
    engine: Engine, people: dict[str, User]
) -> None:
    ref = _request_and_offer(engine, people)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def accept(name: str) -> None:
        start.wait()
        try:
            assist_writes.move_offer(engine, people[name], ref, OfferStatus.ACCEPTED)
            outcomes[name] = "won"
        except Conflict as exc:
            outcomes[name] = f"conflict: {exc}"

    threads = [threading.Thread(target=accept, args=(n,)) for n in ("dora", "erik")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(v[:8] for v in outcomes.values()) == ["conflict", "won"], outcomes
    with Session(engine) as session:
        events = session.scalar(
            select(func.count()).select_from(OfferEventRow).where(OfferEventRow.offer_ref == ref)
        )
    assert events == 1


def test_a_delivered_tent_offer_raises_the_sites_capacity_once_as_a_figure(
    loaded: Engine,
) -> None:
    dora = _people(loaded)["dora"]
    raised = assist_capacity.raise_capacity(
        loaded, dora, "OFF-PL-02", "LT-PABRADE-TENTS", date(2021, 7, 23)
    )
    assert raised is not None and not raised.errors
    assert raised.added == 600 and raised.capacity == raised.before + 600
    with Session(loaded) as session:
        figure = session.scalars(select(FigureRow).where(FigureRow.ref == raised.figure)).one()
    assert (figure.measure, figure.value, figure.place) == (
        "capacity",
        raised.capacity,
        "LT-PABRADE-TENTS",
    )
    assert figure.source_reference == "sitroom offer OFF-PL-02"
    with pytest.raises(InvalidValue, match="already raised"):
        assist_capacity.raise_capacity(
            loaded, dora, "OFF-PL-02", "LT-PABRADE-TENTS", date(2021, 7, 24)
        )


def test_a_provider_sees_its_own_offers_and_shared_requests_the_recipient_sees_offers_to_it(
    engine: Engine, people: dict[str, User]
) -> None:
    ref = _request_and_offer(engine, people)
    secret = assist_writes.post_request(
        engine,
        people["alice"],
        {
            "request": "REQ-71",
            "requested_on": "2021-07-16",
            "country": "LT",
            "item": "heater",
            "source_url": SYNTHETIC,
        },
        sharing=Sharing.RESTRICTED,
    )
    assert secret.ok
    with Session(engine) as session:
        seen_by_charlie = {o.record.ref for o in assist_reads.requests(session, people["charlie"])}
        alice_offers = [v.offer.ref for v in assist_reads.offers(session, people["alice"])]
    assert secret.ref not in seen_by_charlie and seen_by_charlie  # the shared one only
    assert alice_offers == [ref]  # restricted to PL, yet shown to the organisation that asked
