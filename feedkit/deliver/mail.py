"""Delivering a message over SMTP: one copy per recipient, every failure one clear line.

Decides nothing about what to send; renders no templates. The SMTP password comes with the
settings (only from ``FEEDKIT_SMTP_PASSWORD``) and never appears in any message.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import getaddresses

from feedkit.errors import MailError
from feedkit.settings import SmtpSettings, is_address


def valid_address(text: str) -> bool:
    """True for a single deliverable address such as ``a@example.org`` or ``Name <a@b.org>``
    (the same rule feedkit.toml's addresses are checked with)."""
    return is_address(text)


def send(msg: EmailMessage, recipients: Sequence[str], settings: SmtpSettings) -> None:
    """Deliver one copy per recipient (each sees only their own address in To).

    Raises ``MailError`` with one line for a refused login, recipient or connection. Copies
    already accepted before a failure stay delivered; the caller records nothing, so the next
    run sends again (with the same Message-ID).
    """
    if not settings.host:
        raise MailError("no SMTP server: set [smtp] host in feedkit.toml or FEEDKIT_SMTP_HOST")
    where = f"{settings.host}:{settings.effective_port}"
    try:
        with _connect(settings) as smtp:
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            for recipient in recipients:
                copy = _with_recipient(msg, recipient)
                bare = [addr for _, addr in getaddresses([recipient])]
                smtp.send_message(copy, to_addrs=bare)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"{where}: login refused for {settings.username!r} "
                        f"({_said(exc.smtp_code, exc.smtp_error)}); check "
                        "FEEDKIT_SMTP_PASSWORD") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(f"{addr} ({_said(*answer)})" for addr, answer in
                            exc.recipients.items())
        raise MailError(f"{where}: recipient refused: {refused}") from exc
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(f"{where}: sender {exc.sender!r} refused "
                        f"({_said(exc.smtp_code, exc.smtp_error)}); check [digest] from") from exc
    except smtplib.SMTPNotSupportedError as exc:  # no STARTTLS or AUTH: not a dropped line
        raise MailError(f"{where}: {str(exc).rstrip('.')}; check [smtp] security and "
                        "username") from exc
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"{where}: the server refused the message "
                        f"({_said(exc.smtp_code, exc.smtp_error)})") from exc
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        # smtplib turns a read timeout into SMTPServerDisconnected("Connection unexpectedly
        # closed: timed out"); the timeout is its __context__
        timed_out = isinstance(exc, socket.timeout | TimeoutError) or \
            isinstance(exc.__context__, socket.timeout | TimeoutError)
        reason = "timed out" if timed_out else (str(exc) or type(exc).__name__)
        raise MailError(f"{where}: connection failed or dropped: {reason}") from exc


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    port = settings.effective_port
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(settings.host, port, timeout=settings.timeout,
                                context=ssl.create_default_context())
    smtp = smtplib.SMTP(settings.host, port, timeout=settings.timeout)
    if settings.security == "starttls":
        try:
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
    return smtp


def _with_recipient(msg: EmailMessage, recipient: str) -> EmailMessage:
    copy = EmailMessage(policy=SMTP)
    for name, value in msg.items():
        copy[name] = recipient if name.lower() == "to" else value
    copy.set_payload(msg.get_payload())
    return copy


def _said(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"
