"""Who has reported what for a period: indicators and task/project progress, per unit.

The 催报 list, the confirmation before locking a period and the inbox's deadlines all ask
the same question — which units still owe the monitoring group figures or progress reports
— and get the same answer from here. "Reported" means sent to the monitoring group
(submitted or approved); drafts and returned values are still owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import Action, check
from planwatch.monitor.workflow import ObservationState
from planwatch.services import region_scope
from planwatch.services.periods import UnitCompleteness, completeness_report, window_is_open
from planwatch.store.models import (
    Assignment,
    Indicator,
    LedgerReport,
    Observation,
    OrgUnit,
    Project,
    ProjectUnit,
    ReportingPeriod,
    Task,
    User,
)

__all__ = ["LockPreview", "UnitReporting", "lock_preview", "unit_reporting"]

_SENT = (ObservationState.SUBMITTED.value, ObservationState.APPROVED.value)


@dataclass(frozen=True, slots=True)
class UnitReporting:
    """One unit's reporting in a period: its indicators' figures and its task/project reports."""

    org_unit_id: int
    org_unit_name: str
    indicators_expected: int
    indicators_sent: int  # submitted or approved
    indicator_drafts: int  # saved, not submitted (returned ones included: they wait for the unit)
    ledger_expected: int  # tasks and projects the unit reports on
    ledger_sent: int
    ledger_drafts: int

    @property
    def indicators_owed(self) -> int:
        return max(0, self.indicators_expected - self.indicators_sent)

    @property
    def ledger_owed(self) -> int:
        return max(0, self.ledger_expected - self.ledger_sent)

    @property
    def silent(self) -> bool:
        """Nothing at all sent for the period."""
        return self.indicators_sent == 0 and self.ledger_sent == 0

    @property
    def complete(self) -> bool:
        return self.indicators_owed == 0 and self.ledger_owed == 0


def _ledger_counts(session: Session, period: ReportingPeriod) -> tuple[dict[int, int], dict[int, dict[str, int]]]:
    """Per unit: the tasks and projects it carries, and its reports for the period by state."""
    expected: dict[int, int] = {}
    tasks = (select(Assignment.org_unit_id, func.count()).join(Task, Task.id == Assignment.task_id)
             .where(Task.plan_id == period.plan_id, Task.retired.is_(False)).group_by(Assignment.org_unit_id))
    projects = (select(ProjectUnit.org_unit_id, func.count()).join(Project, Project.id == ProjectUnit.project_id)
                .where(Project.plan_id == period.plan_id, Project.retired.is_(False))
                .group_by(ProjectUnit.org_unit_id))
    for unit_id, count in (*session.execute(tasks), *session.execute(projects)):
        expected[unit_id] = expected.get(unit_id, 0) + count
    states: dict[int, dict[str, int]] = {}
    reports = (select(LedgerReport.org_unit_id, LedgerReport.state, func.count())
               .outerjoin(Task, Task.id == LedgerReport.task_id)
               .outerjoin(Project, Project.id == LedgerReport.project_id)
               .where(LedgerReport.period_id == period.id,
                      func.coalesce(Task.retired, Project.retired).is_(False))
               .group_by(LedgerReport.org_unit_id, LedgerReport.state))
    for unit_id, state, count in session.execute(reports):
        states.setdefault(unit_id, {})[state] = count
    return expected, states


def unit_reporting(session: Session, actor: User, period_id: int) -> list[UnitReporting]:
    """Every unit that owes the period anything, by name (a clerk gets its own unit's line)."""
    period = region_scope.period(session, actor, period_id)
    by_unit: dict[int, UnitCompleteness] = {c.org_unit_id: c for c in completeness_report(session, actor, period.id)}
    ledger_expected, ledger_states = _ledger_counts(session, period)
    if actor.role == "clerk":
        ledger_expected = {k: v for k, v in ledger_expected.items() if k == actor.org_unit_id}
    unit_ids = set(by_unit) | set(ledger_expected)
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(unit_ids))).all())
    out = []
    for unit_id in unit_ids:
        c = by_unit.get(unit_id)
        states = ledger_states.get(unit_id, {})
        out.append(UnitReporting(
            unit_id, names.get(unit_id, str(unit_id)), c.expected if c else 0, (c.submitted + c.approved) if c else 0,
            (c.entered - c.submitted - c.approved) if c else 0, ledger_expected.get(unit_id, 0),
            sum(states.get(s, 0) for s in _SENT), states.get("draft", 0) + states.get("returned", 0)))
    return sorted(out, key=lambda u: (u.org_unit_name, u.org_unit_id))


@dataclass(frozen=True, slots=True)
class LockPreview:
    """What locking a period would leave unreported, for the confirmation the monitoring group
    reads before the click; locking stays possible (a unit may have nothing to report)."""

    period_code: str
    window_open: bool
    closes_at: datetime
    never_submitted: tuple[str, ...]  # indicators no unit has sent a figure for
    silent_units: tuple[str, ...]  # units that sent nothing at all
    incomplete_units: tuple[UnitReporting, ...]  # units that sent part of what they owe
    drafts: int  # figures and progress reports saved but not submitted (or returned, not resubmitted)
    waiting_review: int  # submitted, not yet approved or returned

    @property
    def anything_missing(self) -> bool:
        return bool(self.window_open or self.never_submitted or self.silent_units or self.incomplete_units
                    or self.drafts or self.waiting_review)


def lock_preview(session: Session, actor: User, period_id: int) -> LockPreview:
    check(actor, Action.LOCK_PERIOD)
    period = region_scope.period(session, actor, period_id)
    units = unit_reporting(session, actor, period.id)
    sent = select(Observation.indicator_id).where(Observation.period_id == period.id,
                                                  Observation.state.in_(_SENT))
    never = session.scalars(
        select(Indicator.name).join(Assignment, Assignment.indicator_id == Indicator.id)
        .where(Indicator.plan_id == period.plan_id, Indicator.retired_at.is_(None), Indicator.id.not_in(sent))
        .group_by(Indicator.id, Indicator.name, Indicator.code).order_by(Indicator.code))
    waiting = session.scalar(select(func.count()).select_from(Observation).where(
        Observation.period_id == period.id, Observation.state == ObservationState.SUBMITTED.value)) or 0
    waiting += session.scalar(select(func.count()).select_from(LedgerReport).where(
        LedgerReport.period_id == period.id, LedgerReport.state == "submitted")) or 0
    return LockPreview(
        period.code, window_is_open(period), period.closes_at, tuple(never),
        tuple(u.org_unit_name for u in units if u.silent),
        tuple(u for u in units if not u.silent and not u.complete),
        sum(u.indicator_drafts + u.ledger_drafts for u in units), waiting)
