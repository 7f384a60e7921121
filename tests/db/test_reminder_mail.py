"""催报 by e-mail through a real local SMTP server (aiosmtpd): the unit's clerks with an address
get a UTF-8 message naming what is owed; a server that refuses or is not there leaves the
reminder in the inbox and says why in Chinese; the password is never written to the audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from planwatch.services import reminders
from planwatch.services.mailer import MailFailed, send_mail
from planwatch.services.settings import SettingRejected, SmtpSettings, set_smtp, smtp_settings
from planwatch.store.models import AuditEvent, Reminder
from tests.conftest import seeded, user
from tests.smtp_server import local_smtp
from tests.web.browser import free_port

# the local server asks for a password over plain SMTP, as a LAN relay may; aiosmtpd warns of that
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def test_a_reminder_is_emailed_to_the_units_clerks(tmp_path: Path) -> None:
    with seeded("sqlite", tmp_path) as (session, d), local_smtp(login=("jiance", "Mail-2026!")) as box:
        clerk = user(session, d, "liu_mz")
        clerk.name, clerk.email = "刘明哲", "liu@mz.example.gov.cn"
        admin = user(session, d, "admin")
        set_smtp(session, admin, SmtpSettings("127.0.0.1", box.port, "none", "jiance@tjj.example.gov.cn", "jiance",
                                              "Mail-2026!", "https://jc.example.gov.cn"))
        outcome = reminders.send_reminder(session, user(session, d, "li_jc"), d.open_period, d.civil)
        assert (outcome.notified, outcome.emailed, outcome.email_error) == (1, 1, "")
        (message,) = box.messages
        assert box.recipients == [["liu@mz.example.gov.cn"]]
        assert message["To"] == "刘明哲 <liu@mz.example.gov.cn>" and "2025" in message["Subject"]
        body = message.get_content()
        assert "青川区民政局" in body and "指标数据 2 个" in body
        assert f"https://jc.example.gov.cn/entry?period={d.open_period}&unit={d.civil}" in body
        audit = session.scalars(select(AuditEvent).where(AuditEvent.entity == "settings")).one()
        assert audit.new is not None and audit.new["password"] == "******" and "Mail-2026!" not in str(audit.new)
        set_smtp(session, admin, SmtpSettings("127.0.0.1", box.port, "none", "jiance@tjj.example.gov.cn", "jiance"))
        assert smtp_settings(session).password == "Mail-2026!"  # a blank password field keeps the stored one


def test_a_server_that_is_not_there_leaves_the_inbox_message_and_says_why(tmp_path: Path) -> None:
    with seeded("sqlite", tmp_path) as (session, d):
        user(session, d, "liu_mz").email = "liu@mz.example.gov.cn"
        set_smtp(session, user(session, d, "admin"),
                 SmtpSettings("127.0.0.1", free_port(), "none", "jiance@tjj.example.gov.cn"))
        outcome = reminders.send_reminder(session, user(session, d, "li_jc"), d.open_period, d.civil)
        assert (outcome.notified, outcome.emailed) == (1, 0)
        assert "未能发出邮件：连接被拒绝" in outcome.email_error
        stored = session.scalars(select(Reminder)).one()
        assert stored.email_error == outcome.email_error and stored.notified == 1


def test_wrong_password_and_bad_settings_are_named() -> None:
    with local_smtp(login=("jiance", "Mail-2026!")) as box:
        smtp = SmtpSettings("127.0.0.1", box.port, "none", "jiance@tjj.example.gov.cn", "jiance", "wrong")
        with pytest.raises(MailFailed, match="用户名或密码不正确"):
            send_mail(smtp, [("刘明哲", "liu@mz.example.gov.cn")], "主题", "正文")
        assert box.messages == []


def test_settings_name_the_field_that_is_wrong(tmp_path: Path) -> None:
    with seeded("sqlite", tmp_path) as (session, d):
        admin = user(session, d, "admin")
        with pytest.raises(SettingRejected, match="发件人地址"):
            set_smtp(session, admin, SmtpSettings("smtp.example.gov.cn", 25, "starttls", ""))
        with pytest.raises(SettingRejected, match="加密方式"):
            set_smtp(session, admin, SmtpSettings("smtp.example.gov.cn", 25, "tls1.3", "a@b.cn"))
