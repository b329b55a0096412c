"""``Digest`` → an RFC 5322 ``multipart/alternative`` message with every header a list mail
needs. Pure: the same digest, sender and date give the same bytes; nothing is sent here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from feedkit.render.email import Digest

TEST_PREFIX = "[TEST] "


def build_message(digest: Digest, *, sender: str, recipients: Sequence[str], date: datetime,
                  list_id: str, unsubscribe_url: str | None = None, test: bool = False
                  ) -> EmailMessage:
    """The digest as an email: text and HTML alternatives, and every header a list mail needs.

    Deterministic: the same digest gives the same bytes (Date from the window's end, the
    MIME boundary and Message-ID from the digest's id).
    """
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    # never show subscribers each other's address (digest.eml sits in a folder that may be
    # published): one recipient is named, several are not; send() addresses each copy itself
    msg["To"] = recipients[0] if len(recipients) == 1 else "undisclosed-recipients:;"
    msg["Subject"] = (TEST_PREFIX if test else "") + digest.subject
    msg["Date"] = format_datetime(date)
    # a test send gets its own Message-ID, one per send: a mailbox that saw a test would
    # otherwise drop the real issue, or the next test after a template change, as a duplicate
    msg["Message-ID"] = digest.message_id.replace(
        "<digest-", f"<test-{date.astimezone(UTC):%Y%m%dT%H%M%S}-digest-") if test \
        else digest.message_id
    msg["List-Id"] = list_id
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        if unsubscribe_url.startswith("https://"):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    msg["X-Feedkit-Digest"] = digest.id
    msg.set_content(digest.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(digest.html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg.set_boundary(f"feedkit-{digest.id}")
    return msg


def message_bytes(msg: EmailMessage) -> bytes:
    """The message as it goes on the wire (CRLF line ends)."""
    return msg.as_bytes(policy=SMTP)
