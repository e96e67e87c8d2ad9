"""Email to users: one small interface, SMTP in production, the log in development.

`make_mailer(settings)` picks SMTP when `smtp_host` is set (or `email_backend = "smtp"`),
else a mailer that writes each message to the `aifilm.server.mail` log.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from aifilm.server.config import ServerSettings

log = logging.getLogger("aifilm.server.mail")


@dataclass(frozen=True)
class Mail:
    """One plain-text message."""

    to: str
    subject: str
    body: str


class Mailer(Protocol):
    """Sends mail; raises `OSError` or `smtplib.SMTPException` when it could not."""

    def send(self, mail: Mail) -> None: ...


class LogMailer:
    """Development: the message goes to the log instead of an inbox."""

    def send(self, mail: Mail) -> None:
        log.info("email to %s: %s\n%s", mail.to, mail.subject, mail.body)


class SmtpMailer:
    """Sends through an SMTP server (STARTTLS when offered and enabled, login when set)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        user: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls = user, password, starttls
        self.timeout = timeout

    def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.ehlo()
            if self.starttls and smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


def make_mailer(settings: ServerSettings) -> Mailer:
    """The mailer the settings ask for."""
    backend = settings.email_backend or ("smtp" if settings.smtp_host else "log")
    if backend == "log" or not settings.smtp_host:  # settings refuse smtp without a host
        return LogMailer()
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.email_from,
        settings.smtp_user,
        settings.smtp_password,
        settings.smtp_starttls,
    )


def send_quietly(mailer: Mailer, mail: Mail) -> bool:
    """Send, logging (not raising) a failure: a lost email must not undo a payment."""
    try:
        mailer.send(mail)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send email to %s: %s", mail.to, mail.subject)
        return False
    return True
