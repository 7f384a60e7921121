"""The monitoring group's review queue: figures and progress reports, filtered and paged.

Filters and paging run in the database, and everything a reviewer compares a figure with
(last year's value, the target, the plausibility flags, who entered and submitted it, the
comment thread) is read for the page shown only, in a fixed number of queries: a district
with thousands of figures waiting gets its first page as fast as one with ten.

Rows the reviewer may not approve are marked before any click (``blocked``): under the
four-eyes rule whoever entered or submitted a value cannot approve it, and the mark names
that person as people know them (their name, not their login).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar, TypeVarTuple

from sqlalchemy import Select, Text, and_, cast, func, select
from sqlalchemy.orm import Session, selectinload

from planwatch.monitor.permissions import Action, check
from planwatch.monitor.workflow import ObservationState, WorkflowAction
from planwatch.services import region_scope
from planwatch.services.entry_context import IndicatorContext, context_of, previous_values
from planwatch.services.entry_sheet import comment_counts, latest_reasons
from planwatch.services.ledger_progress import REPORTS
from planwatch.services.observations import OBSERVATION_ENTITY
from planwatch.services.paging import clamped_page
from planwatch.services.plausibility import Flag, plausibility_flags
from planwatch.services.region_scope import Region
from planwatch.services.settings import four_eyes_required
from planwatch.store.models import (
    AuditEvent,
    Indicator,
    LedgerEvidence,
    LedgerReport,
    Observation,
    ObservationRevision,
    OrgUnit,
    Plan,
    Project,
    ReportingPeriod,
    Task,
    User,
)

__all__ = ["PAGE_SIZE", "QUEUE_STATES", "QueueFilter", "QueuePage", "ReportRow", "ValueRow", "display_names",
           "report_queue", "value_queue"]

PAGE_SIZE: Final = 50
QUEUE_STATES: Final = ("submitted", "returned", "approved", "draft", "all")
_OUTLIER = Flag("outlier", "超出该单位历年数值的正常范围（历年均值 ± 3 倍标准差）")

Row = TypeVar("Row")
Columns = TypeVarTuple("Columns")


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the reviewer narrows the queue to; None is every plan, period or unit."""

    plan_id: int | None = None
    period_id: int | None = None
    org_unit_id: int | None = None
    state: str = "submitted"  # one of QUEUE_STATES
    flagged: bool = False  # only figures flagged when they were submitted


@dataclass(frozen=True, slots=True)
class QueuePage(Generic[Row]):
    rows: list[Row]
    total: int  # rows matching the filter, on every page
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True, slots=True)
class ValueRow:
    """A reported figure as the reviewer sees it."""

    id: int
    version: int
    state: ObservationState
    context: IndicatorContext  # the indicator, its baseline and targets, the unit's value a year earlier
    breakdown: str  # 合计, or the disaggregation
    org_unit_id: int
    org_unit_name: str
    plan_id: int
    plan_title: str
    period_id: int
    period_code: str
    period_locked: bool
    value_text: str
    value: float | None
    unit: str
    source: str
    note: str
    previous: float | None  # this slot's value a year earlier
    flags: tuple[Flag, ...]
    entered_by: str
    submitted_by: str
    blocked: str  # why this reviewer may not approve it; empty when it may
    return_reason: str
    comments: int

    @property
    def actionable(self) -> bool:
        return self.state is ObservationState.SUBMITTED and not self.period_locked


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A task's or project's progress report as the reviewer sees it."""

    id: int
    kind: str  # task | project
    subject_id: int
    title: str
    plan_id: int
    plan_title: str
    period_id: int
    period_code: str
    period_locked: bool
    org_unit_id: int
    org_unit_name: str
    state: str
    status: str
    percent: float | None
    progress: str
    investment_period: float | None
    investment_cumulative: float | None
    entered_by: str
    submitted_by: str
    blocked: str
    review_note: str
    evidence: int
    comments: int

    @property
    def actionable(self) -> bool:
        return self.state == "submitted" and not self.period_locked


def display_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """How people are shown: their name, or their login when no name was given."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return {i: name or login for i, name, login in session.execute(
        select(User.id, User.name, User.login).where(User.id.in_(ids)))}


def _blocked(actor: User, four_eyes: bool, involved: bool, entered_by: int | None, submitted_by: int | None) -> str:
    """Why the reviewer may not approve this row, before the click: the same rule the approval
    applies (whoever entered, changed or submitted any version of it), said with the person's name."""
    if not four_eyes or not involved:
        return ""
    who = actor.name or actor.login
    if actor.id not in (entered_by, submitted_by):
        did = "填报或修改过此前的版本"
    else:
        did = "填报并报送" if entered_by == submitted_by else ("报送" if actor.id == submitted_by else "填报")
    return f"由{who}（本人）{did}，按四眼原则须由其他审核人通过"


