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
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from planwatch.errors import PlanWatchError
from planwatch.evaluate import (
    Completeness,
    EvaluationResult,
    IndicatorSpec,
    IndicatorWarning,
    Judgement,
    Observation,
    PlanConfig,
    StatusSummary,
    Thresholds,
    completeness,
    evaluate_plan,
    overall,
    read_verdict,
    warning_list,
)
from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.monitor.workflow import ObservationState
from planwatch.services import region_scope
from planwatch.services.corrections import record_target
from planwatch.services.plan_calendar import default_year, evaluation_year
from planwatch.store.models import (
    Assignment,
    AuditEvent,
    Indicator,
    ObservationRevision,
    OrgUnit,
    Plan,
    ReportingPeriod,
    Target,
    User,
)
from planwatch.store.models import Observation as ObservationRow

__all__ = ["PlanEvaluation", "SettingsError", "default_year", "evaluate_figures", "evaluate_stored_plan", "plan_config",
           "yearly_values"]

_ROLE_RANK = {"牵头": 0, "责任": 2, "配合": 3}


class SettingsError(PlanWatchError):
    """A plan's evaluation settings name an unknown field or a wrong value."""


@dataclass(frozen=True)
class PlanEvaluation:
    plan_id: int
    plan_title: str
    year: int
    results: list[EvaluationResult]
    completeness: list[Completeness]
    codes: dict[str, str]  # indicator id (as the engine knows it) → indicator code
    specs: list[IndicatorSpec]  # in the order of ``results``
    values: dict[str, dict[int, float]]  # indicator id → year → the figure evaluated
    judgements: dict[str, list[Judgement]] = dataclasses.field(default_factory=dict)  # of targets without a number

    # Computed once per evaluation: a cached evaluation serves many dashboard requests.
    @cached_property
    def summary(self) -> StatusSummary:
        return overall(self.results)

    @cached_property
    def warnings(self) -> list[IndicatorWarning]:
        return warning_list(self.results)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {spec.id: n for n, spec in enumerate(self.specs)}

    def restricted_to(self, indicator_ids: Collection[int]) -> PlanEvaluation:
        """The chosen indicators' part of a whole-plan evaluation (completeness is a
        whole-plan figure and is left out, as when a subset is evaluated directly)."""
        kept = sorted(n for n in (self._positions.get(str(i)) for i in set(indicator_ids)) if n is not None)
        ids = [self.specs[n].id for n in kept]
        return PlanEvaluation(self.plan_id, self.plan_title, self.year, [self.results[n] for n in kept], [],
                              {i: self.codes[i] for i in ids if i in self.codes}, [self.specs[n] for n in kept],
                              {i: self.values[i] for i in ids if i in self.values},
                              {i: self.judgements[i] for i in ids if i in self.judgements})


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


_INDICATOR_COLUMNS = (Indicator.id, Indicator.code, Indicator.name, Indicator.unit, Indicator.domain,
                      Indicator.attribute, Indicator.baseline_year, Indicator.baseline, Indicator.responsible_text,
                      Indicator.manual_assessment, Indicator.baseline_text, Indicator.kind, Indicator.source_text)


def _specs(session: Session, plan: Plan, chosen: ColumnElement[bool],
           responsible: Mapping[int, list[tuple[int, str]]]) -> list[tuple[Any, IndicatorSpec]]:
    """The chosen indicators as the engine sees them, read as plain rows: a plan of ten
    thousand indicators would spend seconds building ORM objects nobody changes."""
    stored: dict[int, list[Any]] = defaultdict(list)
    for t in session.execute(select(Target.indicator_id, Target.year, Target.text, Target.value, Target.comparator,
                                    Target.value_high, Target.annual_average, Target.cumulative, Target.target_type)
                             .join(Indicator, Indicator.id == Target.indicator_id).where(chosen)
                             .order_by(Target.indicator_id, Target.year)):
        stored[t.indicator_id].append(t)
    out: list[tuple[Any, IndicatorSpec]] = []
    for row in session.execute(select(*_INDICATOR_COLUMNS).where(chosen).order_by(Indicator.code)):
        units = tuple(name for _, name in sorted(responsible.get(row.id, ()))) or _printed(row.responsible_text)
        sentence = row.source_text if row.kind == "prose" else ""
        targets = tuple(record_target(t, row.name, row.unit, row.baseline_text, sentence)
                        for t in stored.get(row.id, ()))
        out.append((row, IndicatorSpec(
            id=str(row.id), name=row.name, targets=targets, unit=row.unit, domain=row.domain,
            attribute=row.attribute if row.attribute in ("预期性", "约束性") else None,
            baseline_year=row.baseline_year, baseline=row.baseline, responsible=units, plan=plan.title)))
    return out


