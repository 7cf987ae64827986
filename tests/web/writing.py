"""Writing one record or one file through each write path of the web app — the API, the forms,
the API upload and the Import page — and reading every answer back the same way, so that the
authorisation tests compare paths and writers on one footing. SYNTHETIC records."""

from __future__ import annotations

import csv
import html
import io
import itertools
import re
from dataclasses import dataclass

from sitroom.interchange.records.registry import SCHEMAS
from sitroom.interchange.records.schema import RecordKind
from tests.factories import SYNTHETIC_URL, incident_row
from tests.web.conftest import World

RECORD_PATHS = ("api", "form", "api-import", "page-import")
IMPORT_PATHS = ("api-import", "page-import")
WRITERS = ("alice", "bob", "charlie", "cora", "admin")

_numbers = itertools.count(70_001)
_API = {RecordKind.FIGURES: "/api/figures", RecordKind.INCIDENTS: "/api/incidents"}
_FORMS = {RecordKind.FIGURES: "/report/figure", RecordKind.INCIDENTS: "/report/incident"}
_FIELD_ERROR = re.compile(r'<p class="field-error" id="[a-z]+-(\w+)-error">(.*?)</p>')
_COUNTS = re.compile(
    r'<strong class="accepted">(\d+)</strong> accepted, '
    r'<strong class="duplicate">(\d+)</strong> duplicate'
)
_REJECTION = re.compile(r'<tr><td class="n">\d+</td><td>(.*?)</td><td>(.*?)</td></tr>')


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the writer was told: rows stored, rows found already stored (only where the path
    says so), and each refusal as (field, reason)."""

    stored: int
    duplicate: int
    refused: tuple[tuple[str, str], ...]

    def without(self, *names: str) -> Outcome:
        """The same answer with the given ids or refs put as '*': hidden and unknown records
        must get the same words, apart from the name the writer sent."""
        refused = self.refused
        for name in names:
            refused = tuple((f, r.replace(name, "*")) for f, r in refused)
        return Outcome(self.stored, self.duplicate, refused)


STORED_ONE = Outcome(1, 0, ())


def number() -> int:
    """A value no other test of the module uses, so that every record is new content."""
    return next(_numbers)


def figure_row(**cells: str) -> dict[str, str]:
    return {
        "measure": "apprehended",
        "place": "LT",
        "period_start": "2021-07-09",
        "value": str(number()),
        "qualifier": "exact",
        "source_kind": "web_form",
        "source_url": SYNTHETIC_URL,
        **cells,
    }


def incident(**cells: str) -> dict[str, str]:
    return incident_row(number(), persons="5", minors="0", nationalities="", **cells)


def csv_bytes(kind: RecordKind, rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    names = [c.name for c in SCHEMAS[kind].columns]
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def write(
    world: World,
    who: str,
    path: str,
    kind: RecordKind,
    rows: list[dict[str, str]],
    *,
    sharing: str = "restricted",
) -> Outcome:
    """`rows` written by `who` through `path`; one row at a time where the path takes one."""
    if path in IMPORT_PATHS:
        return upload(world, who, path, kind, csv_bytes(kind, rows), sharing=sharing)
    outcomes = [_one(world, who, path, kind, row, sharing) for row in rows]
    return Outcome(
        sum(o.stored for o in outcomes),
        sum(o.duplicate for o in outcomes),
        tuple(r for o in outcomes for r in o.refused),
    )


def _one(
    world: World, who: str, path: str, kind: RecordKind, row: dict[str, str], sharing: str
) -> Outcome:
    if path == "api":
        response = world.api(who).post(_API[kind], json={**row, "sharing": sharing})
        if response.status_code == 422:
            return Outcome(0, 0, tuple(sorted(response.json()["fields"].items())))
        assert response.status_code in (200, 201), response.text
        duplicate = response.json()["duplicate"]
        return Outcome(0 if duplicate else 1, 1 if duplicate else 0, ())
    client, csrf = world.browser(who)
    response = client.post(_FORMS[kind], data={**row, "sharing": sharing, "csrf_token": csrf})
    if response.status_code == 303:
        return STORED_ONE  # a form answers a duplicate as it answers a new record
    assert response.status_code == 422, (response.status_code, response.text[:300])
    found = _FIELD_ERROR.findall(response.text)
    return Outcome(0, 0, tuple(sorted((f, html.unescape(r)) for f, r in found)))


def upload(
    world: World, who: str, path: str, kind: RecordKind, data: bytes, *, sharing: str
) -> Outcome:
    files = {"file": ("synthetic.csv", data, "text/csv")}
    form = {"kind": kind.value, "sharing": sharing}
    if path == "api-import":
        response = world.api(who).post("/api/imports", data=form, files=files)
        assert response.status_code == 200, response.text
        body = response.json()
        refused = tuple((r["field"], r["reason"]) for r in body["rejections"])
        return Outcome(body["accepted"], body["duplicate"], refused)
    client, csrf = world.browser(who)
    response = client.post("/import", data={**form, "csrf_token": csrf}, files=files)
    assert response.status_code == 200, response.text[:300]
    counts = _COUNTS.search(response.text)
    assert counts is not None, response.text[:500]
    refused = tuple(
        (html.unescape(f), html.unescape(r)) for f, r in _REJECTION.findall(response.text)
    )
    return Outcome(int(counts[1]), int(counts[2]), refused)
