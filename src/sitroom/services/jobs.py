"""Running the pipeline's work without a queue server: the in-process runner that `sitroom serve`
and `sitroom demo` start on SQLite, and the notification outbox every runner shares.

The stale marks are the truth about pending work (services.pipeline), so a runner is only a
loop that looks at them: stopped or crashed, it loses nothing, and the next one starts where
it left off. On PostgreSQL the same functions run as jobs of a queue (services.queue).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from ..config import Settings
from ..store.engine import UnitOfWork
from ..store.pipeline_tables import PipelineRunRow
from . import notifications, pipeline

log = logging.getLogger(__name__)

Deliver = Callable[[Settings, Sequence[int]], None]


def unnotified_runs(
    session: Session, *, older_than: timedelta = timedelta(0), now: datetime | None = None
) -> list[tuple[int, list[int]]]:
    """The runs whose changed alarms were not yet handed to the notifications, oldest first,
    with those alarms."""
    cutoff = (now or datetime.now(UTC)) - older_than
    query = (
        select(PipelineRunRow.id, PipelineRunRow.alarm_ids)
        .where(PipelineRunRow.notified_at.is_(None), PipelineRunRow.finished_at <= cutoff)
        .order_by(PipelineRunRow.id)
    )
    return [(run_id, list(ids)) for run_id, ids in session.execute(query)]


def notify_run(
    engine: Engine,
    settings: Settings,
    run_id: int,
    alarm_ids: Sequence[int],
    *,
    deliver: Deliver | None = None,
) -> None:
    """Hand one run's alarms to the notifications, then note that it was done. Delivery is
    idempotent, so a crash between the two only means delivering again."""
    (deliver or notifications.deliver_alarm_notifications)(settings, alarm_ids)
    with UnitOfWork(engine) as uow:
        uow.session.execute(
            update(PipelineRunRow)
            .where(PipelineRunRow.id == run_id)
            .values(notified_at=datetime.now(UTC))
        )
        uow.commit()


class PipelineRunner:
    """Drains the stale marks and the notification outbox every `interval` seconds: the worker
    of a single-machine (SQLite) situation room, run by `sitroom serve` in a process beside
    the web server (`sitroom refresh --follow`), or as a thread (`start`)."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        interval: float = 0.2,
        deliver: Deliver | None = None,
    ) -> None:
        self.engine, self.settings, self.interval = engine, settings, interval
        self.deliver = deliver
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._notify_after = 0.0

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="sitroom-pipeline", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self, keep_going: Callable[[], bool] = lambda: True) -> None:
        """Step until stopped or `keep_going` says no."""
        while not self._stop.is_set() and keep_going():
            try:
                self.step()
            except Exception:  # the database may be away for a while: try again later
                log.exception("the pipeline step failed; trying again")
                self._stop.wait(5.0)
            self._stop.wait(self.interval)

    def step(self) -> pipeline.Drained:
        """One pass: every pending group, then every run not yet notified."""
        drained = pipeline.drain(
            self.engine, on_error=lambda key, exc: log.error("group %s failed: %s", key, exc)
        )
        if time.monotonic() >= self._notify_after:
            with Session(self.engine) as session:
                runs = unnotified_runs(session)
            for run_id, alarm_ids in runs:
                try:
                    notify_run(self.engine, self.settings, run_id, alarm_ids, deliver=self.deliver)
                except Exception:  # transient (a mail server away): keep it for later
                    log.exception("notifying the alarms of run %s failed; retrying", run_id)
                    self._notify_after = time.monotonic() + 30.0
                    break
        return drained
