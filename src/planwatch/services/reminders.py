"""催报: reminding units that have not reported for a period, in the app and by e-mail.

The monitoring group sees every unit that still owes the period figures or progress
reports (:func:`chase_list`) and reminds one, or all, with a click. A reminder goes to the
inbox of each active clerk of the unit, and by e-mail to those with an address when an
SMTP server is configured (:mod:`planwatch.services.settings`); it is recorded and audited,
and the same unit is not reminded for the same period again within the configured interval,
so a double click or two colleagues do not flood a department.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.errors import FieldError
from planwatch.monitor.permissions import Action, Role, check
from planwatch.services import region_scope
from planwatch.services.inbox import notify
from planwatch.services.mailer import MailFailed, send_mail
from planwatch.services.periods import ensure_unlocked, last_day, local_time, utc
from planwatch.services.reporting_status import UnitReporting, unit_reporting
from planwatch.services.settings import SmtpSettings, reminder_interval_hours, smtp_settings
from planwatch.store.clock import utcnow
from planwatch.store.models import AuditEvent, OrgUnit, Plan, Reminder, ReportingPeriod, User

__all__ = ["ChaseRow", "ReminderOutcome", "ReminderRefused", "chase_list", "remind_all", "send_reminder"]

log = logging.getLogger(__name__)

REMINDERS = Reminder.__tablename__


class ReminderRefused(FieldError):
    """A reminder that is not sent: too soon after the last one, nothing owed, nobody to tell."""

    def __init__(self, unit: str, problem: str) -> None:
        super().__init__(f"催报「{unit}」", problem)


@dataclass(frozen=True, slots=True)
class ChaseRow:
    """A unit that still owes the period something, and whether it can be reminded now."""

    unit: UnitReporting
    clerks: int  # active clerk accounts: who a reminder reaches
    with_email: int
    last_reminded_at: datetime | None
    next_allowed_at: datetime | None  # None: may be reminded now

    @property
    def can_remind(self) -> bool:
        return self.clerks > 0 and self.next_allowed_at is None


@dataclass(frozen=True, slots=True)
class ReminderOutcome:
    unit_name: str
    notified: int  # inbox messages
    emailed: int  # e-mails the server accepted
    email_error: str  # why e-mail did not go out ("" when it did, or when no server is configured)


def _clerks(session: Session, unit_ids: set[int]) -> dict[int, list[User]]:
    out: dict[int, list[User]] = {}
    for user in session.scalars(select(User).where(User.role == Role.CLERK.value, User.active.is_(True),
                                                   User.org_unit_id.in_(unit_ids)).order_by(User.login)):
        assert user.org_unit_id is not None
        out.setdefault(user.org_unit_id, []).append(user)
    return out


def _last_reminders(session: Session, period_id: int) -> dict[int, datetime]:
    return {unit_id: utc(at) for unit_id, at in session.execute(
        select(Reminder.org_unit_id, func.max(Reminder.sent_at)).where(Reminder.period_id == period_id)
        .group_by(Reminder.org_unit_id))}


def _next_allowed(last: datetime | None, hours: int, now: datetime) -> datetime | None:
    if last is None or now - last >= timedelta(hours=hours):
        return None
    return last + timedelta(hours=hours)


def chase_list(session: Session, actor: User, period_id: int) -> list[ChaseRow]:
    """Units that have not sent everything for the period: silent ones first, then by name."""
    check(actor, Action.REMIND)
    period = region_scope.period(session, actor, period_id)
    owing = [u for u in unit_reporting(session, actor, period.id) if not u.complete]
    clerks = _clerks(session, {u.org_unit_id for u in owing})
    last = _last_reminders(session, period.id)
    hours, now = reminder_interval_hours(session), utc(utcnow())
    rows = [ChaseRow(u, len(clerks.get(u.org_unit_id, [])), sum(1 for c in clerks.get(u.org_unit_id, []) if c.email),
                     last.get(u.org_unit_id), _next_allowed(last.get(u.org_unit_id), hours, now)) for u in owing]
    return sorted(rows, key=lambda r: (not r.unit.silent, r.unit.org_unit_name))


def _message(plan: Plan, period: ReportingPeriod, unit: UnitReporting, smtp: SmtpSettings) -> tuple[str, str]:
    owed = [f"指标数据 {unit.indicators_owed} 个" if unit.indicators_owed else "",
            f"任务和项目进展 {unit.ledger_owed} 项" if unit.ledger_owed else ""]
    drafts = unit.indicator_drafts + unit.ledger_drafts
    subject = f"请报送《{plan.title}》{period.code} 年度数据"
    body = (f"{unit.org_unit_name}：\n《{plan.title}》{period.code} 报告期的填报截止日期为 "
            f"{last_day(period.closes_at):%Y年%m月%d日}。贵单位尚未报送{'、'.join(o for o in owed if o)}"
            f"{f'（其中 {drafts} 项已保存为草稿，尚未报送）' if drafts else ''}。\n"
            "请登录规划实施监测评估平台，在「数据填报」页面填写后点击「全部报送」。")
    if smtp.site_url:
        body += f"\n{smtp.site_url.rstrip('/')}/entry?period={period.id}&unit={unit.org_unit_id}"
    return subject, body + "\n\n（本邮件由系统发出，请勿直接回复；如有疑问请联系区统计局监测组。）"


def _send(session: Session, actor: User, period: ReportingPeriod, unit: UnitReporting, clerks: list[User],
          smtp: SmtpSettings) -> ReminderOutcome:
    plan = session.get_one(Plan, period.plan_id)
    subject, body = _message(plan, period, unit, smtp)
    notified = notify(session, [c.id for c in clerks], "reminder", subject, body, ReportingPeriod.__tablename__,
                      period.id, sender=actor)
    emailed, error = 0, ""
    if smtp.configured:
        try:
            emailed = send_mail(smtp, [(c.name or c.login, c.email) for c in clerks if c.email], subject, body)
        except MailFailed as exc:
            error = str(exc)
            log.warning("reminder mail of period #%d to unit #%d not sent: %s", period.id, unit.org_unit_id, error)
    reminder = Reminder(period_id=period.id, org_unit_id=unit.org_unit_id, sent_by_id=actor.id, sent_at=utcnow(),
                        notified=notified, emailed=emailed, email_error=error)
    session.add(reminder)
    session.flush()
    session.add(AuditEvent.of(actor, "remind", REMINDERS, reminder.id, new={
        "period_id": period.id, "org_unit_id": unit.org_unit_id, "indicators_owed": unit.indicators_owed,
        "reports_owed": unit.ledger_owed, "notified": notified, "emailed": emailed, "email_error": error}))
    session.flush()
    log.info("unit #%d reminded of period #%d by user #%d: %d notified, %d emailed", unit.org_unit_id, period.id,
             actor.id, notified, emailed)
    return ReminderOutcome(unit.org_unit_name, notified, emailed, error)


def send_reminder(session: Session, actor: User, period_id: int, org_unit_id: int) -> ReminderOutcome:
    """Remind one unit; refused (:class:`ReminderRefused`) when it owes nothing, has no active
    clerk, or was reminded for this period within the interval."""
    check(actor, Action.REMIND)
    period = region_scope.period(session, actor, period_id)
    ensure_unlocked(period)
    row = next((r for r in chase_list(session, actor, period.id) if r.unit.org_unit_id == org_unit_id), None)
    if row is None:
        unit = session.get(OrgUnit, org_unit_id)
        raise ReminderRefused(unit.name if unit else f"单位 #{org_unit_id}",
                              f"该单位已报齐 {period.code} 报告期的数据，无需催报")
    name = row.unit.org_unit_name
    if row.clerks == 0:
        raise ReminderRefused(name, "该单位没有启用的填报员账号，催报无人接收；请先在「用户管理」中为其添加填报员")
    if row.next_allowed_at is not None:
        assert row.last_reminded_at is not None
        hours = reminder_interval_hours(session)
        raise ReminderRefused(name, f"已于 {local_time(row.last_reminded_at):%Y-%m-%d %H:%M} 催报过，"
                                    f"{hours} 小时内不重复催报（{local_time(row.next_allowed_at):%m-%d %H:%M} 后可再催）")
    return _send(session, actor, period, row.unit, _clerks(session, {org_unit_id})[org_unit_id], smtp_settings(session))


def remind_all(session: Session, actor: User, period_id: int) -> list[ReminderOutcome]:
    """Remind every unit that owes the period something and may be reminded now; units
    reminded within the interval or without clerks are left out (the list shows why). When
    the mail server cannot be reached, the remaining units get their inbox message only."""
    check(actor, Action.REMIND)
    period = region_scope.period(session, actor, period_id)
    ensure_unlocked(period)
    rows = [r for r in chase_list(session, actor, period.id) if r.can_remind]
    clerks = _clerks(session, {r.unit.org_unit_id for r in rows})
    smtp = smtp_settings(session)
    outcomes = []
    for row in rows:
        outcome = _send(session, actor, period, row.unit, clerks[row.unit.org_unit_id], smtp)
        outcomes.append(outcome)
        if outcome.email_error:
            smtp = SmtpSettings()  # the server is down: do not wait for it once per unit
    return outcomes
