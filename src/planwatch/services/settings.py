"""Settings an administrator switches while the app runs, stored so every app process and
the command line see the same value; every change is an audit event."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

from sqlalchemy.orm import Session

from planwatch.errors import FieldError
from planwatch.monitor.permissions import Action, PermissionDenied, check
from planwatch.services import region_scope
from planwatch.store.models import AuditEvent, Setting, User, utcnow

__all__ = ["FOUR_EYES", "REMINDER_INTERVAL", "SMTP", "SettingRejected", "SmtpSettings", "four_eyes_required",
           "reminder_interval_hours", "set_four_eyes", "set_reminder_interval", "set_smtp", "smtp_settings"]

FOUR_EYES: Final = "four_eyes"
REMINDER_INTERVAL: Final = "reminder_interval_hours"
SMTP: Final = "smtp"
DEFAULT_REMINDER_HOURS: Final = 24
_SECURITY = ("starttls", "ssl", "none")


class SettingRejected(FieldError):
    """A setting that cannot be stored as given; names the field and what is expected."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """The mail server reminders go out through; ``host`` blank means no e-mail is sent."""

    host: str = ""
    port: int = 25
    security: str = "starttls"  # starttls | ssl | none
    sender: str = ""  # the From address, e.g. jiance@tjj.example.gov.cn
    username: str = ""
    password: str = ""
    site_url: str = ""  # how users reach the site (links in e-mails), e.g. https://jc.example.gov.cn

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)


def _value(session: Session, key: str, default: Any) -> Any:
    row = session.get(Setting, key)
    return default if row is None else row.value


def _store(session: Session, actor: User | None, key: str, value: Any, *, shown_old: Any, shown_new: Any,
           reason: str = "") -> None:
    """Store ``value`` under ``key`` and audit the change as ``shown_old`` → ``shown_new`` (what
    the trail may show: never a password)."""
    if actor is not None:
        check(actor, Action.CONFIGURE)
        if not region_scope.region_of(session, actor).everywhere:
            raise PermissionDenied(actor.login, Action.CONFIGURE, "系统设置对所有地区生效，只能由不限地区的管理员更改")
    row = session.get(Setting, key)
    now = utcnow()
    actor_id = actor.id if actor else None
    if row is None:
        session.add(Setting(key=key, value=value, updated_at=now, updated_by_id=actor_id))
    else:
        row.value, row.updated_at, row.updated_by_id = value, now, actor_id
    session.add(AuditEvent(at=now, actor_id=actor_id, actor_login=actor.login if actor else "cli",
                           action="configure", entity="settings", entity_id=key,
                           old=shown_old, new=shown_new, reason=reason or None))
    session.flush()


def four_eyes_required(session: Session) -> bool:
    """Whether approving needs a second person; on unless an administrator switched it off."""
    return bool(_value(session, FOUR_EYES, True))


def set_four_eyes(session: Session, actor: User | None, required: bool, reason: str = "") -> None:
    """Switch the four-eyes rule (administrators only; ``actor`` None is the server's operator
    on the command line). A district with a one-person monitoring group may need it off."""
    old = four_eyes_required(session)
    _store(session, actor, FOUR_EYES, required, shown_old={"required": old}, shown_new={"required": required},
           reason=reason)


def reminder_interval_hours(session: Session) -> int:
    """How long after reminding a unit for a period the same unit may be reminded again."""
    return int(_value(session, REMINDER_INTERVAL, DEFAULT_REMINDER_HOURS))


def set_reminder_interval(session: Session, actor: User | None, hours: int) -> None:
    if not 1 <= hours <= 24 * 30:
        raise SettingRejected("催报间隔", f"应为 1 到 720 小时之间的整数，实际为 {hours}")
    old = reminder_interval_hours(session)
    _store(session, actor, REMINDER_INTERVAL, hours, shown_old={"hours": old}, shown_new={"hours": hours})


def smtp_settings(session: Session) -> SmtpSettings:
    stored = _value(session, SMTP, None)
    return SmtpSettings(**stored) if isinstance(stored, dict) else SmtpSettings()


def _shown(smtp: SmtpSettings) -> dict[str, Any]:
    return {**asdict(smtp), "password": "******" if smtp.password else ""}


def set_smtp(session: Session, actor: User | None, smtp: SmtpSettings) -> None:
    """Store the mail server; a blank password keeps the stored one (the form never shows it)."""
    if smtp.host and not smtp.sender:
        raise SettingRejected("发件人地址", "填写了邮件服务器时须填写发件人地址（如 jiance@example.gov.cn）")
    if smtp.sender and "@" not in smtp.sender:
        raise SettingRejected("发件人地址", f"应为电子邮件地址，实际为「{smtp.sender}」")
    if not 1 <= smtp.port <= 65535:
        raise SettingRejected("端口", f"应为 1 到 65535 之间的整数，实际为 {smtp.port}")
    if smtp.security not in _SECURITY:
        raise SettingRejected("加密方式", f"应为 {'、'.join(_SECURITY)} 之一，实际为「{smtp.security}」")
    if smtp.site_url and not smtp.site_url.startswith(("http://", "https://")):
        raise SettingRejected("网站地址", f"应以 http:// 或 https:// 开头，实际为「{smtp.site_url}」")
    old = smtp_settings(session)
    new = SmtpSettings(**{**asdict(smtp), "password": smtp.password or (old.password if smtp.username else "")})
    _store(session, actor, SMTP, asdict(new), shown_old=_shown(old), shown_new=_shown(new))
