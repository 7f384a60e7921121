"""Entering and submitting observations, one at a time or in bulk.

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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, and_, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from planwatch.errors import InputError, PlanWatchError, problem
from planwatch.evaluate.models import Verdict, read_verdict
from planwatch.monitor.permissions import Action, PermissionDenied, Role, Scope, check, visible_org_unit_id
from planwatch.monitor.workflow import ObservationState, WorkflowAction, apply_transition
from planwatch.numerals import (
    SCALES,
    NumberRefused,
    read_decimal,
    refuse_foreign_digits,
    split_scale,
    to_float,
)
from planwatch.services import region_scope
from planwatch.services.entry_context import PreviousValue, Slot, context_of, previous_values
from planwatch.services.periods import ensure_unlocked, get_period, utc, window_is_open
from planwatch.services.plausibility import plausibility_flags
from planwatch.store.models.base import Base, utcnow
from planwatch.store.models.monitoring import AuditEvent, Observation, ObservationRevision, ReportingPeriod
from planwatch.store.models.org import Assignment, OrgUnit, User
from planwatch.store.models.plans import Indicator, Plan

__all__ = [
    "OBSERVATION_ENTITY",
    "TOTAL",
    "ApprovedValue",
    "BulkRejected",
    "BulkResult",
    "ConcurrentUpdate",
    "Disaggregation",
    "HistoryEntry",
    "HistoryPage",
    "IndicatorHistoryEntry",
    "ObservationInput",
    "ObservationNotFound",
    "ObservationView",
    "OutlierRule",
    "ValueRejected",
    "approved_values",
    "change_state",
    "enter_value",
    "enter_values_bulk",
    "get_observation",
    "indicator_history_page",
    "is_judged",
    "is_share",
    "list_observations",
    "normalize_unit",
    "observation_history",
    "return_comments",
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


class BulkRejected(InputError):
    """A bulk entry with bad rows; nothing of the batch was stored. ``rows`` has each
    problem's 1-based row of the batch and its reason alone, for callers that know where
    each row came from (a spreadsheet cell)."""

    def __init__(self, problems: Sequence[str], rows: Sequence[tuple[int, str]] = ()) -> None:
        self.problems = list(problems)
        self.rows = list(rows)
        shown = "；".join(problems[:10])
        more = f"；另有 {len(problems) - 10} 处问题" if len(problems) > 10 else ""
        super().__init__("批量填报", f"{len(problems)} 处问题，未保存任何数据：{shown}{more}")


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


@dataclass(frozen=True, slots=True)
class BulkResult:
    created: int
    updated: int
    submitted: int
    observation_ids: tuple[int, ...] = field(repr=False)


# --- values ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Parsed:
    value: float | None
    unit: str
    refused: str | None = None  # why a number that was written cannot be stored
    verdict: Verdict | None = None  # what a target without a number was judged (达到/未达到/无法判断)
    judged: bool = False  # the indicator's target has no number: a verdict is entered, not a figure

    def stored_text(self, typed: str) -> str:
        """The text kept with the revision: a verdict in its one spelling, a figure as typed."""
        return self.verdict.label_zh if self.verdict is not None else typed


_RATE_OF_CHANGE_WORDS = ("增长", "增速", "增幅", "变化", "变动", "下降", "降低")
_PER_HUNDRED = ("%", "‰")


def is_share(indicator_name: str) -> bool:
    """A percentage that is a part of a whole (0–100), not a rate of change (−3%, 120%)."""
    return not any(word in indicator_name for word in _RATE_OF_CHANGE_WORDS)


def _where(indicator: Indicator, org_unit_id: int, disaggregation: Disaggregation) -> str:
    return f"指标「{indicator.name}」（填报单位 #{org_unit_id}，{disaggregation.label}）"


def normalize_unit(unit: str) -> str:
    """Units compare after width folding (％ → %) and without spaces."""
    return unicodedata.normalize("NFKC", unit).replace(" ", "").strip()


def is_judged(indicator: Indicator) -> bool:
    """The indicator's targets have no number (完成市级下达目标, a ratio): each period it is
    judged 达到/未达到/无法判断 with evidence instead of given a figure. An indicator without
    any target yet takes figures."""
    return bool(indicator.targets) and not any(t.value is not None for t in indicator.targets)


def _parse(indicator: Indicator, text: str, unit: str) -> _Parsed:
    """The number and unit a unit's text means; value None when the text is not a number; the
    verdict for a judged indicator (:func:`is_judged`).

    A unit written after the number wins over the ``unit`` field, which wins over the
    indicator's unit. 万/亿 are magnitudes: for an indicator counted in 万人 or 亿元,
    1.2亿 and 12000万 both mean 12000 of the indicator's unit (1.2万 for 万人 = 1.2); for
    other units 1.2万 = 12000; a magnitude on a percentage is refused.
    """
    indicator_unit = normalize_unit(indicator.unit or "")
    if is_judged(indicator):
        return _Parsed(None, "", verdict=read_verdict(text), judged=True)
    try:
        refuse_foreign_digits(text)
    except NumberRefused as refused:
        return _Parsed(None, normalize_unit(unit) or indicator_unit, str(refused))
    s = normalize_unit(text)
    written = ""
    for suffix in (indicator_unit, *_PER_HUNDRED):
        if suffix and s.endswith(suffix) and len(s) > len(suffix):
            written, s = suffix, s[: -len(suffix)]
            break
    final_unit = written or normalize_unit(unit) or indicator_unit
    number, magnitude = split_scale(s)
    unit_magnitude = SCALES.get(indicator_unit[:1], 1)
    try:
        if magnitude > 1 and final_unit in _PER_HUNDRED:
            raise NumberRefused(problem("number.scale_on_percent", text=text, scale=s[-1], unit=final_unit))
        if magnitude > 1 and unit_magnitude > 1 and not written:
            exact = read_decimal(number)
            if exact is None:
                return _Parsed(None, final_unit)
            return _Parsed(to_float(exact * magnitude / unit_magnitude), indicator_unit)
        exact = read_decimal(s)
        return _Parsed(None if exact is None else to_float(exact), final_unit)
    except NumberRefused as refused:
        return _Parsed(None, final_unit, str(refused))


_VERDICT_EXPECTED = "应为“达到”“未达到”或“无法判断”"


def _value_problems(indicator: Indicator, parsed: _Parsed) -> list[str]:
    """Why a value cannot even be saved as a draft: a number that must not be stored, a
    share outside 0–100 (49,9 read as 499 %), a judged indicator given something else than a
    verdict."""
    if parsed.judged:
        return [] if parsed.verdict is not None else [f"value：该指标为定性目标，{_VERDICT_EXPECTED}"]
    if parsed.refused is not None:
        return [f"value：{parsed.refused}"]
    expected_unit = normalize_unit(indicator.unit or "")
    if (parsed.value is not None and expected_unit == "%" and parsed.unit == "%" and is_share(indicator.name)
            and not 0 <= parsed.value <= 100):
        return [f"value：百分比应在 0–100 之间，实际为 {parsed.value:g}"]
    return []


def _submission_problems(indicator: Indicator, text: str, parsed: _Parsed, note: str | None = "") -> list[str]:
    """Why a value cannot be submitted: not a number, wrong unit, impossible percentage; a
    verdict without its evidence (``note``; None: not known yet, as while typing)."""
    if problems := _value_problems(indicator, parsed):
        return problems
    if parsed.judged:
        if note is not None and not note.strip():
            return ["note：定性目标的评估须在备注中写明依据（如对照的数据、文件），再报送"]
        return []
    if parsed.value is None:
        return [f"value：「{text}」不是数值（可填写如 95、95%、1.2万、3‰）"]
    expected_unit = normalize_unit(indicator.unit or "")
    if expected_unit and parsed.unit != expected_unit:
        return [f"unit：指标单位为「{expected_unit}」，填报单位为「{parsed.unit}」"]
    return []


def check_value(indicator: Indicator, text: str, unit: str = "") -> str | None:
    """Why ``text`` could not be submitted for ``indicator`` (None: it could), for inline
    validation while a clerk types; submitting checks the same rules again."""
    problems = _submission_problems(indicator, text, _parse(indicator, text, unit), None)
    return "；".join(problems) or None


# --- shared internals -----------------------------------------------------------------

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


def _scope(session: Session, period: ReportingPeriod, org_unit_id: int) -> Scope:
    unit = session.get(OrgUnit, org_unit_id)
    return Scope(org_unit_id=org_unit_id, org_unit_name=unit.name if unit else None,
                 window_open=window_is_open(period))


def _require_region(session: Session, actor: User, period: ReportingPeriod, org_unit_id: int | None) -> None:
    """Figures of another district are answered as missing (see :mod:`region_scope`)."""
    region = region_scope.region_of(session, actor)
    if not region.has_plan(session.get_one(Plan, period.plan_id)):
        raise region_scope.OutsideRegion("报告期", period.id, region)
    if org_unit_id is not None and not region.has_unit(org_unit_id):
        raise region_scope.OutsideRegion("单位", org_unit_id, region)


def _authorize(session: Session, actor: User, action: Action, period: ReportingPeriod,
               org_unit_id: int, indicator_id: int) -> None:
    _require_region(session, actor, period, org_unit_id)
    check(actor, action, _scope(session, period, org_unit_id))
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


def _get(session: Session, observation_id: int) -> Observation:
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
    where = _where(indicator, item.org_unit_id, item.disaggregation)
    if problems := item.disaggregation.problems():
        raise ValueRejected(where, "disaggregation", "；".join(problems))
    if not item.value_text.strip():
        raise ValueRejected(where, "value", "不能为空")
    parsed = _parse(indicator, item.value_text, item.unit)
    if problems := _value_problems(indicator, parsed):
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
    obs = _get(session, observation_id)
    period = get_period(session, obs.period_id)
    _require_region(session, actor, period, obs.org_unit_id)
    check(actor, Action(action.value), _scope(session, period, obs.org_unit_id))
    ensure_unlocked(period)
    _expect(obs, expected_version)
    target = apply_transition(ObservationState(obs.state), action, comment)
    rev = _current_revision(session, obs)
    new: dict[str, Any] = {"state": target.value, "revision": rev.revision}
    if action is WorkflowAction.SUBMIT:
        indicator = session.get_one(Indicator, obs.indicator_id)
        disaggregation = Disaggregation(obs.sex, obs.area, obs.age_group)
        if problems := _submission_problems(indicator, rev.value_text,
                                            _parse(indicator, rev.value_text, rev.unit) if is_judged(indicator)
                                            else _Parsed(rev.value, rev.unit), rev.note):
            raise ValueRejected(_where(indicator, obs.org_unit_id, disaggregation), "", "；".join(problems))
        bounds = (outliers or OutlierRule()).bounds(_history(session, obs))
        slot = (obs.indicator_id, obs.org_unit_id, obs.sex, obs.area, obs.age_group)
        flags = _submission_flags(indicator, period, slot, rev.value, bounds,
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


def _submission_flags(indicator: Indicator, period: ReportingPeriod, slot: Slot, value: float | None,
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
    obs = _get(session, observation_id)
    _require_region(session, actor, get_period(session, obs.period_id), obs.org_unit_id)
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
    _require_region(session, actor, get_period(session, period_id), unit)
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


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of an observation's audit trail (entries, submissions, review comments)."""

    at: datetime
    actor_login: str
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    reason: str | None


