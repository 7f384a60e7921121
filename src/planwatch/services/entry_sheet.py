"""A unit's data-entry sheet for a period, and 全部报送: submitting what it has saved, at once.

Like DHIS2's data entry, a clerk saves values as drafts one by one (nothing reaches the
monitoring group yet) and then submits the whole sheet. Before that the clerk is shown what
will go and what is still empty (:func:`submission_preview`); :func:`submit_all` checks
every value first and submits all of them or none, naming each indicator whose value
cannot be submitted, so a bad value never leaves half a sheet submitted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.errors import FieldError
from planwatch.monitor.permissions import Action, Scope, check
from planwatch.monitor.workflow import ObservationState, WorkflowAction
from planwatch.services import ledger_progress, observation_values, observations, region_scope
from planwatch.services.entry_context import IndicatorContext, assigned_indicator_ids, indicator_contexts
from planwatch.services.periods import ensure_unlocked, window_is_open
from planwatch.store.models import (
    AuditEvent,
    Comment,
    Indicator,
    LedgerReport,
    Observation,
    ObservationRevision,
    Project,
    ProjectUnit,
    Task,
    User,
)
from planwatch.store.models.org import Assignment

__all__ = ["EntryLine", "SheetIndex", "SubmissionPreview", "SubmitAllResult", "SubmitRejected", "comment_counts",
           "entry_sheet", "latest_reasons", "sheet_index", "submission_preview", "submit_all"]

OBSERVATIONS = observations.OBSERVATION_ENTITY
_FIELD_ZH = {"value": "数值", "unit": "计量单位"}
_FIELD = re.compile(r"^(value|unit)：")


class SubmitRejected(FieldError):
    """全部报送 stopped: values that cannot be submitted as saved; nothing was submitted and
    every saved draft is kept."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("全部报送", f"{len(problems)} 个数值不能报送，本次没有报送任何数据（已保存的草稿都保留），"
                                     f"请改正后再报送：{'；'.join(problems)}")


@dataclass(frozen=True, slots=True)
class EntryLine:
    """One row of the sheet: the indicator's context and the unit's total for the period."""

    context: IndicatorContext
    observation_id: int | None
    version: int | None
    state: ObservationState | None
    value_text: str
    source: str
    note: str
    return_reason: str  # the monitoring group's reason, while the value is returned
    corrected: bool  # returned and entered again since: ready to be submitted again
    comments: int  # messages in the value's thread


def comment_counts(session: Session, entity: str, ids: Iterable[int]) -> dict[int, int]:
    """How many comments each row of ``entity`` has, in one query."""
    wanted = list(ids)
    if not wanted:
        return {}
    return dict(session.execute(select(Comment.entity_id, func.count()).where(
        Comment.entity == entity, Comment.entity_id.in_(wanted)).group_by(Comment.entity_id)).all())


def latest_reasons(session: Session, entity: str, ids: Iterable[int], actions: Sequence[str]) -> dict[int, str]:
    """The reason given with the latest of ``actions`` (a return, a reopening) per row."""
    wanted = [str(i) for i in ids]
    if not wanted:
        return {}
    rows = session.execute(select(AuditEvent.entity_id, AuditEvent.reason).where(
        AuditEvent.entity == entity, AuditEvent.entity_id.in_(wanted), AuditEvent.action.in_(list(actions)))
        .order_by(AuditEvent.id))
    return {int(entity_id): reason or "" for entity_id, reason in rows}


def _corrected(session: Session, ids: Sequence[int]) -> set[int]:
    """Returned observations entered again after their return."""
    if not ids:
        return set()
    latest = (select(func.max(AuditEvent.id)).where(AuditEvent.entity == OBSERVATIONS,
                                                    AuditEvent.entity_id.in_([str(i) for i in ids]))
              .group_by(AuditEvent.entity_id))
    return {int(entity_id) for entity_id, action in session.execute(
        select(AuditEvent.entity_id, AuditEvent.action).where(AuditEvent.id.in_(latest)))
        if action == WorkflowAction.ENTER.value}


