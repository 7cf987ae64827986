"""What a notification says, the same facts for every channel: an email's subject and text, a
webhook's JSON body."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...domain.alarms import Alarm


@dataclass(frozen=True, slots=True)
class Notice:
    """One alarm, in one state, for one subscription."""

    subscription_id: int
    alarm_id: int
    alarm: Alarm

    @property
    def key(self) -> str:
        """The same for every attempt: a receiver can drop a repeat by it."""
        return f"{self.subscription_id}-{self.alarm_id}-{self.alarm.state.value}"

    def subject(self) -> str:
        a = self.alarm
        return (
            f"[sitroom] {a.level.value} alarm {a.state.value}: {a.measure.definition.label} "
            f"at {a.place} on {a.day.isoformat()}"
        )

    def text(self) -> str:
        a = self.alarm
        lines = [
            f"{a.measure.definition.label} at {a.place} on {a.day.isoformat()}: "
            f"{a.observed:.0f} against {a.expected:.1f} expected "
            f"(alarm threshold {a.threshold:.1f}, method {a.method}).",
            f"Level: {a.level.value}. State: {a.state.value}.",
        ]
        if a.acknowledged_by:
            lines.append(f"Acknowledged by {a.acknowledged_by}: {a.acknowledged_reason}")
        if a.closed_by:
            lines.append(f"Closed by {a.closed_by}: {a.closed_reason or 'no reason given'}")
        lines += [
            "",
            f"Alarm {self.alarm_id}; notification {self.key}.",
            "You receive this because of a sitroom subscription; manage it on the "
            "Subscriptions page.",
        ]
        return "\n".join(lines)

    def body(self, sent_at: datetime) -> bytes:
        a = self.alarm
        alarm: dict[str, Any] = {
            "id": self.alarm_id,
            "measure": a.measure.value,
            "place": a.place,
            "day": a.day.isoformat(),
            "method": a.method,
            "level": a.level.value,
            "state": a.state.value,
            "observed": a.observed,
            "expected": a.expected,
            "threshold": a.threshold,
            "raised_at": a.raised_at.isoformat(),
            "acknowledged_by": a.acknowledged_by,
            "acknowledged_reason": a.acknowledged_reason,
            "closed_by": a.closed_by,
            "closed_reason": a.closed_reason,
        }
        event = {
            "event": f"alarm.{a.state.value}",
            "delivery": self.key,
            "subscription": self.subscription_id,
            "sent_at": sent_at.isoformat(),
            "alarm": alarm,
        }
        return json.dumps(event, sort_keys=True).encode()
