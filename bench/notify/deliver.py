"""How long delivering alarm notifications takes: the time `deliver_alarm_notifications`
spends on one queue job, to a real SMTP server (aiosmtpd) and a real HTTP server on loopback.

Every alarm, series, user and subscription here is SYNTHETIC: `--alarms` alarms on as many
series (audience `all`), `--subscribers` people each subscribed to everything, half by email,
half by webhook. Three jobs are timed, each `--rounds` times on a fresh set of alarms:

- one alarm, every subscriber (what one new alarm costs the pipeline);
- every alarm at once (a detection run that raised many);
- the same job again, with everything already sent (the idempotency check alone).

    .venv/bin/python -m bench.notify.deliver
    .venv/bin/python -m bench.notify.deliver --database postgresql://... --alarms 200
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import delete
from sqlalchemy.orm import Session

from sitroom.config import Settings, load_settings
from sitroom.domain.accounts import Role
from sitroom.domain.alarms import AlarmLevel
from sitroom.domain.subscriptions import Channel
from sitroom.notify_settings import NotificationSettings, SmtpSecurity
from sitroom.services import accounts
from sitroom.services.notifications import deliver_alarm_notifications
from sitroom.services.notifications.subscriptions import SubscriptionRequest, subscribe
from sitroom.store.analysis_tables import AlarmRow, SeriesRow
from sitroom.store.engine import make_engine
from sitroom.store.migrate import upgrade
from sitroom.store.notification_tables import DeliveryRow

START = date(2021, 7, 1)


class _Count:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _webhook_server() -> tuple[ThreadingHTTPServer, list[int]]:
    received = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            received[0] += 1
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, received


def _alarms(settings: Settings, count: int, round_: int) -> list[int]:
    """`count` SYNTHETIC alarms, each on a series of its own."""
    engine = make_engine(settings)
    now = datetime.now(UTC)
    with Session(engine) as session:
        rows = []
        for i in range(count):
            place = f"LT-BENCH-{round_}-{i}"
            session.add(
                SeriesRow(
                    measure="apprehended",
                    place=place,
                    audience="all",
                    figure_count=1,
                    nature="flow",
                    first_day=START,
                    last_day=START + timedelta(days=30),
                    inputs="synthetic",
                    computed_at=now,
                )
            )
            row = AlarmRow(
                measure="apprehended",
                place=place,
                audience="all",
                day=START + timedelta(days=30),
                method="border",
                observed=120.0,
                expected=12.0,
                threshold=30.0,
                level=AlarmLevel.RED.value,
                raised_at=now,
                state="new",
            )
            session.add(row)
            rows.append(row)
        session.commit()
        ids = [r.id for r in rows]
    engine.dispose()
    return ids


def _timed(job: Callable[[], None]) -> float:
    started = time.perf_counter()
    job()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="a PostgreSQL URL; default: a new SQLite file")
    parser.add_argument("--alarms", type=int, default=100)
    parser.add_argument("--subscribers", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sitroom-bench-notify-"))
    url = args.database or f"sqlite:///{folder / 'notify.db'}"
    base = load_settings({"SITROOM_DATABASE_URL": url})
    smtp_port = _free_port()
    counter = _Count()
    controller = Controller(counter, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    hooks, received = _webhook_server()
    notifications = NotificationSettings(
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_security=SmtpSecurity.NONE,
        allow_loopback_webhooks=True,  # the bench's receiver is on loopback, as in the tests
    )
    settings = Settings(database_url=base.database_url, notifications=notifications)
    engine = make_engine(settings)
    upgrade(engine)
    stamp = int(time.time())
    for n in range(args.subscribers):
        user = accounts.create_user(
            engine,
            f"bench{stamp}x{n}",
            "a bench password",
            organisation_id=None,
            role=Role.ANALYST,
            actor=None,
        )
        channel = Channel.EMAIL if n % 2 == 0 else Channel.WEBHOOK
        target = (
            f"bench{n}@example.org"
            if channel is Channel.EMAIL
            else f"http://127.0.0.1:{hooks.server_address[1]}/hook"
        )
        request = SubscriptionRequest([], [], AlarmLevel.AMBER, channel, target)
        subscribe(engine, user, request, settings=notifications)
    one, many, again = [], [], []
    for round_ in range(args.rounds):
        ids = _alarms(settings, args.alarms, round_ + stamp)
        one.append(_timed(lambda ids=ids: deliver_alarm_notifications(settings, ids[:1])))
        many.append(_timed(lambda ids=ids: deliver_alarm_notifications(settings, ids[1:])))
        again.append(_timed(lambda ids=ids: deliver_alarm_notifications(settings, ids)))
    sent = counter.received + received[0]
    expected = args.rounds * args.alarms * args.subscribers
    with engine.begin() as connection:  # leave a shared PostgreSQL as it was, roughly
        connection.execute(delete(DeliveryRow))
    engine.dispose()
    controller.stop()
    hooks.shutdown()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"{backend}, {args.subscribers} subscribers (half email, half webhook), "
        f"{args.alarms} alarms per round, {args.rounds} rounds; "
        f"received {sent} of {expected} notifications"
    )
    for label, times, count in (
        ("one alarm", one, args.subscribers),
        (f"{args.alarms - 1} alarms", many, (args.alarms - 1) * args.subscribers),
        ("again, all sent", again, 0),
    ):
        median = statistics.median(times)
        rate = f", {count / median:,.0f} notifications/s" if count else ""
        print(f"  {label:>16}: median {median * 1000:,.0f} ms (min {min(times) * 1000:,.0f}){rate}")


if __name__ == "__main__":
    main()
