"""Evaluating a stored plan: its indicators and approved data through the evaluation engine.

One figure per indicator and year is evaluated. Where several units report the same
indicator, the district-level figure is the lead unit's (牵头单位), else the district's own
org unit's, else that of the only reporting unit; figures of further units stay in the
database for the per-unit views but do not enter the district evaluation.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from planwatch.errors import PlanWatchError
from planwatch.evaluate import (
    Completeness,
    EvaluationResult,
    IndicatorSpec,
    Observation,
    PlanConfig,
    Thresholds,
    completeness,
    evaluate_plan,
)
from planwatch.extract.records import Comparator
from planwatch.extract.records import Target as TargetRecord
from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.monitor.workflow import ObservationState
from planwatch.store.models import (
    Assignment,
    AuditEvent,
    Indicator,
    ObservationRevision,
    OrgUnit,
    Plan,
    ReportingPeriod,
    User,
)
from planwatch.store.models import Observation as ObservationRow

__all__ = ["PlanEvaluation", "SettingsError", "default_year", "evaluate_stored_plan", "plan_config",
           "yearly_values"]

_ROLE_RANK = {"牵头": 0, "责任": 2, "配合": 3}


class SettingsError(PlanWatchError):
    """A plan's evaluation settings name an unknown field or a wrong value."""


@dataclass(frozen=True, slots=True)
class PlanEvaluation:
    plan_id: int
    plan_title: str
    year: int
    results: list[EvaluationResult]
    completeness: list[Completeness]
    codes: dict[str, str]  # indicator id (as the engine knows it) → indicator code
    specs: list[IndicatorSpec]  # in the order of ``results``
    values: dict[str, dict[int, float]]  # indicator id → year → the figure evaluated


def plan_config(plan: Plan) -> PlanConfig:
    """The plan's settings over the defaults; base year = the year before the plan starts."""
    settings: dict[str, Any] = dict(plan.settings or {})
    config = PlanConfig(base_year=(plan.start_year - 1) if plan.start_year else None)
    try:
        for name in ("expected", "binding"):
            if name in settings:
                settings[name] = Thresholds(**settings[name])
        return dataclasses.replace(config, **settings)
    except TypeError as exc:
        raise SettingsError(f"规划 #{plan.id} 的评估设置无效：{exc}") from None


def _spec(indicator: Indicator, responsible: tuple[str, ...]) -> IndicatorSpec:
    targets = tuple(TargetRecord(year=t.year, text=t.text, value=t.value, comparator=Comparator(t.comparator),
                                 value_high=t.value_high, annual_average=t.annual_average, cumulative=t.cumulative)
                    for t in indicator.targets)
    attribute = indicator.attribute if indicator.attribute in ("预期性", "约束性") else None
    return IndicatorSpec(id=str(indicator.id), name=indicator.name, targets=targets, unit=indicator.unit,
                         domain=indicator.domain, attribute=attribute, baseline_year=indicator.baseline_year,
                         baseline=indicator.baseline, responsible=responsible, plan=indicator.plan.title)


def yearly_values(session: Session, plan: Plan, *, include_pending: bool = False,
                  org_unit_id: int | None = None,
                  indicator_ids: Collection[int] | None = None) -> dict[int, dict[int, float]]:
    """indicator id → year → the figure evaluated (see the module docstring for which unit's).

    Only yearly totals count; ``include_pending`` adds submitted values not yet approved.
    """
    states = [ObservationState.APPROVED.value]
    if include_pending:
        states.append(ObservationState.SUBMITTED.value)
    query = (select(ObservationRow.indicator_id, ObservationRow.org_unit_id, ReportingPeriod.year,
                    ObservationRevision.value, Assignment.role, OrgUnit.kind)
             .join(ReportingPeriod, ReportingPeriod.id == ObservationRow.period_id)
             .join(ObservationRevision, and_(ObservationRevision.observation_id == ObservationRow.id,
                                             ObservationRevision.revision == ObservationRow.current_revision))
             .join(OrgUnit, OrgUnit.id == ObservationRow.org_unit_id)
             .outerjoin(Assignment, and_(Assignment.indicator_id == ObservationRow.indicator_id,
                                         Assignment.org_unit_id == ObservationRow.org_unit_id))
             .where(ReportingPeriod.plan_id == plan.id, ReportingPeriod.quarter.is_(None),
                    ReportingPeriod.month.is_(None), ObservationRow.state.in_(states),
                    ObservationRow.sex == "", ObservationRow.area == "", ObservationRow.age_group == "",
                    ObservationRevision.value.is_not(None)))
    if org_unit_id is not None:
        query = query.where(ObservationRow.org_unit_id == org_unit_id)
    if indicator_ids is not None:
        query = query.where(ObservationRow.indicator_id.in_(indicator_ids))
    best: dict[tuple[int, int], tuple[tuple[int, int], float]] = {}
    for indicator_id, unit_id, year, value, role, kind in session.execute(query):
        if value is None:
            continue
        rank = 0 if role == "牵头" else 1 if kind == "district" else _ROLE_RANK.get(role, 4)
        key = (indicator_id, year)
        candidate = ((rank, unit_id), value)
        if key not in best or candidate[0] < best[key][0]:
            best[key] = candidate
    out: dict[int, dict[int, float]] = defaultdict(dict)
    for (indicator_id, year), (_, value) in best.items():
        out[indicator_id][year] = value
    return out


def default_year(session: Session, plan: Plan) -> int:
    """The year a page or API call evaluates when none is asked for: the latest locked
    (finally approved) reporting year, else the year before the current one."""
    latest = session.scalar(select(func.max(ReportingPeriod.year)).where(
        ReportingPeriod.plan_id == plan.id, ReportingPeriod.locked.is_(True)))
    return int(latest) if latest else datetime.now(UTC).year - 1


