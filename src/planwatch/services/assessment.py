"""The assessment of departments and towns from what is stored: items gathered, scored, ranked.

What each unit is scored on comes from the monitoring database: the evaluation of the
indicators assigned to it (牵头 or 责任), its progress reports on the plan's tasks and
projects for the year's period, and its reporting of indicator data in that period — on
time (first submitted before the window closed), complete (every assigned indicator has a
value) and of quality (values not returned by the monitoring group). The scheme and the
bonus/deduction items are the evaluation group's, and every change to them is audited.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.evaluate.assessment import DEFAULT_SCHEME, Item, UnitScore, rank, score_unit, validate_scheme
from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.services import region_scope
from planwatch.services.evaluation import data_version, evaluate_stored_plan
from planwatch.services.kept import Kept
from planwatch.services.ledger_progress import STATUSES
from planwatch.services.observations import OBSERVATION_ENTITY
from planwatch.services.periods import utc
from planwatch.services.plan_calendar import evaluation_year
from planwatch.store.models import (
    AssessmentAdjustment,
    AssessmentScheme,
    Assignment,
    AuditEvent,
    Indicator,
    LedgerReport,
    Observation,
    OrgUnit,
    Plan,
    Project,
    ProjectUnit,
    ReportingPeriod,
    Task,
    User,
)

__all__ = ["Assessment", "add_adjustment", "assess", "save_scheme", "scheme_for"]

_TOWNS = ("town", "subdistrict")
_SCORED_ROLES = ("牵头", "责任")


@dataclass(slots=True)
class Assessment:
    plan_id: int
    plan_title: str
    year: int
    scheme: dict[str, Any]
    groups: dict[str, list[UnitScore]] = field(default_factory=dict)  # departments | towns → ranked


def scheme_for(session: Session, plan_id: int, year: int) -> dict[str, Any]:
    stored = session.scalar(select(AssessmentScheme.scheme).where(AssessmentScheme.plan_id == plan_id,
                                                                  AssessmentScheme.year == year))
    return validate_scheme(stored or DEFAULT_SCHEME)


def save_scheme(session: Session, actor: User, plan: Plan, year: int, scheme: dict[str, Any]) -> dict[str, Any]:
    """Store the evaluation group's scheme for the plan and year (audited); returns it complete."""
    check(actor, Action.ASSESS)
    region_scope.require_plan(session, actor, plan)
    complete = validate_scheme(scheme)
    row = session.scalar(select(AssessmentScheme).where(AssessmentScheme.plan_id == plan.id,
                                                        AssessmentScheme.year == year))
    old = row.scheme if row is not None else None
    if row is None:
        row = AssessmentScheme(plan_id=plan.id, year=year, scheme=complete, updated_by_id=actor.id)
        session.add(row)
    else:
        row.scheme, row.updated_by_id = complete, actor.id
    session.flush()
    session.add(AuditEvent.of(actor, "scheme", "assessment_schemes", row.id, old=old, new=complete))
    session.flush()
    return complete


def add_adjustment(session: Session, actor: User, plan: Plan, year: int, org_unit_id: int, points: float,
                   reason: str) -> AssessmentAdjustment:
    """A bonus or deduction with its reason; the reason is what the unit will read."""
    check(actor, Action.ASSESS)
    region_scope.require_plan(session, actor, plan)
    if not reason.strip():
        raise ValueError("加减分须写明原因")
    if not -100 <= points <= 100 or points != points:
        raise ValueError("加减分应在 -100 到 100 之间")
    if session.get(OrgUnit, org_unit_id) is None or not region_scope.assignable(session, plan).has_unit(org_unit_id) \
            or not region_scope.region_of(session, actor).has_unit(org_unit_id):
        raise ValueError(f"没有单位 #{org_unit_id}，或它不是规划所属地区（{plan.region_name}）的单位")
    row = AssessmentAdjustment(plan_id=plan.id, year=year, org_unit_id=org_unit_id, points=points,
                               reason=reason.strip(), created_by_id=actor.id)
    session.add(row)
    session.flush()
    session.add(AuditEvent.of(actor, "adjust", "assessment_adjustments", row.id,
                              new={"org_unit_id": org_unit_id, "points": points, "reason": reason.strip()}))
    session.flush()
    return row