def observation_history(session: Session, actor: User, observation_id: int) -> list[HistoryEntry]:
    """Everything that happened to an observation, oldest first; the unit sees why it was returned."""
    obs = _get(session, observation_id)
    _require_region(session, actor, get_period(session, obs.period_id), obs.org_unit_id)
    check(actor, Action.VIEW, Scope(org_unit_id=obs.org_unit_id))
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.entity == OBSERVATION_ENTITY, AuditEvent.entity_id == str(obs.id)).order_by(AuditEvent.id))
    return [HistoryEntry(utc(e.at), e.actor_login, e.action, e.old, e.new, e.reason) for e in events]


def return_comments(session: Session, actor: User, observation_ids: Sequence[int]) -> dict[int, str]:
    """Why each observation the actor may see was last returned to its unit, in one query."""
    only = visible_org_unit_id(actor)
    ids = list(observation_ids) if only is None else list(session.scalars(select(Observation.id).where(
        Observation.id.in_(observation_ids), Observation.org_unit_id == only)))
    found: dict[int, str] = {}
    for entity_id, reason in session.execute(select(AuditEvent.entity_id, AuditEvent.reason).where(
            AuditEvent.entity == OBSERVATION_ENTITY, AuditEvent.action == WorkflowAction.RETURN.value,
            AuditEvent.entity_id.in_([str(i) for i in ids])).order_by(AuditEvent.id)):
        found[int(entity_id)] = reason or ""  # the latest return wins
    return found


