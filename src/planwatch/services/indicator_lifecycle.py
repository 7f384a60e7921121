"""Retiring, restoring and merging indicators: keeping the indicator system as people decide.

A plan's extracted system sometimes lists an indicator the district no longer monitors (it
is retired: 已停用, with the reason) or lists one indicator twice under two names (the two
are merged: the other's figures, their history, and its responsible units move to the one
kept). Both decisions are remembered by plan key and indicator key, like corrections, so a
plan imported again or revised comes back retired and merged the same way. Nothing is
deleted: a retired indicator keeps its data, and every step is audited with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from planwatch.errors import PlanWatchError
from planwatch.monitor.permissions import Action, check
from planwatch.services import region_scope
from planwatch.store.models import (
    Assignment,
    AuditEvent,
    Indicator,
    IndicatorDisposition,
    Observation,
    ObservationRevision,
    OrgUnit,
    Plan,
    ReportingPeriod,
    User,
    utcnow,
)

__all__ = ["Choice", "IndicatorStateError", "MergeConflict", "MergeConflicts", "MergeResult", "apply_dispositions",
           "merge", "merge_conflicts", "restore", "retire"]

INDICATORS = Indicator.__tablename__
Choice = Literal["kept", "merged"]  # whose value a conflicting period keeps
_PARKED = "~merging"  # a moment's disaggregation while two figures change places


class IndicatorStateError(PlanWatchError):
    """The indicator is not in a state the action applies to, or the reason is missing."""


@dataclass(frozen=True, slots=True)
class MergeConflict:
    """Both indicators have a figure for the same unit, period and breakdown."""

    merged_observation_id: int
    kept_observation_id: int
    org_unit: str
    period: str
    breakdown: str
    kept_value: str
    merged_value: str


class MergeConflicts(IndicatorStateError):
    """The merge was refused: these conflicts need a choice first. Nothing was changed."""

    def __init__(self, conflicts: list[MergeConflict]) -> None:
        self.conflicts = conflicts
        listed = "；".join(f"{c.org_unit} {c.period}（{c.breakdown}）：保留 {c.kept_value}，并入 {c.merged_value}"
                          for c in conflicts[:10])
        super().__init__(f"两个指标在 {len(conflicts)} 处同一单位、同一报告期都有数值，请逐项选择保留哪个值：{listed}")


@dataclass(frozen=True, slots=True)
class MergeResult:
    kept_id: int
    merged_id: int
    moved_observations: int
    moved_assignments: int


def _indicator(session: Session, actor: User, indicator_id: int) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise IndicatorStateError(f"指标 #{indicator_id} 不存在")
    region_scope.require_plan(session, actor, indicator.plan)
    return indicator


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise IndicatorStateError("请填写原因")
    return text


def _remember(session: Session, actor: User, indicator: Indicator, reason: str, into: Indicator | None) -> None:
    plan = session.get_one(Plan, indicator.plan_id)
    row = session.scalar(select(IndicatorDisposition).where(IndicatorDisposition.plan_key == plan.plan_key,
                                                            IndicatorDisposition.indicator_key == indicator.key))
    if row is None:
        row = IndicatorDisposition(plan_key=plan.plan_key, indicator_key=indicator.key, created_by_id=actor.id)
        session.add(row)
    row.reason, row.merged_into_key = reason, into.key if into is not None else None


def retire(session: Session, actor: User, indicator_id: int, reason: str) -> Indicator:
    """Take the indicator out of evaluation, entry, templates, reports and assessment."""
    check(actor, Action.CORRECT_EXTRACTION)
    indicator, why = _indicator(session, actor, indicator_id), _reason(reason)
    if indicator.retired_at is not None:
        raise IndicatorStateError(f"指标「{indicator.name}」已停用")
    indicator.retired_at, indicator.retired_reason = utcnow(), why
    _remember(session, actor, indicator, why, None)
    session.add(AuditEvent.of(actor, "retire", INDICATORS, indicator.id, old={"retired": False},
                              new={"retired": True}, reason=why))
    session.flush()
    return indicator


def restore(session: Session, actor: User, indicator_id: int, reason: str) -> Indicator:
    """Put a retired indicator back in use (a merged one stays merged)."""
    check(actor, Action.CORRECT_EXTRACTION)
    indicator, why = _indicator(session, actor, indicator_id), _reason(reason)
    if indicator.retired_at is None:
        raise IndicatorStateError(f"指标「{indicator.name}」未停用")
    if indicator.merged_into_id is not None:
        raise IndicatorStateError(f"指标「{indicator.name}」已并入其他指标，不能恢复")
    old = {"retired": True, "reason": indicator.retired_reason}
    indicator.retired_at, indicator.retired_reason = None, None
    plan = session.get_one(Plan, indicator.plan_id)
    for row in session.scalars(select(IndicatorDisposition).where(IndicatorDisposition.plan_key == plan.plan_key,
                                                                  IndicatorDisposition.indicator_key == indicator.key)):
        session.delete(row)
    session.add(AuditEvent.of(actor, "restore", INDICATORS, indicator.id, old=old, new={"retired": False}, reason=why))
    session.flush()
    return indicator


def merge_conflicts(session: Session, kept: Indicator, merged: Indicator) -> list[MergeConflict]:
    """The slots (unit, period, breakdown) where both indicators have a figure."""
    mine, theirs = aliased(Observation), aliased(Observation)
    mine_rev, theirs_rev = aliased(ObservationRevision), aliased(ObservationRevision)
    rows = session.execute(
        select(theirs.id, mine.id, OrgUnit.name, ReportingPeriod.code, theirs.sex, theirs.area,
               theirs.age_group, mine_rev.value_text, theirs_rev.value_text)
        .join(mine, and_(mine.org_unit_id == theirs.org_unit_id, mine.period_id == theirs.period_id,
                         mine.sex == theirs.sex, mine.area == theirs.area,
                         mine.age_group == theirs.age_group, mine.indicator_id == kept.id))
        .join(mine_rev, and_(mine_rev.observation_id == mine.id, mine_rev.revision == mine.current_revision))
        .join(theirs_rev, and_(theirs_rev.observation_id == theirs.id,
                               theirs_rev.revision == theirs.current_revision))
        .join(OrgUnit, OrgUnit.id == theirs.org_unit_id)
        .join(ReportingPeriod, ReportingPeriod.id == theirs.period_id)
        .where(theirs.indicator_id == merged.id)
        .order_by(ReportingPeriod.code, OrgUnit.name))
    return [MergeConflict(m_id, k_id, unit, period, "/".join(p for p in (sex, area, age) if p) or "合计", k_value,
                          m_value) for m_id, k_id, unit, period, sex, area, age, k_value, m_value in rows]


def merge(session: Session, actor: User, kept_id: int, merged_id: int, reason: str,
          choices: Mapping[int, Choice] | None = None) -> MergeResult:
    """Merge indicator ``merged_id`` into ``kept_id``: its figures (with their history, which
    is keyed by the figure) and responsible units move, and it is retired, pointing at the
    kept one. Where both have a figure, ``choices`` (by the merged figure's id) says whose
    value stays; the other figure stays with the merged indicator. Unresolved conflicts
    refuse the whole merge."""
    check(actor, Action.CORRECT_EXTRACTION)
    why = _reason(reason)
    kept, merged = _indicator(session, actor, kept_id), _indicator(session, actor, merged_id)
    if kept.id == merged.id:
        raise IndicatorStateError("不能把指标并入它自己")
    if kept.plan_id != merged.plan_id:
        raise IndicatorStateError(f"「{merged.name}」和「{kept.name}」不属于同一规划，不能合并")
    for indicator in (kept, merged):
        if indicator.retired_at is not None:
            raise IndicatorStateError(f"指标「{indicator.name}」已停用，请先恢复")
    chosen = dict(choices or {})
    conflicts = merge_conflicts(session, kept, merged)
    unresolved = [c for c in conflicts if chosen.get(c.merged_observation_id) not in ("kept", "merged")]
    if unresolved:
        raise MergeConflicts(unresolved)
    swapped = [c for c in conflicts if chosen[c.merged_observation_id] == "merged"]
    staying = {c.merged_observation_id for c in conflicts if chosen[c.merged_observation_id] == "kept"}
    _swap(session, actor, swapped, kept, merged, why)
    handled = staying | {c.kept_observation_id for c in swapped}
    moving = [obs for obs in session.scalars(select(Observation).where(Observation.indicator_id == merged.id))
              if obs.id not in handled]
    for obs in moving:
        _move(session, actor, obs, merged, kept, why)
    moved = len(moving)
    kept_units = set(session.scalars(select(Assignment.org_unit_id).where(Assignment.indicator_id == kept.id)))
    assignments = 0
    for assignment in list(session.scalars(select(Assignment).where(Assignment.indicator_id == merged.id))):
        if assignment.org_unit_id in kept_units:
            continue
        assignment.indicator_id = kept.id
        session.add(AuditEvent.of(actor, "merge", Assignment.__tablename__, assignment.id,
                                  old={"indicator_id": merged.id}, new={"indicator_id": kept.id}, reason=why))
        assignments += 1
    merged.retired_at, merged.retired_reason, merged.merged_into_id = utcnow(), f"并入「{kept.name}」：{why}", kept.id
    _remember(session, actor, merged, why, kept)
    session.add(AuditEvent.of(actor, "merge", INDICATORS, merged.id, old={"retired": False},
                              new={"merged_into_id": kept.id, "merged_into": kept.name,
                                   "observations": moved + len(swapped), "assignments": assignments,
                                   "kept_values": len(staying)}, reason=why))
    session.flush()
    return MergeResult(kept.id, merged.id, moved + len(swapped), assignments)


def _move(session: Session, actor: User, obs: Observation, source: Indicator, target: Indicator, why: str) -> None:
    obs.indicator_id = target.id
    session.add(AuditEvent.of(actor, "merge", Observation.__tablename__, obs.id,
                              old={"indicator_id": source.id}, new={"indicator_id": target.id}, reason=why))


def _swap(session: Session, actor: User, conflicts: list[MergeConflict], kept: Indicator, merged: Indicator,
          why: str) -> None:
    """The merged figure takes the kept one's place and the kept one goes with the merged
    indicator; the slot is unique, so the kept figure steps aside for a moment first."""
    pairs = [(session.get_one(Observation, c.kept_observation_id), session.get_one(Observation, c.merged_observation_id))
             for c in conflicts]
    ages = {mine.id: mine.age_group for mine, _ in pairs}
    for mine, _ in pairs:
        mine.age_group = f"{_PARKED}{mine.id}"[:32]
    session.flush()
    for _, theirs in pairs:
        _move(session, actor, theirs, merged, kept, why)
    session.flush()
    for mine, _ in pairs:
        mine.age_group = ages[mine.id]
        _move(session, actor, mine, kept, merged, why)
    session.flush()


def apply_dispositions(session: Session, plan: Plan) -> int:
    """Retire and merge a freshly imported plan version's indicators as people decided for
    earlier versions; returns how many were retired or merged."""
    decided = {d.indicator_key: d for d in session.scalars(
        select(IndicatorDisposition).where(IndicatorDisposition.plan_key == plan.plan_key))}
    if not decided:
        return 0
    by_key = {i.key: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan.id))}
    done = 0
    now = utcnow()
    for key, decision in decided.items():
        indicator = by_key.get(key)
        if indicator is None:
            continue
        into = by_key.get(decision.merged_into_key) if decision.merged_into_key else None
        indicator.retired_at = now
        indicator.retired_reason = f"并入「{into.name}」：{decision.reason}" if into else decision.reason
        indicator.merged_into_id = into.id if into else None
        done += 1
    session.flush()
    return done