def assess(session: Session, actor: User | None, plan: Plan, year: int) -> Assessment:
    """Every responsible unit's score for the plan and year, ranked per group; a clerk gets its own only
    (``actor`` None is the operator at the command line). The ranking reads the whole plan's
    evaluation, reports and review trail: it is kept per process until something is audited
    (every change to what it reads is) or the evaluation's data version moves on."""
    only = visible_org_unit_id(actor) if actor is not None else None
    if actor is not None:
        check(actor, Action.VIEW, Scope(org_unit_id=only))
    region_scope.require_plan(session, actor, plan)
    year = evaluation_year(plan, year)
    key = (str(session.get_bind().engine.url), plan.id, year, session.scalar(select(func.max(AuditEvent.id))),
           data_version(session, plan.id, year))
    found = _assessments.computed(key, lambda: _assess(session, plan, year), lock_key=key[:3])
    if only is None:
        return found
    groups = {g: [u for u in members if u.org_unit_id == only] for g, members in found.groups.items()}
    return dataclasses.replace(found, groups={g: members for g, members in groups.items() if members})


_assessments: Kept[Assessment] = Kept(16)


def _assess(session: Session, plan: Plan, year: int) -> Assessment:
    scheme = scheme_for(session, plan.id, year)
    units: dict[int, UnitScore] = {}
    names = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(
        select(Assignment.org_unit_id).join(Indicator, Indicator.id == Assignment.indicator_id)
        .where(Indicator.plan_id == plan.id))))}

    def unit(unit_id: int) -> UnitScore:
        if unit_id not in units:
            row = names.get(unit_id) or session.get_one(OrgUnit, unit_id)
            units[unit_id] = UnitScore(unit_id, row.name, "towns" if row.kind in _TOWNS else "departments")
        return units[unit_id]

    _indicator_items(session, plan, year, scheme, unit)
    period = session.scalar(select(ReportingPeriod).where(
        ReportingPeriod.plan_id == plan.id, ReportingPeriod.year == year, ReportingPeriod.quarter.is_(None),
        ReportingPeriod.month.is_(None)))
    _ledger_items(session, plan, period, scheme, unit)
    if period is not None:
        _reporting_items(session, plan, period, unit)
    for adjustment in session.scalars(select(AssessmentAdjustment).where(
            AssessmentAdjustment.plan_id == plan.id, AssessmentAdjustment.year == year)
            .order_by(AssessmentAdjustment.id)):
        unit(adjustment.org_unit_id).adjustments.append((adjustment.points, adjustment.reason))
    scored = [score_unit(u, scheme) for u in units.values()]
    return Assessment(plan.id, plan.title, year, scheme, rank(scored))


def _indicator_items(session: Session, plan: Plan, year: int, scheme: dict[str, Any], unit: Any) -> None:
    evaluation = evaluate_stored_plan(session, None, plan, year)
    results = {r.indicator_id: r for r in evaluation.results}
    points = scheme["indicator_points"]
    for indicator_id, unit_id in session.execute(
            select(Assignment.indicator_id, Assignment.org_unit_id).join(Indicator, Indicator.id == Assignment.indicator_id)
            .where(Indicator.plan_id == plan.id, Assignment.role.in_(_SCORED_ROLES)).order_by(Assignment.id)):
        result = results.get(str(indicator_id))
        if result is None:  # retired: out of the evaluation and the assessment
            continue
        category = "binding_indicators" if result.attribute == "约束性" else "indicators"
        share = float(points.get(result.status.value, 0.0))
        unit(unit_id).items.append(Item(category, result.name, f"{result.status.label_zh}：得 {share:.0%}", share))


