"""Reporting periods: creating them, their windows, locking and reopening, completeness.

A period's window (opens → closes, the deadline) binds the reporting clerks; the
monitoring group can still correct data after the deadline, until it locks the period.
A locked period refuses every change to its observations, from anyone, until an
administrator reopens it with a reason (the monitoring group locks; see
:data:`~planwatch.monitor.permissions.ROLE_ACTIONS` for why the powers are split).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.errors import FieldRefused, InputError, PlanWatchError, Problem, problem
from planwatch.fields import read_date
from planwatch.monitor.permissions import Action, PermissionDenied, Scope, check, visible_org_unit_id
from planwatch.monitor.workflow import ObservationState
from planwatch.services import region_scope
from planwatch.services.evaluation import data_version
from planwatch.services.kept import Kept
from planwatch.store.clock import utcnow
from planwatch.store.models.monitoring import AuditEvent, Observation, ReportingPeriod
from planwatch.store.models.org import Assignment, OrgUnit, User
from planwatch.store.models.plans import Indicator

__all__ = [
    "PERIOD_ENTITY",
    "PeriodInputError",
    "PeriodLocked",
    "PeriodNotFound",
    "PeriodTotals",
    "PeriodView",
    "UnitCompleteness",
    "completeness_report",
    "create_period",
    "day_start",
    "ensure_unlocked",
    "find_period",
    "get_period",
    "last_day",
    "list_periods",
    "local_time",
    "lock_period",
    "period_code",
    "period_totals",
    "previous_period",
    "reopen_period",
    "set_window",
    "utc",
    "window_is_open",
]


PERIOD_ENTITY = ReportingPeriod.__tablename__


class PeriodNotFound(PlanWatchError):
    def __init__(self, period_id: int) -> None:
        super().__init__(f"报告期 #{period_id} 不存在")


class PeriodLocked(PlanWatchError):
    """A change to data of a locked period."""

    def __init__(self, period: ReportingPeriod) -> None:
        self.period_id = period.id
        super().__init__(f"报告期 {period.code} 已锁定，数据不能再修改（请监测组先解锁）")


class PeriodInputError(InputError):
    """A period definition or lock request that cannot be applied; names the field."""

    def __init__(self, field: str, why: str | Problem) -> None:
        self.field = field
        super().__init__(f"报告期 {field}", why)


@dataclass(frozen=True, slots=True)
class PeriodView:
    id: int
    plan_id: int
    code: str
    year: int
    quarter: int | None
    month: int | None
    opens_at: datetime
    closes_at: datetime
    locked: bool
    window_open: bool


@dataclass(frozen=True, slots=True)
class UnitCompleteness:
    """How far one org unit has got with one period's assigned indicators (totals only)."""

    org_unit_id: int
    org_unit_name: str
    expected: int
    entered: int  # any state, including drafts
    submitted: int  # waiting for review
    returned: int
    approved: int

    @property
    def missing(self) -> int:
        return self.expected - self.entered

    @property
    def reported_ratio(self) -> float:
        """Share of expected figures sent to (or accepted by) the monitoring group."""
        return (self.submitted + self.approved) / self.expected if self.expected else 1.0