@dataclass(frozen=True, slots=True)
class SheetIndex:
    """The indicators of a unit's sheet in their order, with the review state of each one's
    total (None: nothing entered): what a page of the sheet and the counts above it need,
    without the rows themselves. A unit reporting a hundred indicators got every row on one
    page, 140 KiB and 45 ms a page, and again for the counts after each row saved."""

    indicator_ids: list[int]
    states: list[ObservationState | None]

    def count(self, state: ObservationState | None) -> int:
        return self.states.count(state)

    def position(self, indicator_id: int) -> int | None:
        return self.indicator_ids.index(indicator_id) if indicator_id in self.indicator_ids else None


def sheet_index(session: Session, actor: User, period_id: int, org_unit_id: int) -> SheetIndex:
    period = region_scope.period(session, actor, period_id)
    unit = region_scope.org_unit(session, actor, org_unit_id)
    check(actor, Action.VIEW, Scope(org_unit_id=unit.id, org_unit_name=unit.name))
    region_scope.require_unit(session, actor, unit.id)
    ids = assigned_indicator_ids(session, period.plan_id, unit.id)
    total = observations.TOTAL
    states = {indicator_id: state for indicator_id, state in session.execute(
        select(Observation.indicator_id, Observation.state).where(
            Observation.period_id == period.id, Observation.org_unit_id == unit.id, Observation.sex == total.sex,
            Observation.area == total.area, Observation.age_group == total.age_group))}
    return SheetIndex(ids, [ObservationState(states[i]) if i in states else None for i in ids])


def entry_sheet(session: Session, actor: User, period_id: int, org_unit_id: int, *,
                indicator_ids: Sequence[int] | None = None) -> list[EntryLine]:
    """The unit's sheet for the period (only ``indicator_ids`` when given), in a fixed number
    of queries however many indicators the unit reports."""
    period = region_scope.period(session, actor, period_id)
    unit = region_scope.org_unit(session, actor, org_unit_id)
    contexts = indicator_contexts(session, actor, period, unit, indicator_ids=indicator_ids)
    views = {v.indicator_id: v for v in observations.list_observations(
        session, actor, period.id, org_unit_id=unit.id, indicator_ids=[c.indicator_id for c in contexts])
        if v.disaggregation == observations.TOTAL}
    returned = [v.id for v in views.values() if v.state is ObservationState.RETURNED]
    reasons = latest_reasons(session, OBSERVATIONS, returned, ("return", "reopen"))
    corrected = _corrected(session, returned)
    comments = comment_counts(session, OBSERVATIONS, [v.id for v in views.values()])
    lines = []
    for c in contexts:
        v = views.get(c.indicator_id)
        lines.append(EntryLine(c, v.id if v else None, v.version if v else None, v.state if v else None,
                               v.value_text if v else "", v.source if v else "", v.note if v else "",
                               reasons.get(v.id, "") if v else "", bool(v and v.id in corrected),
                               comments.get(v.id, 0) if v else 0))
    return lines


@dataclass(frozen=True, slots=True)
class SubmissionPreview:
    """What 全部报送 would send and what would still be missing, for the clerk's confirmation."""

    period_code: str
    unit_name: str
    window_open: bool
    ready: tuple[str, ...]  # indicators whose saved value would be submitted
    uncorrected: tuple[str, ...]  # returned and not changed since: not submitted again as they are
    empty: tuple[str, ...]  # indicators without any value yet
    ledger_ready: tuple[str, ...]  # tasks and projects whose saved report would be submitted
    ledger_empty: tuple[str, ...]  # tasks and projects without a report yet
    waiting: int  # figures and reports already submitted, waiting for review
    approved: int

    @property
    def anything_to_submit(self) -> bool:
        return bool(self.ready or self.ledger_ready)


@dataclass(frozen=True, slots=True)
class SubmitAllResult:
    indicators: int
    reports: int


def _ledger_items(session: Session, plan_id: int, unit_id: int) -> list[tuple[str, int, str]]:
    """The unit's current tasks and projects as (kind, id, title)."""
    tasks = session.execute(select(Task.id, Task.title).join(Assignment, Assignment.task_id == Task.id).where(
        Task.plan_id == plan_id, Task.retired.is_(False), Assignment.org_unit_id == unit_id).order_by(Task.line))
    projects = session.execute(select(Project.id, Project.name).join(
        ProjectUnit, ProjectUnit.project_id == Project.id).where(
        Project.plan_id == plan_id, Project.retired.is_(False), ProjectUnit.org_unit_id == unit_id)
        .order_by(Project.line))
    return [("task", i, t) for i, t in tasks] + [("project", i, n) for i, n in projects]


