"""Entering and submitting observations one at a time, and reading them back.

What a typed value means is read in :mod:`~planwatch.services.observation_values`; many
values at once go through :mod:`~planwatch.services.observation_bulk`; audit trails and the
approved figures evaluation reads are in :mod:`~planwatch.services.observation_history`.

Every function takes the acting user and checks it before reading or writing anything
(:func:`planwatch.monitor.permissions.check`), then the period lock, then the workflow
rule. Functions flush but never commit: the caller (a web request, a CLI command, an
import) owns the transaction, so a failure leaves nothing half-stored. When two people
change the same observation at once, the loser's flush fails and this module raises
:class:`ConcurrentUpdate` (the caller rolls back and retries or asks the user to reload),
so an update is never silently lost.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from planwatch.errors import InputError, PlanWatchError
from planwatch.monitor.permissions import Action, PermissionDenied, Role, Scope, check, visible_org_unit_id
from planwatch.monitor.workflow import ObservationState, WorkflowAction, apply_transition
from planwatch.services import region_scope
from planwatch.services.entry_context import PreviousValue, Slot, context_of, previous_values
from planwatch.services.observation_values import (
    ParsedValue,
    is_judged,
    parse_value,
    submission_problems,
    value_problems,
)
from planwatch.services.periods import ensure_unlocked, get_period, utc, window_is_open
from planwatch.services.plausibility import plausibility_flags
from planwatch.store.models.base import utcnow
from planwatch.store.models.monitoring import AuditEvent, Observation, ObservationRevision, ReportingPeriod
from planwatch.store.models.org import Assignment, OrgUnit, User
from planwatch.store.models.plans import Indicator, Plan

__all__ = [
    "OBSERVATION_ENTITY",
    "TOTAL",
    "ConcurrentUpdate",
    "Disaggregation",
    "ObservationInput",
    "ObservationNotFound",
    "ObservationView",
    "OutlierRule",
    "ValueRejected",
    "change_state",
    "enter_value",
    "entry_scope",
    "get_observation",
    "list_observations",
    "require_region",
    "slot_label",
    "stored_observation",
    "submission_flags",
    "submit",
    "view_of",
]

OBSERVATION_ENTITY = Observation.__tablename__
_SEXES = ("", "male", "female")
_AREAS = ("", "urban", "rural")


class ObservationNotFound(PlanWatchError):
    def __init__(self, observation_id: int) -> None:
        super().__init__(f"监测数据 #{observation_id} 不存在")


class ConcurrentUpdate(PlanWatchError):
    """Someone else changed the observation since it was read; nothing was stored."""

    def __init__(self, observation: str) -> None:
        super().__init__(f"{observation} 已被他人修改，请刷新后重试")


class ValueRejected(InputError):
    """A value that cannot be stored or submitted; names the indicator, field and expectation."""

    def __init__(self, where: str, field: str, problem: str) -> None:
        self.where = where
        self.field = field
        super().__init__(f"{where} {field}".strip(), problem)


@dataclass(frozen=True, slots=True)
class Disaggregation:
    """Breakdown of a figure; blank everywhere is the total."""

    sex: str = ""  # male / female
    area: str = ""  # urban / rural (城镇 / 农村)
    age_group: str = ""  # as the indicator defines it, e.g. 0-17

    def problems(self) -> list[str]:
        out = []
        if self.sex not in _SEXES:
            out.append(f"性别分组应为 male/female 或留空（合计），实际为「{self.sex}」")
        if self.area not in _AREAS:
            out.append(f"城乡分组应为 urban/rural 或留空（合计），实际为「{self.area}」")
        if len(self.age_group) > 32:
            out.append("年龄组不超过 32 个字符")
        return out

    @property
    def label(self) -> str:
        return "/".join(p for p in (self.sex, self.area, self.age_group) if p) or "合计"


TOTAL = Disaggregation()


@dataclass(frozen=True, slots=True)
class ObservationInput:
    """A value for one slot as a unit reports it; ``unit`` blank means the indicator's unit."""

    indicator_id: int
    org_unit_id: int
    value_text: str
    disaggregation: Disaggregation = TOTAL
    unit: str = ""
    source: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class ObservationView:
    """An observation with its current revision, as plain data for the web app and reports."""

    id: int
    indicator_id: int
    org_unit_id: int
    period_id: int
    disaggregation: Disaggregation
    state: ObservationState
    version: int
    revision: int
    value_text: str
    value: float | None
    unit: str
    source: str
    note: str
    flags: tuple[str, ...]
    entered_by_id: int
    entered_at: datetime


