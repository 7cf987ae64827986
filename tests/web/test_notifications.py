"""Notifications of alarms, delivered to real servers on this machine: an SMTP server
(aiosmtpd) and an HTTP server for webhooks. Each subscriber hears about an alarm only if they
may read the figures it was computed from, once per alarm state, however often delivery runs.

The figures are SYNTHETIC (tests/web/surge.py): alice's restricted surge on LT-BY-2 on top of
a quiet shared series."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sitroom.config import Settings, SettingsError, load_settings
from sitroom.domain.alarms import AlarmLevel, AlarmState
from sitroom.domain.audiences import audiences_of
from sitroom.domain.subscriptions import Channel
from sitroom.notify_settings import NotificationSettings, SmtpSecurity
from sitroom.services import alarms
from sitroom.services.notifications import NotificationsFailed, deliver_alarm_notifications
from sitroom.services.notifications.subscriptions import SubscriptionRequest, subscribe
from sitroom.store.analysis_tables import AlarmRow
from sitroom.store.notification_tables import DeliveryRow, SubscriptionRow
from tests.receivers import SmtpServer, WebhookReceiver, smtp_server, webhook_receiver
from tests.web.conftest import World
from tests.web.surge import SECTION, SURGE_START, load_restricted_surge


@pytest.fixture(scope="module")
def derived(world: World, tmp_path_factory: pytest.TempPathFactory) -> World:
    return load_restricted_surge(world, tmp_path_factory.mktemp("derived"))


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def hooks() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture
def clean(derived: World) -> World:
    """No subscriptions from an earlier test."""
    with derived.engine.begin() as connection:
        connection.execute(delete(DeliveryRow))
        connection.execute(delete(SubscriptionRow))
    return derived


def _settings(world: World, smtp_port: int) -> Settings:
    return Settings(
        database_url=str(world.engine.url.render_as_string(hide_password=False)),
        notifications=NotificationSettings(
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            smtp_security=SmtpSecurity.NONE,
            mail_from="sitroom@example.org",
            timeout_seconds=5,
            allow_loopback_webhooks=True,
        ),
    )


def _subscribe(world: World, who: str, channel: Channel, target: str, settings: Settings) -> str:
    request = SubscriptionRequest([SECTION], [], AlarmLevel.AMBER, channel, target)
    _, secret = subscribe(world.engine, world.users[who], request, settings=settings.notifications)
    return secret or ""


def _every_alarm(world: World) -> dict[int, AlarmRow]:
    with Session(world.engine) as session:
        return {row.id: row for row in session.scalars(select(AlarmRow))}


def _surge_ids(world: World, audience_not: str | None = None) -> set[int]:
    return {
        i
        for i, row in _every_alarm(world).items()
        if row.place == SECTION and row.day >= SURGE_START and row.audience != audience_not
    }


def _alarm_ids_in(messages: list[str]) -> list[int]:
    """The alarm id each message names ('Alarm 12; notification ...')."""
    found = []
    for text in messages:
        line = next(line for line in text.splitlines() if line.startswith("Alarm "))
        found.append(int(line.split()[1].rstrip(";")))
    return found


def _mails_to(smtp: SmtpServer, address: str) -> list[str]:
    return [str(m.get_payload()) for m in smtp.messages if m["To"] == address]


def _visible_at_section(world: World, who: str) -> set[int]:
    where = alarms.AlarmFilter(states=tuple(AlarmState), place=SECTION)
    readers = audiences_of(world.users[who])
    with Session(world.engine) as session:
        return {i for i, _ in alarms.list_alarms(session, readers=readers, where=where)}


def test_each_subscriber_gets_each_alarm_they_may_read_once_by_email(
    clean: World, smtp: SmtpServer
) -> None:
    settings = _settings(clean, smtp.port)
    _subscribe(clean, "alice", Channel.EMAIL, "alice@example.org", settings)
    _subscribe(clean, "charlie", Channel.EMAIL, "charlie@example.org", settings)
    everything = sorted(_every_alarm(clean))

    deliver_alarm_notifications(settings, everything)
    deliver_alarm_notifications(settings, everything)  # a repeated job sends nothing more

    alice = _alarm_ids_in(_mails_to(smtp, "alice@example.org"))
    charlie = _alarm_ids_in(_mails_to(smtp, "charlie@example.org"))
    assert sorted(alice) == sorted(_visible_at_section(clean, "alice"))
    assert sorted(charlie) == sorted(_visible_at_section(clean, "charlie"))
    # alice hears of the surge her restricted figures show; charlie never does
    rows = _every_alarm(clean)
    restricted_surge = _surge_ids(clean, audience_not="shared")
    alices_copies = {i for i in restricted_surge if rows[i].audience.startswith("org:")}
    assert alices_copies and alices_copies <= set(alice)
    assert not restricted_surge & set(charlie)


def test_acknowledging_an_alarm_sends_its_new_state_once(clean: World, smtp: SmtpServer) -> None:
    settings = _settings(clean, smtp.port)
    _subscribe(clean, "bob", Channel.EMAIL, "bob@example.org", settings)
    with Session(clean.engine) as session:
        found = alarms.list_alarms(session, readers=audiences_of(clean.users["bob"]))
    alarm_id = next(i for i, a in found if a.place == SECTION and a.day >= SURGE_START)
    deliver_alarm_notifications(settings, [alarm_id])
    alarms.acknowledge(
        clean.engine, alarm_id, by="bob", reason="SYNTHETIC: checked", actor=clean.users["bob"]
    )
    deliver_alarm_notifications(settings, [alarm_id])
    deliver_alarm_notifications(settings, [alarm_id])
    mails = [m for m in smtp.messages if m["To"] == "bob@example.org"]
    subjects = [str(m["Subject"]) for m in mails]
    assert [("new" in s, "acknowledged" in s) for s in subjects] == [(True, False), (False, True)]
    # A repeat after a crash would carry the same Message-ID: one per alarm state.
    assert [str(m["Message-ID"]).rsplit("-", 1)[1] for m in mails] == [
        "new@example.org>",
        "acknowledged@example.org>",
    ]
    assert all(f"-{alarm_id}-" in str(m["Message-ID"]) for m in mails)


def test_while_the_smtp_server_is_down_delivery_raises_and_every_mail_goes_once_when_it_returns(
    clean: World, smtp: SmtpServer
) -> None:
    settings = _settings(clean, smtp.port)
    _subscribe(clean, "alice", Channel.EMAIL, "alice@example.org", settings)
    surge = sorted(_surge_ids(clean))
    smtp.stop()
    for _attempt in range(3):  # the queue's retries while the server is down
        with pytest.raises(NotificationsFailed, match="not sent"):
            deliver_alarm_notifications(settings, surge)
    assert smtp.messages == []
    smtp.start()
    deliver_alarm_notifications(settings, surge)
    deliver_alarm_notifications(settings, surge)
    sent = _alarm_ids_in(_mails_to(smtp, "alice@example.org"))
    assert sorted(sent) == sorted(_visible_at_section(clean, "alice") & set(surge))
    assert sent


def test_a_webhook_is_signed_so_that_the_receiver_can_check_it(
    clean: World, smtp: SmtpServer, hooks: WebhookReceiver
) -> None:
    settings = _settings(clean, smtp.port)
    secret = _subscribe(clean, "alice", Channel.WEBHOOK, hooks.url, settings)
    surge = sorted(_surge_ids(clean))
    deliver_alarm_notifications(settings, surge)
    assert hooks.calls
    for call in hooks.calls:
        # The receiver's check, as docs/notifications.md describes it.
        parts = dict(item.split("=", 1) for item in call.headers["x-sitroom-signature"].split(","))
        signed = parts["t"].encode() + b"." + call.body
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(parts["v1"], expected)
        event = json.loads(call.body)
        assert event["delivery"] == call.headers["x-sitroom-delivery"]
        assert event["alarm"]["place"] == SECTION
        assert date.fromisoformat(event["alarm"]["day"]) >= SURGE_START
    forged = hmac.new(b"another secret", b"x", hashlib.sha256).hexdigest()
    assert all(forged not in c.headers["x-sitroom-signature"] for c in hooks.calls)


def test_a_webhook_that_fails_is_sent_again_only_until_it_is_accepted(
    clean: World, smtp: SmtpServer, hooks: WebhookReceiver
) -> None:
    settings = _settings(clean, smtp.port)
    _subscribe(clean, "alice", Channel.WEBHOOK, hooks.url, settings)
    surge = sorted(_surge_ids(clean))
    hooks.status = 503
    with pytest.raises(NotificationsFailed, match="503"):
        deliver_alarm_notifications(settings, surge)
    refused = len(hooks.calls)
    hooks.status = 200
    deliver_alarm_notifications(settings, surge)
    deliver_alarm_notifications(settings, surge)
    accepted = [json.loads(c.body)["delivery"] for c in hooks.calls[refused:]]
    assert refused == len(accepted) > 0
    assert len(set(accepted)) == len(accepted)


def test_loopback_webhooks_cannot_be_allowed_from_the_environment() -> None:
    with pytest.raises(SettingsError, match="refused"):
        load_settings({"SITROOM_ALLOW_LOOPBACK_WEBHOOKS": "1"})


def test_without_the_test_setting_a_loopback_webhook_is_refused_when_subscribing(
    clean: World, hooks: WebhookReceiver
) -> None:
    response = clean.api("alice").post(
        "/api/subscriptions",
        json={"places": [SECTION], "channel": "webhook", "target": hooks.url},
    )
    assert response.status_code == 422, response.text
    assert "https" in response.json()["fields"]["target"]
