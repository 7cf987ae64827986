"""Notifications of alarms: subscriptions (`subscriptions`), delivery by email and signed
webhook (`delivery`, `mail`, `webhook`), the SSRF guard (`targets`); docs/notifications.md.

The pipeline calls `deliver_alarm_notifications(settings, alarm_ids)` from a queue job after
alarms change, and retries the job with back-off when it raises."""

from .delivery import NotificationsFailed, deliver_alarm_notifications

__all__ = ["NotificationsFailed", "deliver_alarm_notifications"]