def utc(moment: datetime) -> datetime:
    """An aware UTC datetime; SQLite hands back naive values that were stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


BEIJING = timezone(timedelta(hours=8), "北京时间")


def local_time(moment: datetime) -> datetime:
    """A stored (UTC) moment as the district reads clocks: Beijing time."""
    return utc(moment).astimezone(BEIJING)


def period_code(year: int, quarter: int | None = None, month: int | None = None) -> str:
    """The DHIS2 period code: ``2025``, ``2025Q1`` or ``202503``."""
    if not 1900 <= year <= 2200:
        raise PeriodInputError("year", problem("period.year", year=year))
    if quarter is not None and month is not None:
        raise PeriodInputError("quarter/month", problem("period.quarter_and_month"))
    if quarter is not None:
        if not 1 <= quarter <= 4:
            raise PeriodInputError("quarter", problem("period.quarter", quarter=quarter))
        return f"{year}Q{quarter}"
    if month is not None:
        if not 1 <= month <= 12:
            raise PeriodInputError("month", problem("period.month", month=month))
        return f"{year}{month:02d}"
    return str(year)


def day_start(day: str, field: str) -> datetime:
    """Midnight UTC of a YYYY-MM-DD day, as windows are given (a deadline is exclusive)."""
    try:
        read = read_date(day, field)
    except FieldRefused as refused:
        raise PeriodInputError(field, refused.why) from None
    if read is None:
        raise PeriodInputError(field, problem("field.not_date", text=day))
    return datetime.combine(read, time(0), tzinfo=UTC)


def window_is_open(period: ReportingPeriod, now: datetime | None = None) -> bool:
    moment = utc(now or utcnow())
    return not period.locked and utc(period.opens_at) <= moment < utc(period.closes_at)


def get_period(session: Session, period_id: int) -> ReportingPeriod:
    period = session.get(ReportingPeriod, period_id)
    if period is None:
        raise PeriodNotFound(period_id)
    return period


def find_period(session: Session, plan_id: int, code: str) -> ReportingPeriod | None:
    """The plan's period with DHIS2 code ``code`` (2025, 2025Q1, 202503), if it exists."""
    return session.scalar(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan_id,
                                                        ReportingPeriod.code == code))


def previous_period(session: Session, period: ReportingPeriod) -> ReportingPeriod | None:
    """The same period of the plan a year earlier (2025Q2 → 2024Q2), whose figures a clerk and
    a reviewer compare this period's with."""
    return session.scalar(select(ReportingPeriod).where(
        ReportingPeriod.plan_id == period.plan_id, ReportingPeriod.year == period.year - 1,
        ReportingPeriod.quarter.is_(None) if period.quarter is None else ReportingPeriod.quarter == period.quarter,
        ReportingPeriod.month.is_(None) if period.month is None else ReportingPeriod.month == period.month))


def last_day(closes_at: datetime) -> date:
    """The last day on which figures can be entered: the window closes at the start of
    ``closes_at``'s day (a deadline given as 2026-03-01 means entries until 28 February)."""
    return (utc(closes_at) - timedelta(microseconds=1)).date()


def ensure_unlocked(period: ReportingPeriod) -> None:
    if period.locked:
        raise PeriodLocked(period)


def _view(period: ReportingPeriod) -> PeriodView:
    return PeriodView(period.id, period.plan_id, period.code, period.year, period.quarter,
                      period.month, utc(period.opens_at), utc(period.closes_at), period.locked,
                      window_is_open(period))


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if utc(closes_at) <= utc(opens_at):
        raise PeriodInputError("closes_at", problem("period.window", closes=f"{closes_at:%Y-%m-%d %H:%M}", opens=f"{opens_at:%Y-%m-%d %H:%M}"))


def _period_state(period: ReportingPeriod) -> dict[str, object]:
    return {"opens_at": utc(period.opens_at).isoformat(), "closes_at": utc(period.closes_at).isoformat(),
            "locked": period.locked}


def create_period(session: Session, actor: User, plan_id: int, year: int, *, opens_at: datetime,
                  closes_at: datetime, quarter: int | None = None,
                  month: int | None = None) -> PeriodView:
    """A new reporting period of ``plan_id``; the code must be new for the plan."""
    check(actor, Action.MANAGE_PERIODS)
    code = period_code(year, quarter, month)
    _check_window(opens_at, closes_at)
    region_scope.plan(session, actor, plan_id)
    duplicate = session.scalar(select(ReportingPeriod.id).where(
        ReportingPeriod.plan_id == plan_id, ReportingPeriod.code == code))
    if duplicate is not None:
        raise PeriodInputError("code", problem("period.exists", plan=plan_id, code=code))
    now = utcnow()
    period = ReportingPeriod(plan_id=plan_id, year=year, quarter=quarter, month=month, code=code,
                             opens_at=utc(opens_at), closes_at=utc(closes_at), locked=False,
                             created_at=now)
    session.add(period)
    session.flush()
    session.add(AuditEvent.of(actor, "create", PERIOD_ENTITY, period.id, new={"code": code, **_period_state(period)}))
    session.flush()
    return _view(period)