@dataclass(frozen=True, slots=True)
class IndicatorHistoryEntry:
    entry: HistoryEntry
    org_unit_name: str
    period_code: str


@dataclass(frozen=True, slots=True)
class HistoryPage:
    lines: list[IndicatorHistoryEntry]
    total: int


def indicator_history_page(session: Session, actor: User, indicator_id: int, *, offset: int = 0,
                           limit: int | None = None) -> HistoryPage:
    """Everything that happened to an indicator's figures the actor may see (a clerk: its own
    unit's), newest first: ``limit`` lines from ``offset`` (ten years of a unit's entries,
    submissions and reviews make a long list) and how many there are in all."""
    where, events = _indicator_events(session, actor, indicator_id)
    if not where:
        return HistoryPage([], 0)
    total = session.scalar(select(func.count()).select_from(events.subquery())) or 0
    page = events.order_by(AuditEvent.id.desc()).offset(offset).limit(limit)
    return HistoryPage([IndicatorHistoryEntry(HistoryEntry(utc(e.at), e.actor_login, e.action, e.old, e.new, e.reason),
                                              *where[e.entity_id]) for e in session.scalars(page)], total)


def _indicator_events(session: Session, actor: User,
                      indicator_id: int) -> tuple[dict[str, tuple[str, str]], Select[AuditEvent]]:
    only = visible_org_unit_id(actor)
    check(actor, Action.VIEW, Scope(org_unit_id=only))
    region = region_scope.region_of(session, actor)
    region_scope.indicator(session, actor, indicator_id)
    query = (select(Observation.id, OrgUnit.name, ReportingPeriod.code)
             .join(OrgUnit, OrgUnit.id == Observation.org_unit_id)
             .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
             .where(Observation.indicator_id == indicator_id, region.unit_filter(Observation.org_unit_id)))
    if only is not None:
        query = query.where(Observation.org_unit_id == only)
    where = {str(i): (unit, period) for i, unit, period in session.execute(query)}
    return where, select(AuditEvent).where(AuditEvent.entity == OBSERVATION_ENTITY,
                                           AuditEvent.entity_id.in_(list(where)))


