"""Email through the configured SMTP server (standard library smtplib)."""

from __future__ import annotations

import functools
import smtplib
import socket
from email.message import EmailMessage

from ...notify_settings import NotificationSettings, SmtpSecurity
from .messages import Notice
from .targets import tls_context


def send_email(settings: NotificationSettings, to: str, notice: Notice) -> None:
    """One message per call: a failure names the notification that did not go out. Raises
    OSError or smtplib.SMTPException when the server cannot be reached or refuses it."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = notice.subject()
    # The same Message-ID on every attempt: mail systems that saw it once may drop a repeat.
    domain = settings.mail_from.rpartition("@")[2] or "sitroom.invalid"
    message["Message-ID"] = f"<sitroom-notification-{notice.key}@{domain}>"
    message.set_content(notice.text())
    timeout = settings.timeout_seconds
    smtp: smtplib.SMTP
    if settings.smtp_security is SmtpSecurity.TLS:
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            local_hostname=_our_name(),
            timeout=timeout,
            context=tls_context(),
        )
    else:
        smtp = smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, local_hostname=_our_name(), timeout=timeout
        )
    with smtp:
        if settings.smtp_security is SmtpSecurity.STARTTLS:
            smtp.starttls(context=tls_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


@functools.cache
def _our_name() -> str:
    """The name this host gives in EHLO, looked up once: smtplib would ask the resolver for it
    on every connection (about 20 ms here)."""
    return socket.getfqdn()