def set_window(session: Session, actor: User, period_id: int, *, opens_at: datetime,
               closes_at: datetime, reason: str | None = None) -> PeriodView:
    """Move a period's reporting window, e.g. extend the deadline for late units. Narrowing it
    is the monitoring group's too; widening it (opening earlier, closing later) an administrator's."""
    check(actor, Action.MANAGE_PERIODS)
    _check_window(opens_at, closes_at)
    period = region_scope.period(session, actor, period_id)
    if utc(opens_at) < utc(period.opens_at) or utc(closes_at) > utc(period.closes_at):
        check(actor, Action.WIDEN_PERIOD)
    old = _period_state(period)
    period.opens_at, period.closes_at = utc(opens_at), utc(closes_at)
    session.add(AuditEvent.of(actor, "set_window", PERIOD_ENTITY, period.id, old=old, new=_period_state(period),
                              reason=reason))
    session.flush()
    return _view(period)


def lock_period(session: Session, actor: User, period_id: int, reason: str | None = None) -> PeriodView:
    check(actor, Action.LOCK_PERIOD)
    period = region_scope.period(session, actor, period_id)
    if period.locked:
        raise PeriodInputError("locked", problem("period.locked_already", period=period.code))
    old = _period_state(period)
    period.locked, period.locked_by_id, period.locked_at = True, actor.id, utcnow()
    session.add(AuditEvent.of(actor, "lock_period", PERIOD_ENTITY, period.id, old=old, new=_period_state(period),
                              reason=reason))
    session.flush()
    return _view(period)


def reopen_period(session: Session, actor: User, period_id: int, reason: str) -> PeriodView:
    """Unlock a period so corrections can be made; the reason goes to the audit trail."""
    check(actor, Action.REOPEN_PERIOD)
    if not reason.strip():
        raise PeriodInputError("reason", problem("period.unlock_reason"))
    period = region_scope.period(session, actor, period_id)
    if not period.locked:
        raise PeriodInputError("locked", problem("period.not_locked", period=period.code))
    old = _period_state(period)
    period.locked, period.locked_by_id, period.locked_at = False, None, None
    session.add(AuditEvent.of(actor, "reopen_period", PERIOD_ENTITY, period.id, old=old, new=_period_state(period),
                              reason=reason))
    session.flush()
    return _view(period)


def list_periods(session: Session, actor: User, plan_id: int) -> list[PeriodView]:
    check(actor, Action.VIEW, Scope(org_unit_id=visible_org_unit_id(actor)))
    region_scope.plan(session, actor, plan_id)
    rows = session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan_id)
                           .order_by(ReportingPeriod.year, ReportingPeriod.quarter, ReportingPeriod.month))
    return [_view(p) for p in rows]