def yearly_values(session: Session, plan: Plan, *, include_pending: bool = False,
                  org_unit_id: int | None = None,
                  indicator_ids: Collection[int] | None = None) -> dict[int, dict[int, float]]:
    """indicator id → year → the figure evaluated (see the module docstring for which unit's).

    Only yearly totals count; ``include_pending`` adds submitted values not yet approved.
    """
    states = _evaluated_states(include_pending)
    return _best_values(_yearly_totals(session, plan, org_unit_id, indicator_ids, states), states)


def _evaluated_states(include_pending: bool) -> list[str]:
    states = [ObservationState.APPROVED.value]
    if include_pending:
        states.append(ObservationState.SUBMITTED.value)
    return states


def _yearly_totals(session: Session, plan: Plan, org_unit_id: int | None, indicator_ids: Collection[int] | None,
                   states: Collection[str] | None, *, judged: bool = False) -> list[Any]:
    """Yearly total figures of the plan in ``states`` (None: every state but draft), each with
    its unit's role for the indicator, the unit's kind and name; ``judged``: the verdicts of
    targets without a number instead (no value; the verdict, evidence and source as text)."""
    figure = ((ObservationRevision.value_text, ObservationRevision.note, ObservationRevision.source) if judged
              else (ObservationRevision.value,))
    query = (select(ObservationRow.indicator_id, ObservationRow.org_unit_id, ObservationRow.state,
                    ReportingPeriod.year, *figure, Assignment.role, OrgUnit.kind, OrgUnit.name)
             .join(ReportingPeriod, ReportingPeriod.id == ObservationRow.period_id)
             .join(ObservationRevision, and_(ObservationRevision.observation_id == ObservationRow.id,
                                             ObservationRevision.revision == ObservationRow.current_revision))
             .join(OrgUnit, OrgUnit.id == ObservationRow.org_unit_id)
             .outerjoin(Assignment, and_(Assignment.indicator_id == ObservationRow.indicator_id,
                                         Assignment.org_unit_id == ObservationRow.org_unit_id))
             .where(ReportingPeriod.plan_id == plan.id, ReportingPeriod.quarter.is_(None),
                    ReportingPeriod.month.is_(None),
                    ObservationRow.state.in_(states) if states is not None
                    else ObservationRow.state != ObservationState.DRAFT.value,
                    ObservationRow.sex == "", ObservationRow.area == "", ObservationRow.age_group == "",
                    ObservationRevision.value.is_(None) if judged else ObservationRevision.value.is_not(None)))
    if org_unit_id is not None:
        query = query.where(ObservationRow.org_unit_id == org_unit_id)
    if indicator_ids is not None:
        query = query.where(ObservationRow.indicator_id.in_(indicator_ids))
    return list(session.execute(query))


def _best_rows(rows: Iterable[Any], states: Collection[str]) -> dict[tuple[int, int], Any]:
    """One row per indicator and year: the lead unit's, else the district's, else by role."""
    best: dict[tuple[int, int], tuple[tuple[int, int], Any]] = {}
    for row in rows:
        if row.state not in states:
            continue
        rank = 0 if row.role == "牵头" else 1 if row.kind == "district" else _ROLE_RANK.get(row.role, 4)
        key = (row.indicator_id, row.year)
        candidate = ((rank, row.org_unit_id), row)
        if key not in best or candidate[0] < best[key][0]:
            best[key] = candidate
    return {key: row for key, (_, row) in best.items()}


