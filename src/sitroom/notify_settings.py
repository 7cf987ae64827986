"""Settings of the notifications: the SMTP server mail goes through, and how webhooks may be
reached. Read from SITROOM_* variables by `load_notification_settings`, part of `Settings`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class SmtpSecurity(StrEnum):
    NONE = "none"  # plain SMTP: only for a relay on the same host or a test server
    STARTTLS = "starttls"
    TLS = "tls"  # implicit TLS (SMTPS, usually port 465)


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_security: SmtpSecurity = SmtpSecurity.STARTTLS
    smtp_username: str = ""
    smtp_password: str = ""
    mail_from: str = "sitroom@localhost"
    # Who CAP alerts (the Atom feed, notifications) say they come from: an address-like name.
    cap_sender: str = "sitroom@localhost"
    # How long one SMTP conversation or webhook call may take.
    timeout_seconds: float = 10.0
    # Tests only: webhooks may then reach this machine (127.0.0.0/8, ::1), over http too.
    # `load_notification_settings` refuses it, so no deployment can turn the SSRF guard off.
    allow_loopback_webhooks: bool = False


def load_notification_settings(
    env: Mapping[str, str], error: type[ValueError]
) -> NotificationSettings:
    if env.get("SITROOM_ALLOW_LOOPBACK_WEBHOOKS", "").strip():
        raise error(
            "SITROOM_ALLOW_LOOPBACK_WEBHOOKS is refused: webhooks to this machine or private "
            "networks are never allowed outside the test suite"
        )
    security = env.get("SITROOM_SMTP_SECURITY", "starttls").strip().lower()
    if security not in set(SmtpSecurity):
        raise error(f"SITROOM_SMTP_SECURITY must be one of {', '.join(SmtpSecurity)}")
    port = env.get("SITROOM_SMTP_PORT", "").strip()
    return NotificationSettings(
        smtp_host=env.get("SITROOM_SMTP_HOST", "localhost").strip(),
        smtp_port=int(port) if port else (465 if security == SmtpSecurity.TLS else 587),
        smtp_security=SmtpSecurity(security),
        smtp_username=env.get("SITROOM_SMTP_USERNAME", ""),
        smtp_password=env.get("SITROOM_SMTP_PASSWORD", ""),
        mail_from=env.get("SITROOM_MAIL_FROM", "sitroom@localhost").strip(),
        cap_sender=env.get("SITROOM_CAP_SENDER", "sitroom@localhost").strip(),
        timeout_seconds=float(env.get("SITROOM_NOTIFY_TIMEOUT_SECONDS", "10")),
    )