def completeness_report(session: Session, actor: User, period_id: int) -> list[UnitCompleteness]:
    """Per org unit: assigned indicators of the period's plan against observed totals, by state.

    A clerk gets only its own unit's line.
    """
    only_unit = visible_org_unit_id(actor)
    check(actor, Action.VIEW, Scope(org_unit_id=only_unit))
    period = region_scope.period(session, actor, period_id)
    expected_q = (select(Assignment.org_unit_id, func.count(func.distinct(Assignment.indicator_id)))
                  .join(Indicator, Indicator.id == Assignment.indicator_id)
                  .where(Indicator.plan_id == period.plan_id, Indicator.retired_at.is_(None))
                  .group_by(Assignment.org_unit_id))
    observed_q = (select(Observation.org_unit_id, Observation.state, func.count())
                  .join(Assignment, (Assignment.indicator_id == Observation.indicator_id)
                        & (Assignment.org_unit_id == Observation.org_unit_id))
                  .where(Observation.period_id == period.id, Observation.sex == "",
                         Observation.area == "", Observation.age_group == "")
                  .group_by(Observation.org_unit_id, Observation.state))
    if only_unit is not None:
        expected_q = expected_q.where(Assignment.org_unit_id == only_unit)
        observed_q = observed_q.where(Observation.org_unit_id == only_unit)
    expected = dict(session.execute(expected_q).all())
    by_state: dict[int, dict[str, int]] = {}
    for unit_id, state, count in session.execute(observed_q):
        by_state.setdefault(unit_id, {})[state] = count
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name)
                                 .where(OrgUnit.id.in_(expected))).all())
    report = []
    for unit_id in sorted(expected, key=lambda u: (names.get(u, ""), u)):
        states = by_state.get(unit_id, {})
        report.append(UnitCompleteness(
            unit_id, names.get(unit_id, ""), expected[unit_id], sum(states.values()),
            states.get(ObservationState.SUBMITTED, 0), states.get(ObservationState.RETURNED, 0),
            states.get(ObservationState.APPROVED, 0)))
    return report


@dataclass(frozen=True, slots=True)
class PeriodTotals:
    """A period's figures of the plan's assigned indicators in use (totals only)."""

    expected: int
    reported: int  # submitted or approved
    approved: int


_totals: Kept[PeriodTotals] = Kept(512)


def period_totals(session: Session, actor: User, plan_id: int) -> dict[int, PeriodTotals]:
    """Each period of the plan: expected, reported and approved figures. A yearly period's
    totals are kept while the plan's data version of its year stands (ten years of a
    10,000-indicator plan are 100,000 figures to count); a quarter's or month's are counted."""
    check(actor, Action.VIEW, Scope(org_unit_id=visible_org_unit_id(actor)))
    if visible_org_unit_id(actor) is not None:
        raise PermissionDenied(actor.login, Action.VIEW, "各报告期汇总只对监测组和管理员开放")
    region_scope.plan(session, actor, plan_id)
    url = str(session.get_bind().engine.url)
    keys = {p.id: (url, p.id, p.locked, data_version(session, plan_id, p.year) if p.quarter is None and p.month is None
                   else None) for p in session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan_id))}
    found = {period_id: kept for period_id, key in keys.items()
             if key[3] is not None and (kept := _totals.get(key)) is not None}
    missing = [period_id for period_id in keys if period_id not in found]
    if missing:
        expected = session.scalar(select(func.count()).select_from(Assignment).join(
            Indicator, Indicator.id == Assignment.indicator_id).where(
            Indicator.plan_id == plan_id, Indicator.retired_at.is_(None))) or 0
        counted: dict[int, dict[str, int]] = {}
        for period_id, state, count in session.execute(
                select(Observation.period_id, Observation.state, func.count())
                .join(Indicator, Indicator.id == Observation.indicator_id)
                .where(Observation.period_id.in_(missing), Indicator.retired_at.is_(None), Observation.sex == "",
                       Observation.area == "", Observation.age_group == "",
                       select(Assignment.id).where(Assignment.indicator_id == Observation.indicator_id,
                                                   Assignment.org_unit_id == Observation.org_unit_id).exists())
                .group_by(Observation.period_id, Observation.state)):
            counted.setdefault(period_id, {})[state] = count
        for period_id in missing:
            states = counted.get(period_id, {})
            approved = states.get(ObservationState.APPROVED, 0)
            found[period_id] = PeriodTotals(expected, states.get(ObservationState.SUBMITTED, 0) + approved, approved)
            _totals.put(keys[period_id], found[period_id])
    return found