@dataclass(frozen=True, slots=True)
class ApprovedValue:
    """An approved figure with its period, ready for evaluation and reports."""

    indicator_id: int
    org_unit_id: int
    year: int
    quarter: int | None
    month: int | None
    disaggregation: Disaggregation
    value: float
    unit: str


def approved_values(session: Session, actor: User, plan_id: int, *,
                    org_unit_id: int | None = None) -> list[ApprovedValue]:
    """The plan's approved numeric values in every period (a clerk gets only its unit's)."""
    only = visible_org_unit_id(actor)
    unit = org_unit_id if org_unit_id is not None else only
    check(actor, Action.VIEW, Scope(org_unit_id=unit))
    region = region_scope.require_plan(session, actor, region_scope.plan(session, actor, plan_id))
    query = (select(Observation, ObservationRevision, ReportingPeriod)
             .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                             ObservationRevision.revision == Observation.current_revision))
             .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
             .where(ReportingPeriod.plan_id == plan_id, Observation.state == ObservationState.APPROVED,
                    ObservationRevision.value.is_not(None), region.unit_filter(Observation.org_unit_id))
             .order_by(Observation.indicator_id, Observation.org_unit_id, ReportingPeriod.year,
                       ReportingPeriod.quarter, ReportingPeriod.month))
    if unit is not None:
        query = query.where(Observation.org_unit_id == unit)
    return [ApprovedValue(o.indicator_id, o.org_unit_id, p.year, p.quarter, p.month,
                          Disaggregation(o.sex, o.area, o.age_group), r.value, r.unit)
            for o, r, p in session.execute(query) if r.value is not None]


# --- bulk -----------------------------------------------------------------------------