@dataclass(frozen=True, slots=True)
class OutlierRule:
    """DHIS2-style min-max check: mean ± ``sd_factor`` standard deviations of the history.

    Applies once the slot has ``min_history`` approved values in other periods; an
    outlier is flagged for the reviewer, never rejected.
    """

    min_history: int = 3
    sd_factor: float = 3.0

    def bounds(self, history: Sequence[float]) -> tuple[float, float] | None:
        if len(history) < self.min_history:
            return None
        mean = sum(history) / len(history)
        sd = math.sqrt(sum((v - mean) ** 2 for v in history) / (len(history) - 1))
        return mean - self.sd_factor * sd, mean + self.sd_factor * sd


# --- shared internals (also of the bulk entry and the history) ---------------------------

def slot_label(indicator: Indicator, org_unit_id: int, disaggregation: Disaggregation) -> str:
    """The slot as a refusal names it: the indicator, the unit and the breakdown."""
    return f"指标「{indicator.name}」（填报单位 #{org_unit_id}，{disaggregation.label}）"


def _view(obs: Observation, rev: ObservationRevision) -> ObservationView:
    return ObservationView(
        obs.id, obs.indicator_id, obs.org_unit_id, obs.period_id,
        Disaggregation(obs.sex, obs.area, obs.age_group), ObservationState(obs.state), obs.version,
        rev.revision, rev.value_text, rev.value, rev.unit, rev.source, rev.note, tuple(obs.flags or ()),
        rev.entered_by_id, utc(rev.entered_at))


def view_of(obs: Observation, rev: ObservationRevision) -> ObservationView:
    """An observation at its current revision as the services show it, for a caller that
    read both in one query (the review queue's page)."""
    return _view(obs, rev)


def _current_revision(session: Session, obs: Observation) -> ObservationRevision:
    rev = session.scalar(select(ObservationRevision).where(
        ObservationRevision.observation_id == obs.id, ObservationRevision.revision == obs.current_revision))
    assert rev is not None, f"observation {obs.id} has no revision {obs.current_revision}"
    return rev


def entry_scope(session: Session, period: ReportingPeriod, org_unit_id: int) -> Scope:
    unit = session.get(OrgUnit, org_unit_id)
    return Scope(org_unit_id=org_unit_id, org_unit_name=unit.name if unit else None,
                 window_open=window_is_open(period))


def require_region(session: Session, actor: User, period: ReportingPeriod, org_unit_id: int | None) -> None:
    """Figures of another district are answered as missing (see :mod:`region_scope`)."""
    region = region_scope.region_of(session, actor)
    if not region.has_plan(session.get_one(Plan, period.plan_id)):
        raise region_scope.OutsideRegion("报告期", period.id, region)
    if org_unit_id is not None and not region.has_unit(org_unit_id):
        raise region_scope.OutsideRegion("单位", org_unit_id, region)


def _authorize(session: Session, actor: User, action: Action, period: ReportingPeriod,
               org_unit_id: int, indicator_id: int) -> None:
    require_region(session, actor, period, org_unit_id)
    check(actor, action, entry_scope(session, period, org_unit_id))
    if actor.role == Role.CLERK and action is Action.ENTER:
        assigned = session.scalar(select(Assignment.id).where(
            Assignment.indicator_id == indicator_id, Assignment.org_unit_id == org_unit_id).limit(1))
        if assigned is None:
            raise PermissionDenied(actor.login, action, f"指标 #{indicator_id} 未分配给本单位")


def _indicator(session: Session, indicator_id: int, period: ReportingPeriod) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None or indicator.plan_id != period.plan_id:
        raise ValueRejected(f"报告期 {period.code}", "indicator_id",
                            f"指标 #{indicator_id} 不属于该报告期的规划")
    if indicator.retired_at is not None:
        raise ValueRejected(f"指标「{indicator.name}」", "indicator_id",
                            f"已停用（{indicator.retired_reason or '无说明'}），不再填报")
    return indicator


def _flush(session: Session, obs_label: str) -> None:
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as exc:
        raise ConcurrentUpdate(obs_label) from exc


def _expect(obs: Observation, expected_version: int | None) -> None:
    if expected_version is not None and obs.version != expected_version:
        raise ConcurrentUpdate(f"监测数据 #{obs.id}")


def stored_observation(session: Session, observation_id: int) -> Observation:
    obs = session.get(Observation, observation_id)
    if obs is None:
        raise ObservationNotFound(observation_id)
    return obs


