"""The public feed of alarms: Atom (RFC 4287), each entry carrying its alarm as a CAP 1.2
document. Public means computed from shared figures only (domain.audiences.SHARED_ONLY): an
alarm that a restricted figure raised, or changed, never appears in it."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy.orm import Session

from ..domain.alarms import AlarmState
from ..domain.audiences import SHARED_ONLY
from ..interchange.cap import alarm_identifier
from .alarms import CapAlert, cap_alerts

ATOM = "http://www.w3.org/2005/Atom"
CAP_MEDIA_TYPE = "application/cap+xml"
ENTRIES = 200


def public_feed(session: Session, *, feed_url: str, sender: str, now: datetime) -> bytes:
    """The latest alarms on shared figures, newest day first, in every state: a closed alarm
    stays in the feed as a CAP Cancel. Three queries."""
    alerts = cap_alerts(
        session,
        readers=SHARED_ONLY,
        states=tuple(AlarmState),
        sender=sender,
        now=now,
        limit=ENTRIES,
    )
    updated = max((_updated(a) for a in alerts), default=now)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        f'<feed xmlns="{ATOM}">',
        f"<id>{escape(feed_url)}</id>",
        "<title>sitroom: alarms on shared figures</title>",
        f"<updated>{updated.isoformat()}</updated>",
        f"<author><name>{escape(sender)}</name></author>",
        f'<link rel="self" href={quoteattr(feed_url)}/>',
    ]
    parts += [_entry(alert) for alert in alerts]
    parts.append("</feed>\n")
    return "".join(parts).encode()


def _updated(alert: CapAlert) -> datetime:
    a = alert.alarm
    return a.closed_at or a.acknowledged_at or a.raised_at


def _entry(alert: CapAlert) -> str:
    a = alert.alarm
    title = (
        f"{a.level.value.capitalize()} alarm ({a.state.value}): {a.measure.definition.label} "
        f"at {a.place} on {a.day.isoformat()}"
    )
    summary = (
        f"{a.observed:.0f} against {a.expected:.1f} expected (threshold {a.threshold:.1f}, "
        f"method {a.method})."
    )
    # The CAP document goes in as XML (an XML media type makes Atom content inline XML), so a
    # reader can take the <alert> element as it is; its declaration cannot stay inside.
    document = alert.document.decode()
    if document.startswith("<?xml"):
        document = document[document.index("?>") + 2 :].lstrip()
    return (
        "<entry>"
        f"<id>urn:sitroom:alarm:{escape(alarm_identifier(a, 'Alert'))}</id>"
        f"<title>{escape(title)}</title>"
        f"<updated>{_updated(alert).isoformat()}</updated>"
        f"<published>{a.raised_at.isoformat()}</published>"
        f"<summary>{escape(summary)}</summary>"
        f'<content type="{CAP_MEDIA_TYPE}">{document}</content>'
        "</entry>"
    )