def enter_values_bulk(session: Session, actor: User, period_id: int, items: Iterable[ObservationInput], *,
                      submit: bool = False, outliers: OutlierRule | None = None,
                      chunk_size: int = 1000) -> BulkResult:
    """Enter (and optionally submit) many values in the caller's one transaction.

    New slots are written with multi-row inserts (observations, revisions, audit events);
    slots that already have a value take the one-by-one path so their version checks and
    history stay exact. Every row is checked before anything is written: one bad row
    rejects the batch (:class:`BulkRejected` lists the rows) and nothing is stored.
    """
    period = get_period(session, period_id)
    _require_region(session, actor, period, None)
    ensure_unlocked(period)
    rows = list(items)
    indicators = {i.id: i for i in session.scalars(
        select(Indicator).where(Indicator.id.in_({r.indicator_id for r in rows}))
        .options(selectinload(Indicator.targets)))}
    problems, parsed = _check_bulk(session, actor, period, rows, indicators, submit)
    if problems:
        raise BulkRejected([text for _, _, text in problems], [(number, reason) for number, reason, _ in problems])
    existing = _existing_slots(session, period_id, rows)
    fresh = [(row, p) for row, p in zip(rows, parsed, strict=True) if _slot(row) not in existing]
    checks = _BulkChecks(period, indicators, _bulk_history(session, [row for row, _ in fresh]),
                         previous_values(session, period, indicators), outliers or OutlierRule()) if submit else None
    ids: list[int] = []
    for start in range(0, len(fresh), chunk_size):
        ids.extend(_insert_chunk(session, actor, period_id, fresh[start:start + chunk_size], checks))
    updated = 0
    for row in rows:
        if _slot(row) in existing:
            view = enter_value(session, actor, period_id, row)
            if submit:
                view = change_state(session, actor, view.id, WorkflowAction.SUBMIT, outliers=outliers)
            ids.append(view.id)
            updated += 1
    return BulkResult(created=len(fresh), updated=updated, submitted=len(rows) if submit else 0,
                      observation_ids=tuple(ids))




def _slot(row: ObservationInput) -> Slot:
    d = row.disaggregation
    return (row.indicator_id, row.org_unit_id, d.sex, d.area, d.age_group)


def _check_bulk(session: Session, actor: User, period: ReportingPeriod, rows: list[ObservationInput],
                indicators: dict[int, Indicator], submit: bool) -> tuple[list[tuple[int, str, str]], list[_Parsed]]:
    """Each problem as (row, reason, the reason with the row and indicator named)."""
    problems: list[tuple[int, str, str]] = []
    parsed: list[_Parsed] = []
    scopes: dict[int, Scope] = {}
    assigned: set[tuple[int, int]] | None = None
    if actor.role == Role.CLERK and actor.org_unit_id is not None:
        assigned = set(session.execute(select(Assignment.indicator_id, Assignment.org_unit_id)
                                       .where(Assignment.org_unit_id == actor.org_unit_id)))
    seen: set[Slot] = set()
    for number, row in enumerate(rows, start=1):
        if row.org_unit_id not in scopes:
            _require_region(session, actor, period, row.org_unit_id)
            scopes[row.org_unit_id] = _scope(session, period, row.org_unit_id)
        check(actor, Action.ENTER, scopes[row.org_unit_id])
        if submit:
            check(actor, Action.SUBMIT, scopes[row.org_unit_id])
        if assigned is not None and (row.indicator_id, row.org_unit_id) not in assigned:
            raise PermissionDenied(actor.login, Action.ENTER, f"指标 #{row.indicator_id} 未分配给本单位")
        indicator = indicators.get(row.indicator_id)
        if indicator is None or indicator.plan_id != period.plan_id:
            reason = f"指标 #{row.indicator_id} 不属于该报告期的规划"
            problems.append((number, reason, f"第 {number} 行：{reason}"))
            parsed.append(_Parsed(None, ""))
            continue
        if indicator.retired_at is not None:
            reason = f"指标「{indicator.name}」已停用（{indicator.retired_reason or '无说明'}），不再填报"
            problems.append((number, reason, f"第 {number} 行：{reason}"))
            parsed.append(_Parsed(None, ""))
            continue
        if _slot(row) in seen:
            problems.append((number, "重复填报",
                             f"第 {number} 行：{_where(indicator, row.org_unit_id, row.disaggregation)} 重复填报"))
        seen.add(_slot(row))
        row_problems = row.disaggregation.problems()
        if not row.value_text.strip():
            row_problems.append("value：不能为空")
        p = _parse(indicator, row.value_text, row.unit)
        if not row_problems:
            row_problems += (_submission_problems(indicator, row.value_text, p, row.note) if submit
                             else _value_problems(indicator, p))
        problems += [(number, x, f"第 {number} 行 {_where(indicator, row.org_unit_id, row.disaggregation)} {x}")
                     for x in row_problems]
        parsed.append(p)
    return problems, parsed


