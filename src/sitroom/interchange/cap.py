"""Alarms as CAP 1.2 alerts (OASIS Common Alerting Protocol), and a validator for CAP 1.2.

Which message an alarm becomes follows its state: a new alarm is an Alert; an acknowledged
one an Update and a closed one a Cancel, each referencing the earlier messages it updates or
cancels (`references`, built with `alert_reference`). CAP has no message for "acknowledged"
(its Ack is a receiver acknowledging receipt), so acknowledgement travels as an Update whose
note says who acknowledged and why.

Grading, from the level and the detector's probability that a surge is under way:

    level  urgency   severity   certainty (no probability)
    red    Expected  Severe     Likely
    amber  Future    Moderate   Possible

With a probability, certainty follows CAP's own cut: Likely when p > 0.5, else Possible.
Unlikely and Observed are never used: an alarm exists because the count exceeded its
threshold, but that the count is a surge rather than noise is a judgement. A Cancel has
urgency Past and responseType AllClear, since nothing more is to be done; Alert and Update
have responseType Monitor.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal
from xml.etree import ElementTree as ET

from sitroom.domain.alarms import Alarm, AlarmLevel, AlarmState
from sitroom.domain.measures import Measure

from .cap_area import CapArea
from .cap_rules import NS, cap_problems, sender_or_identifier_problem

__all__ = [
    "NS",
    "CapArea",
    "CapReference",
    "alarm_identifier",
    "alarm_to_cap",
    "alert_reference",
    "cap_datetime",
    "cap_grading",
    "msg_type_for",
    "validate_cap",
]

MsgType = Literal["Alert", "Update", "Cancel"]
Status = Literal["Actual", "Exercise", "System", "Test", "Draft"]
Scope = Literal["Public", "Restricted", "Private"]

_MSG_TYPES: dict[AlarmState, MsgType] = {
    AlarmState.NEW: "Alert",
    AlarmState.ACKNOWLEDGED: "Update",
    AlarmState.CLOSED: "Cancel",
}
_GRADES: dict[AlarmLevel, tuple[str, str, str]] = {
    AlarmLevel.RED: ("Expected", "Severe", "Likely"),
    AlarmLevel.AMBER: ("Future", "Moderate", "Possible"),
}
# Labels that are adjectives read badly after "Surge in"; the rest are nouns already.
_EVENT_NOUNS = {
    Measure.APPREHENDED: "apprehended persons",
    Measure.PREVENTED_ENTRY: "persons prevented entry",
    Measure.INJURED: "injured persons",
}
# XML 1.0 cannot carry most control characters, even escaped; a reason typed by a person may.
_UNSAFE_IN_IDENTIFIER = re.compile(r"[^A-Za-z0-9_-]")
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class CapReference:
    """One earlier message, as CAP's `references` names it: sender, identifier, sent."""

    sender: str
    identifier: str
    sent: datetime

    def __str__(self) -> str:
        return f"{self.sender},{self.identifier},{cap_datetime(self.sent)}"


def cap_datetime(moment: datetime) -> str:
    """CAP's date-time: whole seconds and an explicit offset, UTC written `-00:00` (CAP 1.2
    §3.3.2 forbids `Z` and asks for `-00:00`). Fractions of a second are dropped."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; CAP needs one")
    seconds = int(offset.total_seconds())
    if seconds % 60 or offset.microseconds:
        raise ValueError(f"CAP offsets are whole minutes, not {offset}")
    sign = "-" if seconds <= 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{moment.replace(microsecond=0, tzinfo=None).isoformat()}{sign}{hours:02}:{minutes:02}"


def msg_type_for(alarm: Alarm) -> MsgType:
    return _MSG_TYPES[alarm.state]


def cap_grading(alarm: Alarm, msg_type: MsgType) -> tuple[str, str, str]:
    """(urgency, severity, certainty); see the module's docstring for why."""
    urgency, severity, certainty = _GRADES[alarm.level]
    if alarm.probability is not None and math.isfinite(alarm.probability):
        certainty = "Likely" if alarm.probability > 0.5 else "Possible"
    if msg_type == "Cancel":
        urgency = "Past"
    return urgency, severity, certainty


