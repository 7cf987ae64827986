"""Tables of the live pipeline: which series went stale (written in the transaction that
changed their figures), and what each recomputation did. The stale marks are the truth about
pending work; a queue only says when to look at them, so nothing is lost when it is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .tables import Base
from .types import UtcDateTime


class StaleSeriesRow(Base):
    """One mark per write that changed a series' figures. A recomputation deletes the marks
    it consumed in its own transaction; marks written meanwhile stay for the next one."""

    __tablename__ = "stale_series"
    __table_args__ = (Index("ix_stale_series_measure_place", "measure", "place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(64))
    marked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Failed recomputations (the in-process runner's retries and dead letter): how many, the
    # last error, and not before when to try again.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class PipelineRunRow(Base):
    """What one recomputation of a series group changed: the series it stored and the alarms
    it raised or updated, and the newest figure change it took in."""

    __tablename__ = "pipeline_runs"
    __table_args__ = (Index("ix_pipeline_runs_finished_at", "finished_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_key: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime())
    figures_up_to: Mapped[datetime | None] = mapped_column(UtcDateTime())
    series_computed: Mapped[int] = mapped_column(Integer)
    alarm_ids: Mapped[list[int]] = mapped_column(JSON)
    # When its alarms were handed to the notifications (an outbox: a run whose alarms were
    # not yet handed over is found again, whatever happened to the job that should have).
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
