"""A real SMTP server on the loopback interface (aiosmtpd) that keeps what it receives, so
e-mail is tested as it travels: smtplib speaks SMTP to a server, no mock in between."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.web.browser import free_port

__all__ = ["Mailbox", "local_smtp"]


@dataclass
class Mailbox:
    """What the server received, and how to reach it."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls it so
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@contextmanager
def local_smtp(*, login: tuple[str, str] | None = None) -> Iterator[Mailbox]:
    """An SMTP server on a free loopback port for the block; with ``login``, it asks for that
    user name and password (AUTH over the plain connection, as a LAN relay may)."""
    box = Mailbox(free_port())

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and login is not None and (
            data.login.decode(), data.password.decode()) == login
        return AuthResult(success=ok, handled=False)

    options: dict[str, Any] = {"authenticator": check, "auth_required": True, "auth_require_tls": False} if login else {}
    controller = Controller(box, hostname="127.0.0.1", port=box.port, **options)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