def evaluate_stored_plan(session: Session, actor: User | None, plan: Plan, year: int | None, *,
                         include_pending: bool = False,
                         indicator_ids: Collection[int] | None = None) -> PlanEvaluation:
    """Every indicator of ``plan`` (or those of ``indicator_ids``) evaluated at ``year``, with
    completeness per unit.

    A reporting clerk sees the evaluation of its own unit's figures only; ``year`` None means
    :func:`default_year`. An indicator page or a comparison asks for a few indicators: each
    is evaluated exactly as in the whole plan, without the cost of the others.
    """
    year = default_year(session, plan) if year is None else year
    unit_only = None
    if actor is not None:
        unit_only = visible_org_unit_id(actor)
        check(actor, Action.VIEW, Scope(org_unit_id=unit_only))
    if indicator_ids is not None:
        return _evaluate(session, plan, year, include_pending, unit_only, indicator_ids)
    # A whole plan is what dashboards and reports ask for, again and again, while the data
    # change only when someone writes — and every write is audited. The newest audit event
    # therefore marks the data's state: the same plan, year and view of an unchanged
    # database is evaluated once.
    key = (str(session.get_bind().engine.url), plan.id, year, include_pending, unit_only,
           session.scalar(select(func.max(AuditEvent.id))),
           json.dumps(plan.settings, sort_keys=True, default=str))
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    evaluation = _evaluate(session, plan, year, include_pending, unit_only, None)
    with _cache_lock:
        _cache[key] = evaluation
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return evaluation


_CACHE_SIZE: Final = 32
_cache: OrderedDict[tuple[object, ...], PlanEvaluation] = OrderedDict()
_cache_lock = threading.Lock()


def _evaluate(session: Session, plan: Plan, year: int, include_pending: bool, unit_only: int | None,
              indicator_ids: Collection[int] | None) -> PlanEvaluation:
    chosen = Indicator.plan_id == plan.id
    if indicator_ids is not None:
        chosen = and_(chosen, Indicator.id.in_(indicator_ids))
    indicators = list(session.scalars(select(Indicator).where(chosen)
                                      .options(selectinload(Indicator.targets), selectinload(Indicator.plan))
                                      .order_by(Indicator.code)))
    assignments = session.execute(select(Assignment.indicator_id, Assignment.role, OrgUnit.name)
                                  .join(OrgUnit, OrgUnit.id == Assignment.org_unit_id)
                                  .join(Indicator, Indicator.id == Assignment.indicator_id)
                                  .where(chosen)).all()
    responsible: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for indicator_id, role, unit_name in assignments:
        if indicator_id is None:
            continue
        responsible[indicator_id].append((_ROLE_RANK.get(role, 4), unit_name))
    if unit_only is not None:
        mine = {i for i, in session.execute(select(Assignment.indicator_id).where(
            Assignment.org_unit_id == unit_only))}
        indicators = [i for i in indicators if i.id in mine]
    specs = [_spec(i, tuple(name for _, name in sorted(responsible[i.id])) or _printed(i)) for i in indicators]
    values = yearly_values(session, plan, include_pending=include_pending, org_unit_id=unit_only,
                           indicator_ids=indicator_ids)
    observations = [Observation(str(i), y, v) for i, by_year in values.items() for y, v in by_year.items()]
    assessments = {str(i.id): i.manual_assessment for i in indicators if i.manual_assessment}
    results = evaluate_plan(specs, observations, year, plan_config(plan), assessments)
    kept = {x.id for x in indicators}
    expected = [(str(i), name) for i, _, name in assignments if i in kept]
    reported = _unit_observations(session, plan, unit_only, indicator_ids)
    return PlanEvaluation(plan.id, plan.title, year, results, completeness(expected, reported, [year]),
                          {str(i.id): i.code for i in indicators}, specs,
                          {str(i): by_year for i, by_year in values.items()})


def _printed(indicator: Indicator) -> tuple[str, ...]:
    """Units as the plan printed them, while no org unit is assigned yet."""
    return tuple(n for n in indicator.responsible_text.split("、") if n)


def _unit_observations(session: Session, plan: Plan, unit_only: int | None,
                       indicator_ids: Collection[int] | None) -> list[Observation]:
    """Every unit's yearly totals (any state except draft) for the completeness table."""
    query = (select(ObservationRow.indicator_id, OrgUnit.name, ReportingPeriod.year, ObservationRevision.value)
             .join(ReportingPeriod, ReportingPeriod.id == ObservationRow.period_id)
             .join(ObservationRevision, and_(ObservationRevision.observation_id == ObservationRow.id,
                                             ObservationRevision.revision == ObservationRow.current_revision))
             .join(OrgUnit, OrgUnit.id == ObservationRow.org_unit_id)
             .where(ReportingPeriod.plan_id == plan.id, ReportingPeriod.quarter.is_(None),
                    ReportingPeriod.month.is_(None), ObservationRow.state != ObservationState.DRAFT.value,
                    ObservationRow.sex == "", ObservationRow.area == "", ObservationRow.age_group == "",
                    ObservationRevision.value.is_not(None)))
    if unit_only is not None:
        query = query.where(ObservationRow.org_unit_id == unit_only)
    if indicator_ids is not None:
        query = query.where(ObservationRow.indicator_id.in_(indicator_ids))
    return [Observation(str(i), y, v, unit) for i, unit, y, v in session.execute(query) if v is not None]
