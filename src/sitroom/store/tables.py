"""The database schema, in SQLAlchemy 2 declarative style with named constraints."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .types import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OrganisationRow(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))


class SectionRow(Base):
    __tablename__ = "border_sections"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    neighbour: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(200))
    line: Mapped[list[list[float]]] = mapped_column(JSON)
    length_km: Mapped[float] = mapped_column(Float)


class SiteRow(Base):
    __tablename__ = "reception_sites"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    operator: Mapped[str | None] = mapped_column(String(200))
    # Who owns the record and who else may read it (domain.accounts); rows stored before
    # accounts existed belong to no organisation and are shared.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sharing: Mapped[str] = mapped_column(String(16), server_default="shared")
    # The import that defined the site, so that an upload can give its sites their owner.
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))


class FigureRow(Base):
    """Never updated in place: a correction is a new row whose `corrects` names the old one."""

    __tablename__ = "figures"
    __table_args__ = (
        CheckConstraint("period_start <= period_end", name="period_order"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        Index("ix_figures_series", "measure", "country", "period_start", "period_end"),
        Index("ix_figures_place", "place", "measure", "period_start"),
        # The same content is one figure among the records of the same readers (`scope`): a
        # writer's figure is never a duplicate of one the writer may not read.
        Index("uq_figures_ref", "ref", "scope", unique=True),
        # The figure list, newest period first.
        Index("ix_figures_period_start", "period_start", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(24))
    measure: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(64))
    place_kind: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    qualifier: Mapped[str] = mapped_column(String(16))
    source_kind: Mapped[str] = mapped_column(String(16))
    source_reference: Mapped[str] = mapped_column(Text)
    source_organisation: Mapped[str | None] = mapped_column(String(200))
    source_published: Mapped[str | None] = mapped_column(String(10))
    entered_by: Mapped[str] = mapped_column(String(120))
    entered_at: Mapped[str] = mapped_column(String(32))
    corrects: Mapped[str | None] = mapped_column(String(24), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    # Who owns the record and who else may read it (domain.accounts); rows stored before
    # accounts existed belong to no organisation and are shared.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sharing: Mapped[str] = mapped_column(String(16), server_default="shared")
    # Where `ref` is unique: domain.accounts.storage_scope of the owner and sharing.
    scope: Mapped[str] = mapped_column(String(80), server_default="shared")


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint("persons >= 0", name="persons_not_negative"),
        CheckConstraint("minors >= 0 AND minors <= persons", name="minors_within_persons"),
        # Each filter of the incident totals (none, a section, a country) has an index in the
        # order of their GROUP BY, so the newest groups stream out and the LIMIT stops the scan
        # after them instead of summing a million rows first (bench/web/figures.py).
        Index("ix_incidents_section_day", "section", "day", "category"),
        Index("ix_incidents_country_day", "country", "day", "section", "category"),
        Index("ix_incidents_day_section", "day", "section", "category"),
        # The incident list, newest first.
        Index("ix_incidents_day", "day", "id"),
        # An index rather than a table constraint: SQLite can drop an index (never a table
        # constraint) for a large load and build it once at the end (store.bulk).
        Index("uq_incidents_ref", "ref", "scope", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(24))
    occurred_at: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    section: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    category: Mapped[str] = mapped_column(String(40))
    persons: Mapped[int] = mapped_column(Integer)
    minors: Mapped[int] = mapped_column(Integer)
    nationalities: Mapped[str] = mapped_column(String(400), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[str] = mapped_column(String(16))
    external_ref: Mapped[str | None] = mapped_column(String(120))
    source_kind: Mapped[str] = mapped_column(String(16))
    source_reference: Mapped[str] = mapped_column(Text)
    source_organisation: Mapped[str | None] = mapped_column(String(200))
    source_published: Mapped[str | None] = mapped_column(String(10))
    entered_by: Mapped[str] = mapped_column(String(120))
    entered_at: Mapped[str] = mapped_column(String(32))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    # Who owns the record and who else may read it (domain.accounts); rows stored before
    # accounts existed belong to no organisation and are shared.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    sharing: Mapped[str] = mapped_column(String(16), server_default="shared")
    # Where `ref` is unique: domain.accounts.storage_scope of the owner and sharing.
    scope: Mapped[str] = mapped_column(String(80), server_default="shared")


class ImportBatchRow(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(260))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    record_kind: Mapped[str] = mapped_column(String(16))
    file_format: Mapped[str] = mapped_column(String(8))
    imported_by: Mapped[str] = mapped_column(String(120))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_duplicate: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)


class QuarantineRow(Base):
    """A rejected row, kept raw with the reason, until a fixed version of it is imported."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    record_kind: Mapped[str] = mapped_column(String(16))
    line: Mapped[int] = mapped_column(Integer)
    raw: Mapped[dict[str, str]] = mapped_column(JSON)
    field: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
