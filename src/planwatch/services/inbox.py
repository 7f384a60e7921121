"""Each person's inbox (待办): what they must do now and what they were told.

Two kinds of lines. Stored notifications are messages — a comment addressed to me, a
reminder to report — read or unread. The rest is worked out from the data each time, so it
is never stale: a clerk's returned figures and reports with the reviewer's reason and the
open reporting windows in which the unit still owes something; a reviewer's figures and
reports waiting for review and the periods whose units have not all reported. The menu's
count is the number of these lines that ask for action.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.errors import NotFound
from planwatch.monitor.permissions import Action, Role, is_allowed
from planwatch.monitor.workflow import ObservationState
from planwatch.services import region_scope
from planwatch.services.periods import last_day, utc
from planwatch.services.reporting_status import unit_reporting
from planwatch.store.clock import utcnow
from planwatch.store.models import (
    AuditEvent,
    Indicator,
    LedgerReport,
    Notification,
    Observation,
    Plan,
    Project,
    ReportingPeriod,
    Task,
    User,
)

__all__ = ["SOON_DAYS", "DeadlineItem", "Inbox", "InboxNotification", "ReturnedItem", "ReviewItem", "inbox",
           "inbox_count", "mark_all_read", "mark_read", "notify"]

SOON_DAYS = 7  # a deadline this close is shown as urgent
NOTIFICATIONS_SHOWN = 100


class NotificationNotFound(NotFound):
    def __init__(self, notification_id: int) -> None:
        super().__init__(f"消息 #{notification_id} 不存在或不是发给您的")


@dataclass(frozen=True, slots=True)
class InboxNotification:
    id: int
    kind: str  # comment | reminder
    subject: str
    body: str
    entity: str
    entity_id: int
    sender: str
    at: datetime
    read: bool


@dataclass(frozen=True, slots=True)
class ReturnedItem:
    """A figure or report the monitoring group sent back to my unit, and why."""

    entity: str  # observations | ledger_reports
    id: int
    title: str
    plan_title: str
    period_id: int
    period_code: str
    org_unit_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class DeadlineItem:
    """An open (or closed, not yet locked) period in which something is still owed."""

    plan_title: str
    period_id: int
    period_code: str
    last_day: date
    days_left: int  # negative: the deadline has passed
    indicators_owed: int  # a clerk: its unit's; a reviewer: over all units
    reports_owed: int
    units_owing: int  # a reviewer: units that have not sent everything

    @property
    def urgent(self) -> bool:
        return self.days_left <= SOON_DAYS


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """Figures and reports of one period waiting for the monitoring group's review."""

    plan_id: int
    plan_title: str
    period_id: int
    period_code: str
    values: int
    reports: int


@dataclass(frozen=True, slots=True)
class Inbox:
    notifications: list[InboxNotification]
    returned: list[ReturnedItem]
    deadlines: list[DeadlineItem]
    reviews: list[ReviewItem]
    owes: bool  # the deadlines are the person's own to meet (a clerk's unit), not others' to follow

    @property
    def unread(self) -> int:
        return sum(1 for n in self.notifications if not n.read)

    @property
    def todo(self) -> int:
        """What asks for this person's action: unread messages, returned items, a clerk's
        periods with something owed, the figures and reports waiting for a reviewer. (A
        reviewer's deadlines are there to read: whether to chase a unit is a judgement.)"""
        owed = len(self.deadlines) if self.owes else 0
        return self.unread + len(self.returned) + owed + sum(r.values + r.reports for r in self.reviews)


def notify(session: Session, recipients: Iterable[int], kind: str, subject: str, body: str, entity: str,
           entity_id: int, *, sender: User | None) -> int:
    """Put a message in each recipient's inbox; returns how many were written."""
    now = utcnow()
    rows = [Notification(user_id=user_id, kind=kind, subject=subject, body=body[:2000], entity=entity,
                         entity_id=entity_id, sender_id=sender.id if sender else None, created_at=now)
            for user_id in sorted(set(recipients))]
    session.add_all(rows)
    session.flush()
    return len(rows)


def _notifications(session: Session, user: User) -> list[InboxNotification]:
    rows = session.execute(
        select(Notification, User.name, User.login).outerjoin(User, User.id == Notification.sender_id)
        .where(Notification.user_id == user.id)
        .order_by(Notification.read_at.is_not(None), Notification.id.desc()).limit(NOTIFICATIONS_SHOWN))
    return [InboxNotification(n.id, n.kind, n.subject, n.body, n.entity, n.entity_id, name or login or "",
                              utc(n.created_at), n.read_at is not None) for n, name, login in rows]


def _open_periods(session: Session, user: User) -> list[tuple[ReportingPeriod, str]]:
    """Unlocked periods of the user's district's current plans that have opened: their units owe figures."""
    rows = session.execute(
        select(ReportingPeriod, Plan.title).join(Plan, Plan.id == ReportingPeriod.plan_id)
        .where(Plan.current.is_(True), region_scope.region_of(session, user).plan_filter(), ReportingPeriod.locked.is_(False), ReportingPeriod.opens_at <= utcnow())
        .order_by(ReportingPeriod.closes_at))
    return [(period, title) for period, title in rows]