def alarm_identifier(alarm: Alarm, msg_type: MsgType | None = None) -> str:
    """Derived from the alarm's key, so writing the same alarm again gives the same identifier.
    An Update or Cancel gets its own (CAP identifiers name messages, not events), which also
    covers who acknowledged or closed it, so a second acknowledgement is a new message."""
    msg_type = msg_type or msg_type_for(alarm)
    measure, place, day, method = alarm.key
    digest = hashlib.sha256("\x1f".join((measure, place, day.isoformat(), method)).encode())
    # The place only makes the identifier readable (the digest makes it unique), so a place
    # that is not a clean id cannot smuggle a space or comma into it.
    readable = _UNSAFE_IN_IDENTIFIER.sub("_", place)
    base = f"sitroom-alarm-{readable}-{day:%Y%m%d}-{measure}-{digest.hexdigest()[:16]}"
    if msg_type == "Alert":
        return base
    what = (msg_type, alarm.acknowledged_by, alarm.acknowledged_reason, alarm.closed_by)
    change = hashlib.sha256(repr(what).encode()).hexdigest()[:8]
    return f"{base}-{msg_type.lower()}-{change}"


def alert_reference(alarm: Alarm, *, sender: str, sent: datetime) -> CapReference:
    """The reference to the Alert first sent for `alarm` (with `sent` as it was sent)."""
    return CapReference(sender, alarm_identifier(alarm, "Alert"), sent)


def alarm_to_cap(
    alarm: Alarm,
    *,
    sender: str,
    area: CapArea,
    sent: datetime,
    identifier: str | None = None,
    status: Status = "Actual",
    msg_type: MsgType | None = None,
    scope: Scope = "Public",
    references: Sequence[CapReference] = (),
    restriction: str | None = None,
    addresses: str | None = None,
) -> bytes:
    """One CAP 1.2 `<alert>` for `alarm`, UTF-8 with an XML declaration.

    `msg_type` defaults to the one the alarm's state calls for; Update and Cancel need
    `references` to the message(s) they update or cancel. `sent` must carry a time zone; the
    alarm's day is taken to start at midnight in that zone (CAP's `onset`)."""
    msg_type = msg_type or msg_type_for(alarm)
    identifier = identifier or alarm_identifier(alarm, msg_type)
    for name, value in (("sender", sender), ("identifier", identifier)):
        problem = sender_or_identifier_problem(value)
        if problem:
            raise ValueError(f"{name} {value!r} {problem}")
    if msg_type != "Alert" and not references:
        raise ValueError(f"a CAP {msg_type} must reference the message(s) it refers to")
    if scope == "Restricted" and not restriction:
        raise ValueError("a Restricted CAP alert needs a restriction saying who may see it")
    if scope == "Private" and not addresses:
        raise ValueError("a Private CAP alert needs addresses")
    for ref in references:
        for value in (ref.sender, ref.identifier):
            problem = sender_or_identifier_problem(value)
            if problem:
                raise ValueError(f"reference {value!r} {problem}")

    root = ET.Element(_q("alert"))
    _add(root, "identifier", identifier)
    _add(root, "sender", sender)
    _add(root, "sent", cap_datetime(sent))
    _add(root, "status", status)
    _add(root, "msgType", msg_type)
    _add(root, "scope", scope)
    if scope == "Restricted" and restriction:
        _add(root, "restriction", restriction)
    if addresses:
        _add(root, "addresses", addresses)
    note = _note(alarm)
    if note:
        _add(root, "note", note)
    if references:
        _add(root, "references", " ".join(str(ref) for ref in references))
    _info(root, alarm, area, sent, msg_type)
    ET.indent(root)
    document: bytes = ET.tostring(
        root, encoding="utf-8", xml_declaration=True, default_namespace=NS
    )
    return document


