"""What every API operation answers, as typed models: the OpenAPI document is built from them,
and FastAPI checks each answer against its model before it leaves.

A record's fields are the columns of its file format (`interchange.records`): the models are
built from those lists rather than written out again, so a new column appears here by itself."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from ...domain.accounts import Role, Sharing
from ...domain.alarms import AlarmLevel, AlarmState
from ...domain.measures import Measure, Nature
from ...interchange.records.registry import SCHEMAS
from ...interchange.records.schema import RecordKind
from ...interchange.table import Column

_STRICT = ConfigDict(extra="forbid")


def _cells(columns: list[Column], typed: bool) -> dict[str, Any]:
    kind: Any = (str | int | float | None) if typed else str
    return {c.name: (kind, Field(description=c.description or c.hxl)) for c in columns}


def _record_model(kind: RecordKind) -> type[BaseModel]:
    fields = _cells(SCHEMAS[kind].columns, typed=False)
    if kind is not RecordKind.SECTIONS:  # geography belongs to no one and is shared
        fields["sharing"] = (Sharing, Field(description="Who may read it"))
        fields["owner"] = (str | None, Field(description="The owning organisation"))
    name = f"{kind.value.title()[:-1]}Record"
    return create_model(name, __config__=_STRICT, **fields)


def _download_model(kind: RecordKind) -> type[BaseModel]:
    name = f"{kind.value.title()[:-1]}Download"
    return create_model(name, __config__=_STRICT, **_cells(SCHEMAS[kind].columns, typed=True))


RECORDS: dict[RecordKind, type[BaseModel]] = {k: _record_model(k) for k in RecordKind}
DOWNLOADS: dict[RecordKind, type[BaseModel]] = {k: _download_model(k) for k in RecordKind}
# Incident totals are figures in the figures file's columns, owned by no one.
FigureCells = create_model(
    "FigureCells", __config__=_STRICT, **_cells(SCHEMAS[RecordKind.FIGURES].columns, typed=False)
)


def _page_model(kind: RecordKind) -> type[BaseModel]:
    return create_model(
        f"{kind.value.title()}Page",
        __config__=_STRICT,
        items=(list[RECORDS[kind]], ...),  # type: ignore[valid-type]
        limit=(int, ...),
        offset=(int, ...),
        next=(str | None, Field(description="The next page's address, or null on the last")),
    )


def _list_model(kind: RecordKind) -> type[BaseModel]:
    return create_model(
        f"{kind.value.title()}List",
        __config__=_STRICT,
        items=(list[RECORDS[kind]], ...),  # type: ignore[valid-type]
    )


def listing(kind: RecordKind, *, paged: bool) -> Any:
    """A list operation's JSON: a page (or the whole list) of records, or, with
    `?format=json`, the download: an array of records with numbers as numbers."""
    page = _page_model(kind) if paged else _list_model(kind)
    return page | list[DOWNLOADS[kind]]  # type: ignore[valid-type]


FigureWithHistory = create_model(
    "FigureWithHistory",
    __config__=_STRICT,
    figure=(RECORDS[RecordKind.FIGURES], ...),
    history=(list[RECORDS[RecordKind.FIGURES]], ...),  # type: ignore[valid-type]
)


class Conflict(BaseModel):
    model_config = _STRICT
    measure: Measure
    place: str
    kind: str
    winners: list[str]
    losers: list[str]
    gap: float
    rule: str
    detail: str


class SeriesDay(BaseModel):
    model_config = _STRICT
    day: str
    estimate: float
    lower80: float
    upper80: float
    lower95: float
    upper95: float
    mark: str


class Freshness(BaseModel):
    """How current the stored series are (docs/live.md)."""

    model_config = _STRICT
    computed_at: str | None
    figures_up_to: str | None
    pending: int
    failed: int
    says: str


class FailedSeries(BaseModel):
    model_config = _STRICT
    measure: Measure
    place: str
    failure: str


class Series(BaseModel):
    model_config = _STRICT
    measure: Measure
    place: str
    nature: Nature
    computed_at: str
    freshness: Freshness | None
    reason: str | None
    failure: str | None
    days: list[SeriesDay]
    conflicts: list[Conflict]


class AlarmOut(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Alarm")
    id: int
    measure: Measure
    place: str
    day: str
    method: str
    level: AlarmLevel
    state: AlarmState
    observed: float
    expected: float
    threshold: float
    acknowledged_by: str | None


class SituationSection(BaseModel):
    model_config = _STRICT
    id: str
    name: str
    country: str
    neighbour: str
    line: list[list[float]]
    alarm_level: str
    alarm_from: str


class SituationSite(BaseModel):
    model_config = _STRICT
    id: str
    name: str
    country: str
    kind: str
    lon: float | None
    lat: float | None
    capacity: float | None
    occupancy: float | None
    as_of: str | None
    percent_full: float | None


class KeyFigure(BaseModel):
    model_config = _STRICT
    country: str
    measure: str
    day: str
    value: float
    change_on_previous_day: float | None
    change_on_previous_week: float | None


class SituationAlarm(BaseModel):
    model_config = _STRICT
    id: int
    measure: str
    place: str
    day: str
    level: str
    state: str
    observed: float
    expected: float


class SituationOut(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Situation")
    sections: list[SituationSection]
    sites: list[SituationSite]
    key_figures: list[KeyFigure]
    alarms: list[SituationAlarm]
    freshness: Freshness | None
    as_of: str | None


class Stored(BaseModel):
    model_config = _STRICT
    ref: str | None
    duplicate: bool


class StatusChanged(BaseModel):
    model_config = _STRICT
    ref: str
    status: str


class Rejection(BaseModel):
    model_config = _STRICT
    line: int
    field: str
    reason: str


class ImportReport(BaseModel):
    model_config = _STRICT
    file: str
    kind: str | None
    format: str | None
    read: int
    accepted: int
    duplicate: int
    rejected: int
    committed: bool
    error: str | None
    batch_id: int | None
    notes: list[str]
    rejections: list[Rejection]
    rejected_rows: str | None = Field(
        default=None, description="Where to download the rejected rows as CSV, to fix them"
    )


class UserOut(BaseModel):
    model_config = ConfigDict(extra="forbid", title="User")
    id: int
    username: str
    organisation_id: int | None
    role: Role
    active: bool


class OrganisationOut(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Organisation")
    id: int
    name: str
    kind: str
    country: str | None


class TokenOut(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Token")
    id: int
    name: str
    prefix: str
    user: str
    scope: str = Field(description="read, write or admin")
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    made_by_token: int | None = Field(description="The token this one was made with, if any")


class NewToken(TokenOut):
    model_config = ConfigDict(extra="forbid", title="NewToken")
    token: str = Field(description="The secret: shown on this answer only")
    shown: str


class Revoked(BaseModel):
    model_config = _STRICT
    revoked: int
    tokens_revoked: int = Field(description="How many tokens ended: this one and those it made")


class PasswordChanged(BaseModel):
    model_config = _STRICT
    changed: bool
    other_sessions: str


class PasswordReset(UserOut):
    model_config = ConfigDict(extra="forbid", title="PasswordReset")
    sessions: str
    tokens: str


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(extra="forbid", title="AuditEntry")
    id: int
    at: str
    actor: str | None
    action: str
    record_kind: str | None
    record_ref: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
