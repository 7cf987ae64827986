"""A filled form as a phone sends it: read with defusedxml, which refuses a DTD, entity
declarations and external references outright (nothing is ever expanded or fetched)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_INSTANCE_BYTES = 1024 * 1024
MAX_VALUE_CHARS = 5000


class InstanceRefused(ValueError):
    """The instance cannot be read; the message says why, for the phone to show."""


@dataclass(frozen=True, slots=True)
class GeoPoint:
    lat: float
    lon: float
    altitude: float | None
    accuracy: float | None


@dataclass(frozen=True, slots=True)
class FieldInstance:
    form_id: str
    version: str
    instance_id: str
    values: dict[str, str]

    def text(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def moment(self, name: str) -> datetime | None:
        """A timestamp the form recorded (start, end); None when absent or unreadable, since
        these describe the report and never decide whether it is kept."""
        try:
            moment = datetime.fromisoformat(self.text(name))
        except ValueError:
            return None
        return moment if moment.tzinfo is not None else None

    def point(self, name: str) -> GeoPoint | None:
        """An ODK geopoint, `lat lon altitude accuracy`; None when empty or malformed."""
        parts = self.text(name).split()
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            return None
        if len(numbers) < 2 or not (-90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180):
            return None
        extra = [*numbers[2:4], None, None]
        return GeoPoint(numbers[0], numbers[1], extra[0], extra[1])


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_instance(data: bytes) -> FieldInstance:
    if len(data) > MAX_INSTANCE_BYTES:
        raise InstanceRefused(f"the form data is larger than {MAX_INSTANCE_BYTES} bytes")
    try:
        root: Element = fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise InstanceRefused(
            "the form data declares a DTD or entities, which sitroom never reads"
        ) from None
    except ParseError as exc:
        raise InstanceRefused(f"the form data is not well-formed XML: {exc}") from None
    form_id = root.get("id", "").strip()
    if not form_id:
        raise InstanceRefused("the form data names no form (no id on its root element)")
    values: dict[str, str] = {}
    # Fields sit at any depth (groups); their names are unique in sitroom's forms, so the
    # last part of each leaf's path is its name. The meta block is read like any group.
    for element in root.iter():
        if element is root or len(element):
            continue
        value = (element.text or "").strip()
        if len(value) > MAX_VALUE_CHARS:
            raise InstanceRefused(
                f"{_local(element.tag)}: longer than {MAX_VALUE_CHARS} characters"
            )
        values[_local(element.tag)] = value
    instance_id = values.get("instanceID", "")
    if not instance_id:
        raise InstanceRefused("the form data has no meta/instanceID: resend it from the phone")
    if len(instance_id) > 100:
        raise InstanceRefused("the instance ID is longer than 100 characters")
    return FieldInstance(form_id, root.get("version", "").strip(), instance_id, values)