def validate_cap(xml: bytes) -> list[str]:
    """Problems that make `xml` other than a valid CAP 1.2 alert; empty when it is valid.

    The OASIS schema (bundled, read with no network access) comes first, then the rules of
    the standard's section 3 that the schema cannot express."""
    return cap_problems(xml)


def _info(root: ET.Element, alarm: Alarm, area: CapArea, sent: datetime, msg_type: MsgType) -> None:
    urgency, severity, certainty = cap_grading(alarm, msg_type)
    definition = alarm.measure.definition
    noun = _EVENT_NOUNS.get(alarm.measure, definition.label.lower())
    info = _add(root, "info")
    _add(info, "language", "en")
    _add(info, "category", "Security")
    _add(info, "event", f"Surge in {noun} at {alarm.place}")
    _add(info, "responseType", "AllClear" if msg_type == "Cancel" else "Monitor")
    _add(info, "urgency", urgency)
    _add(info, "severity", severity)
    _add(info, "certainty", certainty)
    _add(info, "effective", cap_datetime(sent))
    _add(info, "onset", cap_datetime(datetime.combine(alarm.day, time(0), sent.tzinfo)))
    _add(info, "senderName", "sitroom")
    prefix = {"Update": "Acknowledged: ", "Cancel": "Closed: "}.get(msg_type, "")
    _add(
        info,
        "headline",
        f"{prefix}{alarm.level.value.capitalize()} alarm: surge in {noun} "
        f"at {alarm.place} on {alarm.day.isoformat()}",
    )
    probability = (
        ""
        if alarm.probability is None
        else f", probability of a surge {_number(alarm.probability)}"
    )
    _add(
        info,
        "description",
        f"{definition.label} at {alarm.place} on {alarm.day.isoformat()}: "
        f"{_number(alarm.observed)} {definition.unit} observed against "
        f"{_number(alarm.expected)} expected; the alarm threshold (the upper bound around "
        f"the expected value) was {_number(alarm.threshold)}. Detected by method "
        f"{alarm.method}; level {alarm.level.value}{probability}. "
        f"Raised at {_moment(alarm.raised_at)}.",
    )
    parameters = [
        ("measure", alarm.measure.value),
        ("place", alarm.place),
        ("day", alarm.day.isoformat()),
        ("observed", _number(alarm.observed)),
        ("expected", _number(alarm.expected)),
        ("threshold", _number(alarm.threshold)),
        ("method", alarm.method),
        ("level", alarm.level.value),
        ("state", alarm.state.value),
    ]
    if alarm.probability is not None:
        parameters.append(("probability", _number(alarm.probability)))
    for name, value in parameters:
        parameter = _add(info, "parameter")
        _add(parameter, "valueName", name)
        _add(parameter, "value", value)
    area_element = _add(info, "area")
    _add(area_element, "areaDesc", area.desc)
    for ring in area.polygons:
        _add(area_element, "polygon", " ".join(f"{lat},{lon}" for lat, lon in ring))
    for name, value in area.geocodes:
        geocode = _add(area_element, "geocode")
        _add(geocode, "valueName", name)
        _add(geocode, "value", value)


def _note(alarm: Alarm) -> str | None:
    if alarm.state is AlarmState.ACKNOWLEDGED:
        return f"Acknowledged by {alarm.acknowledged_by}: {alarm.acknowledged_reason}"
    if alarm.state is AlarmState.CLOSED:
        return f"Closed by {alarm.closed_by}"
    return None


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _q(tag))
    if text is not None:
        element.text = _NOT_XML_CHAR.sub("\ufffd", text)
    return element


def _number(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if abs(value) < 1:
        return f"{value:.3g}"  # keeps a small probability from reading as 0
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _moment(moment: datetime) -> str:
    return cap_datetime(moment) if moment.utcoffset() is not None else moment.isoformat()