def _best_values(rows: Iterable[Any], states: Collection[str]) -> dict[int, dict[int, float]]:
    """indicator id → year → the figure evaluated."""
    out: dict[int, dict[int, float]] = defaultdict(dict)
    for (indicator_id, year), row in _best_rows(rows, states).items():
        if row.value is not None:
            out[indicator_id][year] = row.value
    return out


def _best_judgements(rows: Iterable[Any], states: Collection[str]) -> dict[int, list[Judgement]]:
    """indicator id → the verdict of each judged year, with its evidence and source."""
    out: dict[int, list[Judgement]] = defaultdict(list)
    for (indicator_id, year), row in sorted(_best_rows(rows, states).items()):
        verdict = read_verdict(row.value_text)
        if verdict is not None:
            out[indicator_id].append(Judgement(year, verdict, row.note, row.source))
    return out


def evaluate_stored_plan(session: Session, actor: User | None, plan: Plan, year: int | None, *,
                         include_pending: bool = False,
                         indicator_ids: Collection[int] | None = None) -> PlanEvaluation:
    """Every indicator of ``plan`` (or those of ``indicator_ids``) evaluated at ``year``, with
    completeness per unit for a whole plan.

    A reporting clerk sees the evaluation of its own unit's figures only; ``year`` None means
    :func:`plan_calendar.default_year`, and a year before the plan's first is its first (a
    plan is never evaluated before it began). An indicator page or a comparison asks for a few indicators: each
    is evaluated exactly as in the whole plan, taken from the whole plan's evaluation when
    that is cached, else without the cost of the others.
    """
    year = default_year(session, plan) if year is None else evaluation_year(plan, year)
    unit_only = None
    if actor is not None:
        unit_only = visible_org_unit_id(actor)
        check(actor, Action.VIEW, Scope(org_unit_id=unit_only))
        region_scope.require_plan(session, actor, plan)
    key = data_state(session, plan, year, include_pending, unit_only)
    cached = _cached(key)
    if indicator_ids is not None:
        if cached is not None:
            return cached.restricted_to(indicator_ids)
        return _evaluate(session, plan, year, include_pending, unit_only, indicator_ids)
    if cached is not None:
        return cached
    # After a write, every open dashboard asks at once: one request evaluates, the others
    # wait for its result instead of each spending the same seconds of CPU.
    with _cache_lock:
        computing = _computing.setdefault(key, threading.Lock())
    with computing:
        try:
            evaluation = _cached(key) or _evaluate(session, plan, year, include_pending, unit_only, None)
            with _cache_lock:
                _cache[key] = evaluation
                while len(_cache) > _CACHE_SIZE:
                    _cache.popitem(last=False)
        finally:
            with _cache_lock:
                _computing.pop(key, None)
    return evaluation


def data_state(session: Session, plan: Plan, year: int, include_pending: bool,
               unit_only: int | None) -> tuple[object, ...]:
    """What an evaluation of ``plan`` depends on, as a cache key.

    A whole plan is what dashboards and reports ask for, again and again, while the data
    change only when someone writes — and every write is audited. The newest audit event
    therefore marks the data's state: the same plan, year and view of an unchanged
    database gives the same evaluation (and the same report).
    """
    return (str(session.get_bind().engine.url), plan.id, year, include_pending, unit_only,
            session.scalar(select(func.max(AuditEvent.id))), json.dumps(plan.settings, sort_keys=True, default=str))


_CACHE_SIZE: Final = 32
_cache: OrderedDict[tuple[object, ...], PlanEvaluation] = OrderedDict()
_computing: dict[tuple[object, ...], threading.Lock] = {}
_cache_lock = threading.Lock()


def _cached(key: tuple[object, ...]) -> PlanEvaluation | None:
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
        return found


def _chosen(plan: Plan, indicator_ids: Collection[int] | None) -> ColumnElement[bool]:
    chosen = and_(Indicator.plan_id == plan.id, Indicator.retired_at.is_(None))  # retired: out of evaluation
    return chosen if indicator_ids is None else and_(chosen, Indicator.id.in_(indicator_ids))


