"""Tables for what analysis derives from figures: reconciled series, conflicts and alarms.
All of it can be recomputed from the figures; alarms also keep what people did about them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .tables import Base
from .types import UtcDateTime


class SeriesRow(Base):
    """One reconciled series per measure, place and audience (domain.audiences: who may see
    the figures it was computed from); `inputs` fingerprints those figures, so only series
    whose figures changed are computed again."""

    __tablename__ = "series"
    __table_args__ = (
        UniqueConstraint("measure", "place", "audience", name="uq_series_measure_place_audience"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(String(24))
    figure_count: Mapped[int] = mapped_column(Integer)
    nature: Mapped[str] = mapped_column(String(8))
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    inputs: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    # Why the series could not be computed from its figures (it then has no days); the
    # other series are computed all the same.
    failure: Mapped[str | None] = mapped_column(Text)


class SeriesDayRow(Base):
    __tablename__ = "series_days"
    __table_args__ = (Index("ix_series_days_series_day", "series_id", "day", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    estimate: Mapped[float] = mapped_column(Float)
    lower80: Mapped[float] = mapped_column(Float)
    upper80: Mapped[float] = mapped_column(Float)
    lower95: Mapped[float] = mapped_column(Float)
    upper95: Mapped[float] = mapped_column(Float)
    mark: Mapped[str] = mapped_column(String(12))
    shaped_by: Mapped[list[str]] = mapped_column(JSON)


class ConflictRow(Base):
    __tablename__ = "conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    winner_refs: Mapped[list[str]] = mapped_column(JSON)
    loser_refs: Mapped[list[str]] = mapped_column(JSON)
    gap: Mapped[float] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)


class AlarmRow(Base):
    __tablename__ = "alarms"
    __table_args__ = (
        UniqueConstraint("measure", "place", "audience", "day", "method", name="uq_alarms_key"),
        Index("ix_alarms_state_day", "state", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(64))
    # The audience of the series it was raised on: an alarm shows what its figures showed.
    audience: Mapped[str] = mapped_column(String(24))
    day: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(40))
    observed: Mapped[float] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(8))
    probability: Mapped[float | None] = mapped_column(Float)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime())
    state: Mapped[str] = mapped_column(String(16))
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))
    acknowledged_reason: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(120))
    closed_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ForecastRow(Base):
    """A forecast as it was made, with the last day of data it saw, so that it can be scored
    against what was reported later."""

    __tablename__ = "forecasts"
    __table_args__ = (Index("ix_forecasts_series", "measure", "place", "cutoff"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(64))
    cutoff: Mapped[date] = mapped_column(Date)
    made_at: Mapped[datetime] = mapped_column(UtcDateTime())
    model: Mapped[str] = mapped_column(String(40))
    backtest_mase: Mapped[float | None] = mapped_column(Float)
    warnings: Mapped[list[str]] = mapped_column(JSON)
    days: Mapped[list[dict[str, float | str]]] = mapped_column(JSON)