def _slot_filter(indicator_id: int, org_unit_id: int, period_id: int, d: Disaggregation) -> Any:
    return and_(Observation.indicator_id == indicator_id, Observation.org_unit_id == org_unit_id,
                Observation.period_id == period_id, Observation.sex == d.sex, Observation.area == d.area,
                Observation.age_group == d.age_group)


# --- entering -------------------------------------------------------------------------

def enter_value(session: Session, actor: User, period_id: int, item: ObservationInput, *,
                expected_version: int | None = None) -> ObservationView:
    """Store a new revision of the slot's value (creating the observation on first entry).

    ``expected_version`` is the version the user's form was built from; a mismatch means
    someone else changed the value meanwhile and raises :class:`ConcurrentUpdate`.
    """
    period = get_period(session, period_id)
    _authorize(session, actor, Action.ENTER, period, item.org_unit_id, item.indicator_id)
    ensure_unlocked(period)
    indicator = _indicator(session, item.indicator_id, period)
    where = slot_label(indicator, item.org_unit_id, item.disaggregation)
    if problems := item.disaggregation.problems():
        raise ValueRejected(where, "disaggregation", "；".join(problems))
    if not item.value_text.strip():
        raise ValueRejected(where, "value", "不能为空")
    parsed = parse_value(indicator, item.value_text, item.unit)
    if problems := value_problems(indicator, parsed):
        raise ValueRejected(where, "value", "；".join(p.removeprefix("value：") for p in problems))
    now = utcnow()
    obs = session.scalar(select(Observation).where(
        _slot_filter(item.indicator_id, item.org_unit_id, period_id, item.disaggregation)))
    old: dict[str, Any] | None = None
    if obs is None:
        state = apply_transition(None, WorkflowAction.ENTER)
        obs = Observation(indicator_id=item.indicator_id, org_unit_id=item.org_unit_id, period_id=period_id,
                          sex=item.disaggregation.sex, area=item.disaggregation.area,
                          age_group=item.disaggregation.age_group, state=state, current_revision=1,
                          flags=[], updated_at=now)
        session.add(obs)
    else:
        _expect(obs, expected_version)
        state = apply_transition(ObservationState(obs.state), WorkflowAction.ENTER)
        previous = _current_revision(session, obs)
        old = {"state": obs.state, "revision": obs.current_revision, "value_text": previous.value_text,
               "value": previous.value, "unit": previous.unit}
        obs.state, obs.current_revision, obs.flags, obs.updated_at = state, obs.current_revision + 1, [], now
    _flush(session, where)
    rev = ObservationRevision(observation_id=obs.id, revision=obs.current_revision,
                              value_text=parsed.stored_text(item.value_text), value=parsed.value, unit=parsed.unit,
                              source=item.source, note=item.note, entered_by_id=actor.id, entered_at=now)
    session.add(rev)
    session.add(AuditEvent.of(actor, WorkflowAction.ENTER.value, OBSERVATION_ENTITY, obs.id, old=old, at=now,
                              new={"state": state.value, "revision": rev.revision,
                                   "value_text": rev.value_text, "value": rev.value, "unit": rev.unit}))
    _flush(session, where)
    return _view(obs, rev)


def change_state(session: Session, actor: User, observation_id: int, action: WorkflowAction, *,
                 comment: str | None = None, expected_version: int | None = None,
                 outliers: OutlierRule | None = None) -> ObservationView:
    """Move an observation through the workflow (submit, approve, return, reopen).

    Submitting checks the current value first (:class:`ValueRejected`) and flags it as an
    outlier against the slot's approved history; the other moves keep the flags.
    """
    obs = stored_observation(session, observation_id)
    period = get_period(session, obs.period_id)
    require_region(session, actor, period, obs.org_unit_id)
    check(actor, Action(action.value), entry_scope(session, period, obs.org_unit_id))
    ensure_unlocked(period)
    _expect(obs, expected_version)
    target = apply_transition(ObservationState(obs.state), action, comment)
    rev = _current_revision(session, obs)
    new: dict[str, Any] = {"state": target.value, "revision": rev.revision}
    if action is WorkflowAction.SUBMIT:
        indicator = session.get_one(Indicator, obs.indicator_id)
        disaggregation = Disaggregation(obs.sex, obs.area, obs.age_group)
        if problems := submission_problems(indicator, rev.value_text,
                                            parse_value(indicator, rev.value_text, rev.unit) if is_judged(indicator)
                                            else ParsedValue(rev.value, rev.unit), rev.note):
            raise ValueRejected(slot_label(indicator, obs.org_unit_id, disaggregation), "", "；".join(problems))
        bounds = (outliers or OutlierRule()).bounds(_history(session, obs))
        slot = (obs.indicator_id, obs.org_unit_id, obs.sex, obs.area, obs.age_group)
        flags = submission_flags(indicator, period, slot, rev.value, bounds,
                                  previous_values(session, period, [obs.indicator_id], [obs.org_unit_id]))
        obs.flags = flags
        new["flags"] = flags
        if bounds:
            new["bounds"] = [bounds[0], bounds[1]]
    old = {"state": obs.state, "revision": rev.revision}
    now = utcnow()
    obs.state, obs.updated_at = target, now
    session.add(AuditEvent.of(actor, action.value, OBSERVATION_ENTITY, obs.id, old=old, new=new,
                              reason=comment, at=now))
    _flush(session, f"监测数据 #{obs.id}")
    return _view(obs, rev)