def _ledger_items(session: Session, plan: Plan, period: ReportingPeriod | None, scheme: dict[str, Any],
                  unit: Any) -> None:
    reports = {} if period is None else {
        (r.task_id, r.project_id, r.org_unit_id): r for r in session.scalars(
            select(LedgerReport).where(LedgerReport.period_id == period.id, LedgerReport.state != "returned"))}
    task_points = scheme["task_points"]
    for task, unit_id in session.execute(select(Task, Assignment.org_unit_id).join(
            Assignment, Assignment.task_id == Task.id).where(Task.plan_id == plan.id, Task.retired.is_(False),
                                                             Assignment.role.in_(_SCORED_ROLES))):
        report = reports.get((task.id, None, unit_id))
        if report is None:
            unit(unit_id).items.append(Item("tasks", task.title, "本期未报告进展：不得分", 0.0))
            continue
        share = float(task_points.get(report.status, 0.0))
        unit(unit_id).items.append(Item("tasks", task.title, f"{STATUSES[report.status]}：得 {share:.0%}", share))
    for project, unit_id in session.execute(select(Project, ProjectUnit.org_unit_id).join(
            ProjectUnit, ProjectUnit.project_id == Project.id).where(Project.plan_id == plan.id,
                                                                     Project.retired.is_(False))):
        report = reports.get((None, project.id, unit_id))
        planned = project.period_investment or project.investment
        if report is None or report.investment_cumulative is None or not planned or period is None:
            unit(unit_id).items.append(Item("projects", project.name, "本期未报告完成投资：不得分", 0.0))
            continue
        start, end = project.start_year or period.year, project.end_year or period.year
        due = planned * min(1.0, max(0.0, (period.year - start + 1) / max(1, end - start + 1)))
        share = 1.0 if due <= 0 else min(1.0, report.investment_cumulative / due)
        unit(unit_id).items.append(Item(
            "projects", project.name,
            f"累计完成投资 {report.investment_cumulative:,.0f} 万元，按年限应完成 {due:,.0f} 万元：得 {share:.0%}", share))


def _reporting_items(session: Session, plan: Plan, period: ReportingPeriod, unit: Any) -> None:
    """Timeliness, completeness and quality of the unit's indicator data in the period."""
    assigned: dict[int, set[int]] = {}
    for indicator_id, unit_id in session.execute(
            select(Assignment.indicator_id, Assignment.org_unit_id).join(Indicator, Indicator.id == Assignment.indicator_id)
            .where(Indicator.plan_id == plan.id, Indicator.retired_at.is_(None), Assignment.role.in_(_SCORED_ROLES))):
        assert indicator_id is not None
        assigned.setdefault(unit_id, set()).add(indicator_id)
    observations = list(session.execute(select(Observation.id, Observation.indicator_id, Observation.org_unit_id,
                                               Observation.state).where(Observation.period_id == period.id)))
    ids = [str(o.id) for o in observations]
    first_submit: dict[str, Any] = {}
    returned: dict[str, int] = {}
    if ids:
        for entity_id, at in session.execute(select(AuditEvent.entity_id, func.min(AuditEvent.at)).where(
                AuditEvent.entity == OBSERVATION_ENTITY, AuditEvent.action == "submit",
                AuditEvent.entity_id.in_(ids)).group_by(AuditEvent.entity_id)):
            first_submit[entity_id] = at
        for entity_id, count in session.execute(select(AuditEvent.entity_id, func.count()).where(
                AuditEvent.entity == OBSERVATION_ENTITY, AuditEvent.action == "return",
                AuditEvent.entity_id.in_(ids)).group_by(AuditEvent.entity_id)):
            returned[entity_id] = count
    closes = utc(period.closes_at)
    by_unit: dict[int, list[Any]] = {}
    for o in observations:
        by_unit.setdefault(o.org_unit_id, []).append(o)
    for unit_id, indicator_ids in assigned.items():
        mine = [o for o in by_unit.get(unit_id, ()) if o.indicator_id in indicator_ids]
        reported = {o.indicator_id for o in mine if o.state != "draft"}
        share = len(reported) / len(indicator_ids)
        unit(unit_id).items.append(Item("completeness", f"{period.code} 年度数据",
                                        f"应报 {len(indicator_ids)} 项，已报送 {len(reported)} 项", share))
        sent = [o for o in mine if str(o.id) in first_submit]
        if sent:
            on_time = sum(1 for o in sent if utc(first_submit[str(o.id)]) <= closes)
            unit(unit_id).items.append(Item("timeliness", f"{period.code} 年度数据",
                                            f"按时报送 {on_time}/{len(sent)} 项（截止 {closes:%Y-%m-%d}）",
                                            on_time / len(sent)))
            bounced = sum(1 for o in sent if returned.get(str(o.id)))
            unit(unit_id).items.append(Item("quality", f"{period.code} 年度数据",
                                            f"被审核退回 {bounced}/{len(sent)} 项", 1 - bounced / len(sent)))