def _ledger_reports(session: Session, period_id: int, unit_id: int) -> dict[tuple[str, int], LedgerReport]:
    reports = session.scalars(select(LedgerReport).where(LedgerReport.period_id == period_id,
                                                         LedgerReport.org_unit_id == unit_id))
    return {("task", r.task_id) if r.task_id is not None else ("project", r.project_id or 0): r for r in reports}


def submission_preview(session: Session, actor: User, period_id: int, org_unit_id: int) -> SubmissionPreview:
    period = region_scope.period(session, actor, period_id)
    unit = region_scope.org_unit(session, actor, org_unit_id)
    check(actor, Action.VIEW, Scope(org_unit_id=unit.id, org_unit_name=unit.name))
    lines = entry_sheet(session, actor, period.id, unit.id)
    ready = [ln.context.name for ln in lines if ln.state is ObservationState.DRAFT
             or (ln.state is ObservationState.RETURNED and ln.corrected)]
    uncorrected = [ln.context.name for ln in lines if ln.state is ObservationState.RETURNED and not ln.corrected]
    items = _ledger_items(session, period.plan_id, unit.id)
    reports = _ledger_reports(session, period.id, unit.id)
    states = [ln.state for ln in lines] + [r.state for r in reports.values()]
    return SubmissionPreview(
        period.code, unit.name, window_is_open(period), tuple(ready), tuple(uncorrected),
        tuple(ln.context.name for ln in lines if ln.state is None),
        tuple(title for kind, i, title in items if (r := reports.get((kind, i))) is not None and r.state == "draft"),
        tuple(title for kind, i, title in items if (kind, i) not in reports),
        sum(1 for s in states if s == ObservationState.SUBMITTED), sum(1 for s in states if s == "approved"))


def _problem(name: str, problem: str) -> str:
    return f"指标「{name}」的" + "；".join(_FIELD.sub(lambda m: f"{_FIELD_ZH[m.group(1)]}：", p.strip())
                                          for p in problem.split("；"))


def submit_all(session: Session, actor: User, period_id: int, org_unit_id: int) -> SubmitAllResult:
    """Submit every saved draft (and corrected returned value) of the unit and its draft
    progress reports; any value that cannot be submitted stops all of them
    (:class:`SubmitRejected` lists each), nothing submitted."""
    period = region_scope.period(session, actor, period_id)
    unit = region_scope.org_unit(session, actor, org_unit_id)
    check(actor, Action.SUBMIT, Scope(org_unit_id=unit.id, org_unit_name=unit.name,
                                      window_open=window_is_open(period)))
    ensure_unlocked(period)
    lines = [ln for ln in entry_sheet(session, actor, period.id, unit.id)
             if ln.state is ObservationState.DRAFT or (ln.state is ObservationState.RETURNED and ln.corrected)]
    revisions = {r.observation_id: r for r in session.scalars(select(ObservationRevision).join(
        Observation, (Observation.id == ObservationRevision.observation_id)
        & (Observation.current_revision == ObservationRevision.revision))
        .where(Observation.id.in_([ln.observation_id for ln in lines if ln.observation_id is not None])))}
    indicators = {i.id: i for i in session.scalars(select(Indicator).where(
        Indicator.id.in_([ln.context.indicator_id for ln in lines])))}
    problems = []
    for ln in lines:
        assert ln.observation_id is not None
        rev = revisions[ln.observation_id]
        if problem := observation_values.check_value(indicators[ln.context.indicator_id], rev.value_text, rev.unit):
            problems.append(_problem(ln.context.name, problem))
    if problems:
        raise SubmitRejected(problems)
    for ln in lines:
        assert ln.observation_id is not None
        observations.submit(session, actor, ln.observation_id)
    drafts = [r for r in _ledger_reports(session, period.id, unit.id).values() if r.state == "draft"]
    for report in drafts:
        ledger_progress.submit_report(session, actor, report.id)
    return SubmitAllResult(len(lines), len(drafts))