def submission_flags(indicator: Indicator, period: ReportingPeriod, slot: Slot, value: float | None,
                      bounds: tuple[float, float] | None, previous: dict[Slot, PreviousValue]) -> list[str]:
    """The codes of the flags a submitted value carries to the review queue: outside the
    slot's usual range (DHIS2's min-max), and the plausibility checks."""
    flags = ["outlier"] if bounds and value is not None and not bounds[0] <= value <= bounds[1] else []
    total = (slot[0], slot[1], "", "", "")
    context = context_of(indicator, period.year, previous.get(total))
    flags += [f.code for f in plausibility_flags(context, period.year, value, breakdown=previous.get(slot),
                                                 is_breakdown=slot != total)]
    return flags


def submit(session: Session, actor: User, observation_id: int, *, expected_version: int | None = None,
           outliers: OutlierRule | None = None) -> ObservationView:
    """Send the current value to the monitoring group (also the resubmission after a return)."""
    return change_state(session, actor, observation_id, WorkflowAction.SUBMIT,
                        expected_version=expected_version, outliers=outliers)


def _history(session: Session, obs: Observation) -> list[float]:
    """Approved current values of the same slot in the plan's other periods."""
    rows = session.scalars(
        select(ObservationRevision.value)
        .join(Observation, and_(Observation.id == ObservationRevision.observation_id,
                                Observation.current_revision == ObservationRevision.revision))
        .where(Observation.indicator_id == obs.indicator_id, Observation.org_unit_id == obs.org_unit_id,
               Observation.sex == obs.sex, Observation.area == obs.area, Observation.age_group == obs.age_group,
               Observation.state == ObservationState.APPROVED, Observation.id != obs.id,
               ObservationRevision.value.is_not(None)))
    return [v for v in rows if v is not None]


# --- reading --------------------------------------------------------------------------

def _views_query() -> Select[Observation, ObservationRevision]:
    return select(Observation, ObservationRevision).join(
        ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                  ObservationRevision.revision == Observation.current_revision))


def get_observation(session: Session, actor: User, observation_id: int) -> ObservationView:
    obs = stored_observation(session, observation_id)
    require_region(session, actor, get_period(session, obs.period_id), obs.org_unit_id)
    check(actor, Action.VIEW, Scope(org_unit_id=obs.org_unit_id))
    return _view(obs, _current_revision(session, obs))


def list_observations(session: Session, actor: User, period_id: int, *, org_unit_id: int | None = None,
                      states: Iterable[ObservationState] | None = None,
                      indicator_ids: Iterable[int] | None = None) -> list[ObservationView]:
    """Observations of a period; clerks see only their own unit's, and everyone only the units
    of their district."""
    only = visible_org_unit_id(actor)
    unit = org_unit_id if org_unit_id is not None else only
    check(actor, Action.VIEW, Scope(org_unit_id=unit))
    require_region(session, actor, get_period(session, period_id), unit)
    query = _views_query().where(Observation.period_id == period_id,
                                 region_scope.region_of(session, actor).unit_filter(Observation.org_unit_id))
    if unit is not None:
        query = query.where(Observation.org_unit_id == unit)
    if states is not None:
        query = query.where(Observation.state.in_([s.value for s in states]))
    if indicator_ids is not None:
        query = query.where(Observation.indicator_id.in_(list(indicator_ids)))
    query = query.order_by(Observation.org_unit_id, Observation.indicator_id, Observation.sex,
                           Observation.area, Observation.age_group)
    return [_view(obs, rev) for obs, rev in session.execute(query)]
