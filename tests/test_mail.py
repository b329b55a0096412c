"""mail.py: the digest as an RFC 5322 message, and its delivery over SMTP to an in-process
aiosmtpd server on 127.0.0.1 (never the network)."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.policy import default
from html.parser import HTMLParser
from pathlib import Path

import pytest
from factories import SITE_URL, make_article, make_site
from mailtools import closed_port, raw_server, smtp_server

from feedkit import settings
from feedkit.deliver.mail import send, valid_address
from feedkit.errors import ConfigError, MailError
from feedkit.model import CallToAction, Image
from feedkit.render.email import Digest, render_digest
from feedkit.render.message import build_message, message_bytes
from feedkit.selection import Window
from feedkit.settings import DigestSettings, SmtpSettings

WINDOW = Window(datetime(2025, 2, 1, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC))
SENDER = "News <news@example.org>"
PASSWORD = "s3cret-Pa55"


def _digest(**options: object) -> Digest:
    articles = [
        make_article(slug="second", title="Second", published=datetime(2025, 2, 9, tzinfo=UTC),
                     description="The second one.",
                     hero_image=Image("https://img.example.org/second.jpg", "A harbour"),
                     cta=CallToAction("Join the list", "https://news.example.org/join?a=1&b=2")),
        make_article(slug="first", title="First", published=datetime(2025, 2, 5, tzinfo=UTC),
                     description="The first one.", cta=CallToAction("Tell a friend")),
    ]
    return render_digest(make_site(), articles, window=WINDOW,
                         settings=DigestSettings(**options))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def digest() -> Digest:
    return _digest(unsubscribe_url="https://news.example.org/unsubscribe?u=1")


def _message(digest: Digest, **kw: object):
    args: dict[str, object] = {"sender": SENDER, "recipients": ["a@example.org"],
                               "date": WINDOW.until, "list_id": "News <digest.news.example.org>",
                               "unsubscribe_url": None}
    args.update(kw)
    return build_message(digest, **args)  # type: ignore[arg-type]


def _parse(data: bytes):
    return email.message_from_bytes(data, policy=default)


def _unwire(text: str) -> str:
    """A part's text as rendered: the wire's CRLF back to LF, the final newline dropped."""
    return text.replace("\r\n", "\n").rstrip("\n")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if k == "href" and v]


def _hrefs(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


# -- the message ------------------------------------------------------------------------------


def test_message_has_every_list_header(digest: Digest) -> None:
    msg = _parse(message_bytes(_message(
        digest, recipients=["a@example.org", "B <b@example.org>"],
        unsubscribe_url="https://news.example.org/unsubscribe?u=1")))
    assert msg["From"] == SENDER
    # several recipients: nobody sees the others, not even in the .eml file
    assert msg["To"] == "undisclosed-recipients:;"
    assert msg["Bcc"] is None and b"b@example.org" not in message_bytes(_message(
        digest, recipients=["a@example.org", "B <b@example.org>"]))
    assert msg["Subject"] == digest.subject == "News: 2 new articles (2025-02-28)"
    assert msg["Date"] == "Sat, 01 Mar 2025 00:00:00 +0000"
    assert msg["Message-ID"] == digest.message_id
    assert re.fullmatch(r"<digest-[0-9a-f]{16}@news\.example\.org>", digest.message_id)
    assert msg["List-Id"] == "News <digest.news.example.org>"
    assert msg["List-Unsubscribe"] == "<https://news.example.org/unsubscribe?u=1>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_mailto_unsubscribe_gets_no_one_click_header(digest: Digest) -> None:
    msg = _parse(message_bytes(_message(digest,
                                        unsubscribe_url="mailto:leave@example.org")))
    assert msg["List-Unsubscribe"] == "<mailto:leave@example.org>"
    assert msg["List-Unsubscribe-Post"] is None


def test_no_unsubscribe_url_means_no_unsubscribe_headers(digest: Digest) -> None:
    msg = _parse(message_bytes(_message(digest)))
    assert msg["List-Unsubscribe"] is None and msg["List-Unsubscribe-Post"] is None


def test_both_parts_round_trip(digest: Digest) -> None:
    msg = _parse(message_bytes(_message(digest)))
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert _unwire(parts[0].get_content()) == _unwire(digest.text)
    assert _unwire(parts[1].get_content()) == _unwire(digest.html)
    assert all(p.get_content_charset() == "utf-8" for p in parts)


def test_every_link_of_the_html_part_is_in_the_text_part(digest: Digest) -> None:
    msg = _parse(message_bytes(_message(digest)))
    text, html = (p.get_content() for p in msg.iter_parts())
    hrefs = set(_hrefs(html))
    assert "https://news.example.org/join?a=1&b=2" in hrefs  # the parser unescapes &amp;
    assert "https://news.example.org/unsubscribe?u=1" in hrefs
    assert [h for h in sorted(hrefs) if h not in text] == []


def test_wire_format_is_crlf_with_short_lines(digest: Digest) -> None:
    data = message_bytes(_message(digest))
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998  # RFC 5322 2.1.1
    assert data.isascii()  # quoted-printable bodies: safe for any relay


def test_message_bytes_are_deterministic() -> None:
    one, two = _digest(), _digest()
    assert message_bytes(_message(one)) == message_bytes(_message(two))


def test_test_message_prefixes_the_subject_and_keeps_the_other_headers(digest: Digest) -> None:
    real = _parse(message_bytes(_message(digest)))
    test = _parse(message_bytes(_message(digest, test=True)))
    assert test["Subject"] == "[TEST] " + real["Subject"]
    for name in ("From", "To", "Date", "List-Id"):
        assert test[name] == real[name], name
    # a test gets its own Message-ID so a mailbox that saw it keeps the real issue
    assert test["Message-ID"] != real["Message-ID"]


def test_subject_is_one_line_even_with_newlines_in_the_site_title() -> None:
    site = make_site(title="News\r\nBcc: victim@example.org")
    digest = render_digest(site, [make_article()], window=WINDOW, settings=DigestSettings())
    data = message_bytes(_message(digest))
    headers = data.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in headers
    assert _parse(data)["Subject"] == "News Bcc: victim@example.org: 1 new article (2025-02-28)"


@pytest.mark.parametrize(("address", "ok"), [
    ("a@example.org", True),
    ("Ann Example <ann@example.org>", True),
    ("not an address", False),
    ("", False),
    ("a@example.org\r\nBcc: b@example.org", False),
    ("<@>", False),
])
def test_valid_address(address: str, ok: bool) -> None:
    assert valid_address(address) is ok


# -- sending ----------------------------------------------------------------------------------


def _settings(port: int, **kw: object) -> SmtpSettings:
    values: dict[str, object] = {"host": "127.0.0.1", "port": port, "security": "none",
                                 "timeout": 5.0}
    values.update(kw)
    return SmtpSettings(**values)  # type: ignore[arg-type]


def test_send_delivers_one_copy_per_recipient(digest: Digest) -> None:
    recipients = ["a@example.org", "Bee <b@example.org>"]
    msg = _message(digest, recipients=recipients,
                   unsubscribe_url="https://news.example.org/unsubscribe?u=1")
    with smtp_server() as server:
        send(msg, recipients, _settings(server.port))
    got = server.sink.received
    assert [(r.mail_from, r.rcpt_tos) for r in got] == [
        ("news@example.org", ["a@example.org"]), ("news@example.org", ["b@example.org"])]
    for received, recipient in zip(got, recipients, strict=True):
        message = received.message
        assert message["To"] == recipient  # nobody sees the other subscribers
        for name in ("From", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe",
                     "List-Unsubscribe-Post"):
            assert message[name] == msg[name], name
        text, html = (_unwire(p.get_content()) for p in message.iter_parts())
        assert (text, html) == (_unwire(digest.text), _unwire(digest.html))


@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning")
def test_send_logs_in_with_the_password(digest: Digest) -> None:
    with smtp_server(credentials=("newsletter", PASSWORD)) as server:
        send(_message(digest), ["a@example.org"], _settings(server.port, username="newsletter",
                                                            password=PASSWORD))
    assert server.sink.logins == [(b"newsletter", PASSWORD.encode())]
    assert len(server.sink.received) == 1
    assert PASSWORD.encode() not in server.sink.received[0].data


def test_refused_login_is_one_line_without_the_password(digest: Digest) -> None:
    with smtp_server(credentials=("newsletter", "other")) as server, \
            pytest.raises(MailError) as caught:
        send(_message(digest), ["a@example.org"], _settings(server.port, username="newsletter",
                                                            password=PASSWORD))
    message = str(caught.value)
    assert message == (f"127.0.0.1:{server.port}: login refused for 'newsletter' (535 5.7.8 "
                       "Authentication credentials invalid); check FEEDKIT_SMTP_PASSWORD")
    assert PASSWORD not in message
    assert server.sink.received == []


def test_refused_recipient_is_one_line(digest: Digest) -> None:
    with smtp_server(refuse={"gone@example.org"}) as server, pytest.raises(MailError) as caught:
        send(_message(digest), ["gone@example.org"], _settings(server.port))
    assert str(caught.value) == (f"127.0.0.1:{server.port}: recipient refused: "
                                 "gone@example.org (550 5.1.1 mailbox unavailable)")


def test_a_refusal_midway_fails_the_send_after_earlier_copies_went_out(digest: Digest) -> None:
    # at least once: the run records nothing, so the next run sends to everyone again (with
    # the same Message-ID, which lets the first reader's mailbox drop the duplicate)
    recipients = ["a@example.org", "gone@example.org", "c@example.org"]
    with smtp_server(refuse={"gone@example.org"}) as server, pytest.raises(MailError) as caught:
        send(_message(digest, recipients=recipients), recipients, _settings(server.port))
    assert "recipient refused: gone@example.org" in str(caught.value)
    assert [r.rcpt_tos for r in server.sink.received] == [["a@example.org"]]


def test_non_ascii_headers_round_trip(digest: Digest) -> None:
    site = make_site(title="Hafen-Zeitung für Groß und Klein — Ausgabe mit einem sehr langen Namen")
    german = render_digest(site, [make_article()], window=WINDOW, settings=DigestSettings())
    data = message_bytes(_message(german, sender="Hafen-Zeitung Köln <news@example.org>",
                                  recipients=["Zoë Müller <zoe@example.org>"]))
    assert data.isascii()
    msg = _parse(data)
    assert msg["Subject"] == german.subject
    assert german.subject.startswith("Hafen-Zeitung für Groß und Klein — Ausgabe")
    assert msg["From"] == "Hafen-Zeitung Köln <news@example.org>"
    assert msg["To"] == "Zoë Müller <zoe@example.org>"


@contextmanager
def _nothing_listening() -> Iterator[int]:
    yield closed_port()


@pytest.mark.parametrize("peer", [_nothing_listening, lambda: raw_server(greet=True)],
                         ids=["nothing listening", "dropped connection"])
def test_a_connection_failure_is_one_line(digest: Digest, peer) -> None:
    with peer() as port, pytest.raises(MailError) as caught:
        send(_message(digest), ["a@example.org"], _settings(port))
    message = str(caught.value)
    assert message.startswith(f"127.0.0.1:{port}: connection failed or dropped: ")
    assert "\n" not in message


def test_silent_server_times_out(digest: Digest) -> None:
    with raw_server(greet=False) as port, pytest.raises(MailError) as caught:
        send(_message(digest), ["a@example.org"], _settings(port, timeout=0.3))
    assert str(caught.value) == f"127.0.0.1:{port}: connection failed or dropped: timed out"


def test_starttls_against_a_plain_server_is_refused(digest: Digest) -> None:
    with smtp_server() as server, pytest.raises(MailError) as caught:
        send(_message(digest), ["a@example.org"], _settings(server.port, security="starttls"))
    assert str(caught.value) == (f"127.0.0.1:{server.port}: STARTTLS extension not supported "
                                 "by server; check [smtp] security and username")
    assert server.sink.received == []  # never in clear text when TLS was asked for


def test_login_against_a_server_without_auth_is_refused(digest: Digest) -> None:
    with smtp_server() as server, pytest.raises(MailError) as caught:
        send(_message(digest), ["a@example.org"], _settings(server.port, username="newsletter",
                                                            password=PASSWORD))
    assert str(caught.value) == (f"127.0.0.1:{server.port}: SMTP AUTH extension not supported "
                                 "by server; check [smtp] security and username")
    assert server.sink.received == []


def test_no_smtp_host_is_a_clear_error(digest: Digest) -> None:
    with pytest.raises(MailError, match="no SMTP server: set \\[smtp\\] host"):
        send(_message(digest), ["a@example.org"], SmtpSettings(host=""))


@pytest.mark.parametrize(("security", "port"), [("ssl", 465), ("starttls", 587), ("none", 25)])
def test_default_port_follows_security(security: str, port: int) -> None:
    assert SmtpSettings(host="h", security=security).effective_port == port
    assert SmtpSettings(host="h", security=security, port=2525).effective_port == 2525


# -- the password -----------------------------------------------------------------------------


def _toml(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "feedkit.toml"
    path.write_text(f'[site]\nurl = "{SITE_URL}"\n{extra}', encoding="utf-8")
    return path


def test_password_comes_only_from_the_environment(tmp_path: Path) -> None:
    path = _toml(tmp_path, '[smtp]\nhost = "127.0.0.1"\nusername = "newsletter"\n')
    loaded = settings.load(path, env={"FEEDKIT_SMTP_PASSWORD": PASSWORD}, cwd=tmp_path)
    assert loaded.smtp.password == PASSWORD
    assert PASSWORD not in repr(loaded)
    assert settings.load(path, env={}, cwd=tmp_path).smtp.password is None


def test_password_in_the_config_file_is_an_error(tmp_path: Path) -> None:
    path = _toml(tmp_path, f'[smtp]\nhost = "127.0.0.1"\npassword = "{PASSWORD}"\n')
    with pytest.raises(ConfigError) as caught:
        settings.load(path, env={}, cwd=tmp_path)
    assert "smtp.password: passwords are never read from the config file" in str(caught.value)
    assert "FEEDKIT_SMTP_PASSWORD" in str(caught.value)
    assert PASSWORD not in str(caught.value)


def test_each_test_send_has_its_own_message_id(digest: Digest) -> None:
    real = build_message(digest, sender="A <a@example.org>", recipients=["b@example.org"],
                         date=datetime(2025, 2, 3, 7, 0, tzinfo=UTC), list_id="L <l.example>")
    tests = [build_message(digest, sender="A <a@example.org>", recipients=["b@example.org"],
                           date=datetime(2025, 2, 3, 7, minute, tzinfo=UTC),
                           list_id="L <l.example>", test=True) for minute in (0, 5)]
    ids = {real["Message-ID"], *(t["Message-ID"] for t in tests)}
    assert len(ids) == 3
    assert all(t["Message-ID"].startswith("<test-20250203T07") for t in tests)
