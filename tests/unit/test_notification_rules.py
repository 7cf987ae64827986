"""The rules of notifications that need no database: which alarms a subscription wants, and
which webhook URLs the SSRF guard lets through (IP literals and localhost: no DNS needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from sitroom.domain.alarms import Alarm, AlarmLevel
from sitroom.domain.measures import Measure
from sitroom.domain.subscriptions import Channel, Subscription, covers
from sitroom.services.notifications.targets import UnsafeTarget, check_webhook_url

MOMENT = datetime(2021, 8, 4, 12, tzinfo=UTC)
ALARM = Alarm(  # SYNTHETIC
    measure=Measure.APPREHENDED,
    place="LT-BY-2",
    day=date(2021, 8, 3),
    method="border",
    observed=120,
    expected=10,
    threshold=30,
    level=AlarmLevel.AMBER,
    raised_at=MOMENT,
)
EVERYWHERE = Subscription(1, 1, (), (), AlarmLevel.AMBER, Channel.EMAIL, "a@b.org", True, MOMENT)


def test_a_country_covers_its_own_series_and_every_place_in_it_but_no_other() -> None:
    assert covers("LT", "LT")
    assert covers("LT", "LT-BY-2")
    assert covers("LT-BY-2", "LT-BY-2")
    assert not covers("LT", "LV-BY-1")
    assert not covers("LT-BY-2", "LT-BY-20")
    assert not covers("LT-BY", "LT-BY-2")


def test_a_subscription_wants_alarms_of_its_places_measures_and_levels() -> None:
    assert EVERYWHERE.wants(ALARM)
    assert replace(EVERYWHERE, places=("LT",)).wants(ALARM)
    assert not replace(EVERYWHERE, places=("PL", "LT-BY-1")).wants(ALARM)
    assert not replace(EVERYWHERE, measures=(Measure.PREVENTED_ENTRY,)).wants(ALARM)
    assert not replace(EVERYWHERE, min_level=AlarmLevel.RED).wants(ALARM)
    assert replace(EVERYWHERE, min_level=AlarmLevel.RED).wants(replace(ALARM, level=AlarmLevel.RED))
    assert not replace(EVERYWHERE, active=False).wants(ALARM)


@pytest.mark.parametrize(
    "url",
    [
        "http://8.8.8.8/hook",  # not https
        "ftp://8.8.8.8/hook",
        "https://user:pw@8.8.8.8/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.1/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fe80::1]/hook",
        "https://[fc00::1]/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://8.8.8.8:99999/hook",
        "https:///hook",
        "https://8.8.8.8/hook\r\nX-Injected: 1",
    ],
)
def test_the_ssrf_guard_refuses_what_is_not_https_to_the_public_internet(url: str) -> None:
    with pytest.raises(UnsafeTarget):
        check_webhook_url(url)


def test_the_ssrf_guard_lets_a_public_https_address_through_and_pins_it() -> None:
    target = check_webhook_url("https://8.8.8.8:8443/hooks/in?team=lt")
    assert (target.scheme, target.host, target.port) == ("https", "8.8.8.8", 8443)
    assert (target.path, target.address) == ("/hooks/in?team=lt", "8.8.8.8")


def test_the_test_setting_lets_loopback_through_but_never_private_ranges() -> None:
    assert check_webhook_url("http://127.0.0.1:8080/x", allow_loopback=True).address == "127.0.0.1"
    assert check_webhook_url("https://[::1]/x", allow_loopback=True).address == "::1"
    for url in ("http://10.1.2.3/x", "https://169.254.169.254/", "https://[fe80::1]/x"):
        with pytest.raises(UnsafeTarget):
            check_webhook_url(url, allow_loopback=True)