def _assigned_specs(session: Session, plan: Plan, chosen: ColumnElement[bool],
                    ) -> tuple[Sequence[Any], list[tuple[Any, IndicatorSpec]]]:
    """The chosen indicators' assignments (indicator id, role, unit name) and specs, the
    responsible units of each spec ordered lead first."""
    assignments = session.execute(select(Assignment.indicator_id, Assignment.role, OrgUnit.name)
                                  .join(OrgUnit, OrgUnit.id == Assignment.org_unit_id)
                                  .join(Indicator, Indicator.id == Assignment.indicator_id)
                                  .where(chosen)).all()
    responsible: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for indicator_id, role, unit_name in assignments:
        if indicator_id is None:
            continue
        responsible[indicator_id].append((_ROLE_RANK.get(role, 4), unit_name))
    return assignments, _specs(session, plan, chosen, responsible)


def evaluate_figures(session: Session, plan: Plan, indicator_ids: Collection[int],
                     values: Mapping[int, Mapping[int, float]], year: int,
                     ) -> list[tuple[IndicatorSpec, EvaluationResult]]:
    """The chosen indicators evaluated at ``year`` on the figures given and no others (in
    indicator code order): a publication shows what its own figures say, so an approved
    figure of a year it leaves out must not move a published status."""
    _, indicators = _assigned_specs(session, plan, _chosen(plan, indicator_ids))
    specs = [spec for _, spec in indicators]
    ids = {spec.id for spec in specs}
    observations = [Observation(str(i), y, v) for i, by_year in values.items() for y, v in by_year.items()
                    if str(i) in ids]
    assessments = {str(row.id): row.manual_assessment for row, _ in indicators if row.manual_assessment}
    return list(zip(specs, evaluate_plan(specs, observations, year, plan_config(plan), assessments), strict=True))


def _evaluate(session: Session, plan: Plan, year: int, include_pending: bool, unit_only: int | None,
              indicator_ids: Collection[int] | None) -> PlanEvaluation:
    assignments, indicators = _assigned_specs(session, plan, _chosen(plan, indicator_ids))
    if unit_only is not None:
        mine = {i for i, in session.execute(select(Assignment.indicator_id).where(
            Assignment.org_unit_id == unit_only))}
        indicators = [(row, spec) for row, spec in indicators if row.id in mine]
    specs = [spec for _, spec in indicators]
    # one read of the figures serves both the evaluation (approved) and completeness (reported)
    totals = _yearly_totals(session, plan, unit_only, indicator_ids, None)
    states = _evaluated_states(include_pending)
    kept = {row.id for row, _ in indicators}  # a retired indicator's figures stay out too
    values = {i: v for i, v in _best_values(totals, states).items() if i in kept}
    observations = [Observation(str(i), y, v) for i, by_year in values.items() for y, v in by_year.items()]
    # targets without a number are judged: their verdicts are read only where there are such targets
    judged_ids = {row.id for row, spec in indicators if not any(t.value is not None for t in spec.targets)}
    verdicts = _yearly_totals(session, plan, unit_only, judged_ids, None, judged=True) if judged_ids else []
    judgements = {str(i): j for i, j in _best_judgements(verdicts, states).items() if i in judged_ids}
    assessments = {str(row.id): row.manual_assessment for row, _ in indicators if row.manual_assessment}
    results = evaluate_plan(specs, observations, year, plan_config(plan), assessments, judgements)
    units: list[Completeness] = []
    if indicator_ids is None:
        expected = [(str(i), name) for i, _, name in assignments if i in kept]
        # a verdict is a report as much as a figure (its value, irrelevant here, stands at 0)
        reported = [Observation(str(r.indicator_id), r.year, r.value, r.name) for r in totals if r.indicator_id in kept]
        reported += [Observation(str(r.indicator_id), r.year, 0.0, r.name) for r in verdicts
                     if read_verdict(r.value_text) is not None]
        units = completeness(expected, reported, [year])
    return PlanEvaluation(plan.id, plan.title, year, results, units,
                          {str(row.id): row.code for row, _ in indicators}, specs,
                          {str(i): by_year for i, by_year in values.items()}, judgements)


def _printed(responsible_text: str) -> tuple[str, ...]:
    """Units as the plan printed them, while no org unit is assigned yet."""
    return tuple(n for n in responsible_text.split("、") if n)