def _existing_slots(session: Session, period_id: int, rows: list[ObservationInput]) -> set[Slot]:
    query = (select(Observation.indicator_id, Observation.org_unit_id, Observation.sex, Observation.area,
                    Observation.age_group)
             .where(Observation.period_id == period_id,
                    Observation.indicator_id.in_({r.indicator_id for r in rows})))
    return set(session.execute(query))


def _bulk_history(session: Session, rows: list[ObservationInput]) -> dict[Slot, list[float]]:
    query = (select(Observation.indicator_id, Observation.org_unit_id, Observation.sex, Observation.area,
                    Observation.age_group, ObservationRevision.value)
             .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                             ObservationRevision.revision == Observation.current_revision))
             .where(Observation.indicator_id.in_({r.indicator_id for r in rows}),
                    Observation.state == ObservationState.APPROVED, ObservationRevision.value.is_not(None)))
    out: dict[Slot, list[float]] = {}
    for ind, unit, sex, area, age, value in session.execute(query):
        if value is not None:
            out.setdefault((ind, unit, sex, area, age), []).append(value)
    return out


def _table(model: type[Base]) -> Table:
    return model.metadata.tables[model.__tablename__]


@dataclass(frozen=True, slots=True)
class _BulkChecks:
    """What flagging a batch of submitted values needs, read once for the batch."""

    period: ReportingPeriod
    indicators: dict[int, Indicator]
    history: dict[Slot, list[float]]
    previous: dict[Slot, PreviousValue]
    rule: OutlierRule

    def flags(self, row: ObservationInput, value: float | None) -> list[str]:
        slot = _slot(row)
        return _submission_flags(self.indicators[row.indicator_id], self.period, slot, value,
                                 self.rule.bounds(self.history.get(slot, [])), self.previous)


def _insert_chunk(session: Session, actor: User, period_id: int, chunk: list[tuple[ObservationInput, _Parsed]],
                  checks: _BulkChecks | None) -> list[int]:
    """Insert new slots' values; ``checks`` given: submit them too, flagged for review."""
    submit = checks is not None
    now = utcnow()
    state = apply_transition(None, WorkflowAction.ENTER)
    final = apply_transition(state, WorkflowAction.SUBMIT) if submit else state
    obs_rows = []
    flags_of: list[list[str]] = []
    for row, p in chunk:
        flags = checks.flags(row, p.value) if checks is not None else []
        flags_of.append(flags)
        d = row.disaggregation
        obs_rows.append({"indicator_id": row.indicator_id, "org_unit_id": row.org_unit_id, "period_id": period_id,
                         "sex": d.sex, "area": d.area, "age_group": d.age_group, "state": final.value,
                         "current_revision": 1, "flags": flags, "version": 1, "updated_at": now})
    try:
        ids = list(session.scalars(insert(_table(Observation)).returning(
            _table(Observation).c.id, sort_by_parameter_order=True), obs_rows))
    except IntegrityError as exc:
        raise ConcurrentUpdate(f"报告期 #{period_id} 的批量数据") from exc
    revisions = []
    events = []
    for obs_id, (row, p), flags in zip(ids, chunk, flags_of, strict=True):
        revisions.append({"observation_id": obs_id, "revision": 1, "value_text": p.stored_text(row.value_text),
                          "value": p.value,
                          "unit": p.unit, "source": row.source, "note": row.note, "entered_by_id": actor.id,
                          "entered_at": now})
        events.append(_event_row(actor, WorkflowAction.ENTER, obs_id, now, None,
                                 {"state": state.value, "revision": 1, "value_text": p.stored_text(row.value_text),
                                  "value": p.value, "unit": p.unit}))
        if submit:
            events.append(_event_row(actor, WorkflowAction.SUBMIT, obs_id, now, {"state": state.value, "revision": 1},
                                     {"state": final.value, "revision": 1, "flags": flags}))
    # Core executemany: the rows are complete, the ORM's per-row bookkeeping would only cost time.
    session.execute(insert(_table(ObservationRevision)), revisions)
    session.execute(insert(_table(AuditEvent)), events)
    return ids


def _event_row(actor: User, action: WorkflowAction, obs_id: int, at: datetime, old: dict[str, Any] | None,
               new: dict[str, Any]) -> dict[str, Any]:
    return {"at": at, "actor_id": actor.id, "actor_login": actor.login, "action": action.value,
            "entity": OBSERVATION_ENTITY, "entity_id": str(obs_id), "old": old, "new": new, "reason": None}