def _involved(session: Session, entity: str, ids: list[int], actor_id: int) -> set[int]:
    """The rows in whose history ``actor_id`` entered, changed, submitted or added evidence."""
    if not ids:
        return set()
    acted = {int(i) for i in session.scalars(select(AuditEvent.entity_id).where(
        AuditEvent.entity == entity, AuditEvent.actor_id == actor_id,
        AuditEvent.action.in_(["enter", "submit", "evidence"]), AuditEvent.entity_id.in_([str(i) for i in ids])))}
    if entity == OBSERVATION_ENTITY:
        acted |= set(session.scalars(select(ObservationRevision.observation_id).where(
            ObservationRevision.observation_id.in_(ids), ObservationRevision.entered_by_id == actor_id)))
    return acted


def _narrow(query: Select[*Columns], filters: QueueFilter, region: Region, period: Any, unit: Any,
            state: Any) -> Select[*Columns]:
    """``query`` narrowed to the reviewer's district and the filter, given the columns of its
    rows' period, unit and state."""
    query = query.where(region.plan_filter())
    if filters.plan_id is not None:
        query = query.where(ReportingPeriod.plan_id == filters.plan_id)
    if filters.period_id is not None:
        query = query.where(period == filters.period_id)
    if filters.org_unit_id is not None:
        query = query.where(unit == filters.org_unit_id)
    if filters.state != "all":
        query = query.where(state == filters.state)
    return query


def _value_filters(query: Select[*Columns], filters: QueueFilter, region: Region) -> Select[*Columns]:
    query = _narrow(query.where(Indicator.retired_at.is_(None), Plan.current.is_(True)), filters, region,
                    Observation.period_id, Observation.org_unit_id, Observation.state)
    if filters.flagged:
        query = query.where(func.coalesce(cast(Observation.flags, Text), "[]") != "[]")
    return query


def _value_joins(query: Select[*Columns]) -> Select[*Columns]:
    return (query.join(Indicator, Indicator.id == Observation.indicator_id)
            .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
            .join(Plan, Plan.id == ReportingPeriod.plan_id))


def _submitters(session: Session, entity: str, ids: Sequence[int]) -> dict[int, int]:
    """Who submitted each row last, from the audit trail."""
    if not ids:
        return {}
    rows = session.execute(select(AuditEvent.entity_id, AuditEvent.actor_id).where(
        AuditEvent.entity == entity, AuditEvent.action == WorkflowAction.SUBMIT.value,
        AuditEvent.entity_id.in_([str(i) for i in ids])).order_by(AuditEvent.id))
    return {int(entity_id): actor_id for entity_id, actor_id in rows if actor_id is not None}


def value_queue(session: Session, actor: User, filters: QueueFilter, *, page: int = 1,
                page_size: int = PAGE_SIZE) -> QueuePage[ValueRow]:
    """One page of the figures matching ``filters``: by period (latest first), unit, indicator."""
    check(actor, Action.APPROVE)
    region = region_scope.region_of(session, actor)
    total = session.scalar(_value_filters(_value_joins(select(func.count()).select_from(Observation)), filters,
                                          region)) or 0
    page = clamped_page(page, total, page_size)
    # The page's ids first, in an order an index serves without sorting (the order periods,
    # units and indicators were registered), then only those rows with everything shown:
    # joining every skipped row cost a deep page a quarter of a second.
    ids = list(session.scalars(_value_filters(_value_joins(select(Observation.id)), filters, region).order_by(
        Observation.period_id.desc(), Observation.org_unit_id, Observation.indicator_id, Observation.sex,
        Observation.area, Observation.age_group, Observation.id).limit(page_size).offset((page - 1) * page_size)))
    found = {obs.id: (obs, rev, unit_name, period, plan_title) for obs, rev, unit_name, period, plan_title in
             session.execute(select(Observation, ObservationRevision, OrgUnit.name, ReportingPeriod, Plan.title)
                             .join(ObservationRevision,
                                   and_(ObservationRevision.observation_id == Observation.id,
                                        ObservationRevision.revision == Observation.current_revision))
                             .join(OrgUnit, OrgUnit.id == Observation.org_unit_id)
                             .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
                             .join(Plan, Plan.id == ReportingPeriod.plan_id).where(Observation.id.in_(ids)))}
    rows = [found[i] for i in ids]
    if not rows:
        return QueuePage([], total, page, page_size)
    indicators = {i.id: i for i in session.scalars(select(Indicator).where(
        Indicator.id.in_({obs.indicator_id for obs, *_ in rows})).options(selectinload(Indicator.targets)))}
    previous: dict[tuple[int, int, str, str, str], Any] = {}
    for period in {p.id: p for *_, p, _ in rows}.values():
        previous |= previous_values(session, period, {o.indicator_id for o, *_, p, _ in rows if p.id == period.id},
                                    {o.org_unit_id for o, *_, p, _ in rows if p.id == period.id})
    submitters = _submitters(session, OBSERVATION_ENTITY, ids)
    names = display_names(session, [r.entered_by_id for _, r, *_ in rows] + list(submitters.values()))
    returned = [obs.id for obs, *_ in rows if obs.state == ObservationState.RETURNED]
    reasons = latest_reasons(session, OBSERVATION_ENTITY, returned, ("return", "reopen"))
    comments = comment_counts(session, OBSERVATION_ENTITY, ids)
    four_eyes = four_eyes_required(session)
    mine = _involved(session, OBSERVATION_ENTITY, ids, actor.id) if four_eyes else set()
    out = []
    for obs, rev, unit_name, period, plan_title in rows:
        slot = (obs.indicator_id, obs.org_unit_id, obs.sex, obs.area, obs.age_group)
        total_slot = (obs.indicator_id, obs.org_unit_id, "", "", "")
        context = context_of(indicators[obs.indicator_id], period.year, previous.get(total_slot))
        flags = plausibility_flags(context, period.year, rev.value, breakdown=previous.get(slot),
                                   is_breakdown=slot != total_slot)
        if "outlier" in (obs.flags or ()):
            flags.append(_OUTLIER)
        last = previous.get(slot)
        out.append(ValueRow(
            obs.id, obs.version, ObservationState(obs.state), context,
            "/".join(p for p in (obs.sex, obs.area, obs.age_group) if p) or "合计", obs.org_unit_id, unit_name,
            period.plan_id, plan_title, period.id, period.code, period.locked, rev.value_text, rev.value,
            rev.unit or context.unit, rev.source, rev.note, last.value if last else None, tuple(flags),
            names.get(rev.entered_by_id, ""), names.get(submitters.get(obs.id, 0), ""),
            _blocked(actor, four_eyes, obs.id in mine, rev.entered_by_id, submitters.get(obs.id)),
            reasons.get(obs.id, ""),
            comments.get(obs.id, 0)))
    return QueuePage(out, total, page, page_size)


