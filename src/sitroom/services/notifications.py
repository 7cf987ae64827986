"""Telling people about alarms: a placeholder on this branch.

The notification engineer's version (subscriptions, email, signed webhooks) replaces this file
at merge; the live pipeline only relies on `deliver_alarm_notifications` and its signature.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..config import Settings


def deliver_alarm_notifications(settings: Settings, alarm_ids: Sequence[int]) -> None:  # noqa: ARG001
    """Hand these alarms to everyone subscribed to them. Idempotent; raises on a transient
    failure so that the queue retries. Here it does nothing yet: the notification engineer's
    version replaces it at merge."""
    return None