def _returned(session: Session, user: User) -> list[ReturnedItem]:
    if user.role != Role.CLERK or user.org_unit_id is None:
        return []
    values = session.execute(
        select(Observation.id, Indicator.name, Plan.title, ReportingPeriod.id, ReportingPeriod.code)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
        .join(Plan, Plan.id == ReportingPeriod.plan_id)
        .where(Observation.org_unit_id == user.org_unit_id, Observation.state == ObservationState.RETURNED.value,
               ReportingPeriod.locked.is_(False), Plan.current.is_(True), Indicator.retired_at.is_(None))
        .order_by(ReportingPeriod.closes_at, Indicator.code)).all()
    reports = session.execute(
        select(LedgerReport.id, func.coalesce(Task.title, Project.name), Plan.title, ReportingPeriod.id,
               ReportingPeriod.code, LedgerReport.review_note)
        .outerjoin(Task, Task.id == LedgerReport.task_id).outerjoin(Project, Project.id == LedgerReport.project_id)
        .join(ReportingPeriod, ReportingPeriod.id == LedgerReport.period_id)
        .join(Plan, Plan.id == ReportingPeriod.plan_id)
        .where(LedgerReport.org_unit_id == user.org_unit_id, LedgerReport.state == "returned",
               ReportingPeriod.locked.is_(False), Plan.current.is_(True))
        .order_by(ReportingPeriod.closes_at, LedgerReport.id)).all()
    reasons: dict[str, str] = {}
    if values:
        for entity_id, reason in session.execute(select(AuditEvent.entity_id, AuditEvent.reason).where(
                AuditEvent.entity == Observation.__tablename__, AuditEvent.action.in_(["return", "reopen"]),
                AuditEvent.entity_id.in_([str(v[0]) for v in values])).order_by(AuditEvent.id)):
            reasons[entity_id] = reason or ""
    unit = user.org_unit_id
    return ([ReturnedItem(Observation.__tablename__, i, name, plan, pid, code, unit, reasons.get(str(i), ""))
             for i, name, plan, pid, code in values]
            + [ReturnedItem(LedgerReport.__tablename__, i, title or "", plan, pid, code, unit, note or "")
               for i, title, plan, pid, code, note in reports])


def _deadlines(session: Session, user: User) -> list[DeadlineItem]:
    clerk = user.role == Role.CLERK
    if not clerk and not is_allowed(user, Action.REMIND):
        return []
    now = utcnow()
    today = now.date()
    out = []
    for period, plan_title in _open_periods(session, user):
        if clerk and utc(period.closes_at) <= now:
            continue  # past the deadline a clerk can no longer enter: the monitoring group follows up
        owing = [u for u in unit_reporting(session, user, period.id) if not u.complete]
        if not owing:
            continue
        day = last_day(period.closes_at)
        out.append(DeadlineItem(plan_title, period.id, period.code, day, (day - today).days,
                                sum(u.indicators_owed for u in owing), sum(u.ledger_owed for u in owing),
                                len(owing)))
    return out


def _reviews(session: Session, user: User) -> list[ReviewItem]:
    if not is_allowed(user, Action.APPROVE):
        return []
    district = region_scope.region_of(session, user).plan_filter()
    values = session.execute(
        select(ReportingPeriod.id, func.count()).select_from(Observation)
        .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
        .join(Plan, Plan.id == ReportingPeriod.plan_id).join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Observation.state == ObservationState.SUBMITTED.value, ReportingPeriod.locked.is_(False),
               Plan.current.is_(True), Indicator.retired_at.is_(None), district).group_by(ReportingPeriod.id))
    reports = session.execute(
        select(ReportingPeriod.id, func.count()).select_from(LedgerReport)
        .join(ReportingPeriod, ReportingPeriod.id == LedgerReport.period_id)
        .join(Plan, Plan.id == ReportingPeriod.plan_id)
        .where(LedgerReport.state == "submitted", ReportingPeriod.locked.is_(False), Plan.current.is_(True),
               district).group_by(ReportingPeriod.id))
    counts: dict[int, list[int]] = {}
    for period_id, count in values:
        counts.setdefault(period_id, [0, 0])[0] = count
    for period_id, count in reports:
        counts.setdefault(period_id, [0, 0])[1] = count
    if not counts:
        return []
    periods = session.execute(select(ReportingPeriod, Plan.title).join(Plan, Plan.id == ReportingPeriod.plan_id)
                              .where(ReportingPeriod.id.in_(counts)).order_by(ReportingPeriod.closes_at))
    return [ReviewItem(p.plan_id, title, p.id, p.code, *counts[p.id]) for p, title in periods]


def inbox(session: Session, user: User) -> Inbox:
    return Inbox(_notifications(session, user), _returned(session, user), _deadlines(session, user),
                 _reviews(session, user), user.role == Role.CLERK)


def inbox_count(session: Session, user: User) -> int:
    """The menu's count: what :attr:`Inbox.todo` counts, without reading the messages themselves
    (nor, for a reviewer, working out every unit's reporting: the count is on every page)."""
    unread = session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0
    owed = len(_deadlines(session, user)) if user.role == Role.CLERK else 0
    return unread + len(_returned(session, user)) + owed + sum(r.values + r.reports for r in _reviews(session, user))


def mark_read(session: Session, user: User, notification_id: int) -> InboxNotification:
    """Mark one of the user's own messages read (following its link does this)."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotificationNotFound(notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
        session.flush()
    return InboxNotification(row.id, row.kind, row.subject, row.body, row.entity, row.entity_id, "",
                             utc(row.created_at), True)


def mark_all_read(session: Session, user: User) -> int:
    rows = list(session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                           Notification.read_at.is_(None))))
    now = utcnow()
    for row in rows:
        row.read_at = now
    session.flush()
    return len(rows)
