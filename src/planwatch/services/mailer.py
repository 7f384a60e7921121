"""E-mail through the SMTP server an administrator named in the settings (the district's mail
relay), with the standard library's smtplib: one connection per batch, UTF-8 messages."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr

from planwatch.errors import PlanWatchError
from planwatch.services.settings import SmtpSettings

__all__ = ["MailFailed", "Recipient", "send_mail"]

TIMEOUT_S = 15

Recipient = tuple[str, str]  # display name, address


class MailFailed(PlanWatchError):
    """The mail server could not be reached or refused the message; names the server and why."""

    def __init__(self, smtp: SmtpSettings, problem: str) -> None:
        super().__init__(f"邮件服务器 {smtp.host}:{smtp.port} 未能发出邮件：{problem}")


def _message(smtp: SmtpSettings, to: Recipient, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("规划实施监测评估平台", smtp.sender))
    name, address = to
    message["To"] = Address(display_name=name, addr_spec=address)
    message["Subject"] = subject
    message.set_content(body)
    return message


def send_mail(smtp: SmtpSettings, recipients: Sequence[Recipient], subject: str, body: str) -> int:
    """Send one message to each recipient over one connection; returns how many the server
    accepted. Raises :class:`MailFailed` when the server cannot be used at all."""
    if not recipients:
        return 0
    try:
        client: smtplib.SMTP
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT_S, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_S)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.username:
                client.login(smtp.username, smtp.password)
            sent = 0
            for recipient in recipients:
                try:
                    client.send_message(_message(smtp, recipient, subject, body))
                    sent += 1
                except smtplib.SMTPRecipientsRefused:
                    continue  # one bad address does not stop the others; the count tells
            return sent
    except (OSError, smtplib.SMTPException) as exc:
        raise MailFailed(smtp, _reason(exc)) from exc


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "用户名或密码不正确"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "服务器不支持 STARTTLS，请把加密方式改为 none 或 ssl"
    if isinstance(exc, TimeoutError):
        return f"{TIMEOUT_S} 秒内没有响应"
    if isinstance(exc, socket.gaierror):
        return "找不到这个服务器地址"
    if isinstance(exc, ConnectionRefusedError):
        return "连接被拒绝（地址或端口不对，或服务器未运行）"
    if isinstance(exc, ssl.SSLError):
        return f"加密连接失败（{exc.reason or exc}）"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"服务器回答 {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "服务器断开了连接"
    return "网络错误，无法与服务器通信"
