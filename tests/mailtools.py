"""Helpers for mail tests: an in-process SMTP server on 127.0.0.1 (aiosmtpd) that collects
what it is sent, and servers that misbehave (refuse, drop the line, never answer)."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass
class Received:
    """One message as the server got it: the envelope and the parsed content."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=default)  # type: ignore[return-value]


@dataclass
class Sink:
    """An aiosmtpd handler: accepts every message, except recipients listed in ``refuse``."""

    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content))
        return "250 OK"


class _LocalController(Controller):
    """A controller that may bind port 0: it learns the real port before its first connect."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Server:
    host: str
    port: int
    sink: Sink


@contextmanager
def smtp_server(*, refuse: set[str] | None = None,
                credentials: tuple[str, str] | None = None) -> Iterator[Server]:
    """An SMTP server on 127.0.0.1 (no TLS). With ``credentials`` it offers AUTH and accepts
    only that user name and password."""
    sink = Sink(refuse=set(refuse or ()))
    kwargs: dict[str, object] = {}
    if credentials is not None:
        user, password = credentials

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and \
                (auth_data.login, auth_data.password) == (user.encode(), password.encode())
            sink.logins.append((auth_data.login, auth_data.password))
            return AuthResult(success=ok, handled=False)

        kwargs = {"auth_require_tls": False, "authenticator": authenticator}
    controller = _LocalController(sink, hostname=HOST, port=0, **kwargs)
    controller.start()
    try:
        yield Server(HOST, controller.port, sink)
    finally:
        controller.stop()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def raw_server(*, greet: bool) -> Iterator[int]:
    """A listener that misbehaves with one client: with ``greet`` it says 220, answers the
    first command with 250 and then hangs up; without, it accepts and never says a word."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(1)
    listener.settimeout(0.05)
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(10)
                if greet:
                    conn.sendall(b"220 test ESMTP\r\n")
                    conn.recv(1024)
                    conn.sendall(b"250 test\r\n")
                    conn.recv(1024)  # the next command: then drop the connection
                else:
                    done.wait(10)  # silent until the test is over
            return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        done.set()
        thread.join(10)
        listener.close()