def _report_filters(query: Select[*Columns], filters: QueueFilter, region: Region) -> Select[*Columns]:
    query = (query.outerjoin(Task, Task.id == LedgerReport.task_id)
             .outerjoin(Project, Project.id == LedgerReport.project_id)
             .join(ReportingPeriod, ReportingPeriod.id == LedgerReport.period_id)
             .join(Plan, Plan.id == ReportingPeriod.plan_id)
             .where(func.coalesce(Task.retired, Project.retired).is_(False), Plan.current.is_(True)))
    return _narrow(query, filters, region, LedgerReport.period_id, LedgerReport.org_unit_id, LedgerReport.state)


def report_queue(session: Session, actor: User, filters: QueueFilter, *, page: int = 1,
                 page_size: int = PAGE_SIZE) -> QueuePage[ReportRow]:
    """One page of the task and project progress reports matching ``filters`` (the flags are
    for figures: with ``flagged`` there are none)."""
    check(actor, Action.APPROVE)
    if filters.flagged:
        return QueuePage([], 0, 1, page_size)
    region = region_scope.region_of(session, actor)
    total = session.scalar(_report_filters(select(func.count()).select_from(LedgerReport), filters, region)) or 0
    page = clamped_page(page, total, page_size)
    query = _report_filters(select(LedgerReport, Task, Project, OrgUnit.name, ReportingPeriod, Plan.title)
                            .select_from(LedgerReport), filters, region).join(OrgUnit, OrgUnit.id == LedgerReport.org_unit_id)
    rows = session.execute(query.order_by(ReportingPeriod.year.desc(), ReportingPeriod.code.desc(), Plan.id,
                                          OrgUnit.code, func.coalesce(Task.line, Project.line), LedgerReport.id)
                           .limit(page_size).offset((page - 1) * page_size)).all()
    ids = [r.id for r, *_ in rows]
    names = display_names(session, [r.entered_by_id for r, *_ in rows] + [r.submitted_by_id for r, *_ in rows])
    comments = comment_counts(session, REPORTS, ids)
    evidence = dict(session.execute(select(LedgerEvidence.report_id, func.count()).where(
        LedgerEvidence.report_id.in_(ids)).group_by(LedgerEvidence.report_id)).all()) if ids else {}
    four_eyes = four_eyes_required(session)
    mine = _involved(session, REPORTS, ids, actor.id) if four_eyes else set()
    out = []
    for report, task, project, unit_name, period, plan_title in rows:
        subject: Task | Project = task if task is not None else project
        out.append(ReportRow(
            report.id, "task" if task is not None else "project", subject.id,
            task.title if task is not None else project.name, period.plan_id, plan_title, period.id, period.code,
            period.locked, report.org_unit_id, unit_name, report.state, report.status, report.percent,
            report.progress, report.investment_period, report.investment_cumulative,
            names.get(report.entered_by_id, ""), names.get(report.submitted_by_id or 0, ""),
            _blocked(actor, four_eyes, report.id in mine, report.entered_by_id, report.submitted_by_id),
            report.review_note,
            evidence.get(report.id, 0), comments.get(report.id, 0)))
    return QueuePage(out, total, page, page_size)
