"""Evaluating a stored plan: its indicators and approved data through the evaluation engine.

One figure per indicator and year is evaluated. Where several units report the same
indicator, the district-level figure is the lead unit's (牵头单位), else the district's own
org unit's, else that of the only reporting unit; figures of further units stay in the
database for the per-unit views but do not enter the district evaluation.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
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
from planwatch.services.kept import Kept
from planwatch.services.plan_calendar import default_year, evaluation_year
from planwatch.store.models import (
    Assignment,
    EvaluationChange,
    EvaluationVersion,
    Indicator,
    ObservationRevision,
    OrgUnit,
    Plan,
    ReportingPeriod,
    Target,
    User,
)
from planwatch.store.models import Observation as ObservationRow
from planwatch.store.models.evaluation import ALL

__all__ = ["PlanEvaluation", "SettingsError", "changed_since", "data_version", "default_year", "evaluate_figures",
           "evaluate_stored_plan", "plan_config", "printed_units", "role_rank", "yearly_values"]

_ROLE_RANK = {"牵头": 0, "责任": 2, "配合": 3}


def role_rank(role: str) -> int:
    """Responsible units are listed lead unit first (牵头, 责任, 配合, then the others)."""
    return _ROLE_RANK.get(role, 4)


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
    version: int = 0  # the data version evaluated (see :func:`data_version`)

    # Computed once per evaluation: a cached evaluation serves many dashboard requests.
    @cached_property
    def summary(self) -> StatusSummary:
        return overall(self.results)

    @cached_property
    def warnings(self) -> list[IndicatorWarning]:
        return warning_list(self.results)

    def replaced(self, changed: Collection[int], fresh: PlanEvaluation, units: list[Completeness],
                 version: int) -> PlanEvaluation:
        """This evaluation with the ``changed`` indicators as ``fresh`` has them (those it lacks
        are retired or gone) and completeness anew, as of ``version``."""
        asked = {str(i) for i in changed}
        entries = [(spec, result) for spec, result in zip(self.specs, self.results, strict=True)
                   if spec.id not in asked]
        entries += list(zip(fresh.specs, fresh.results, strict=True))
        codes = {i: c for i, c in self.codes.items() if i not in asked} | fresh.codes
        entries.sort(key=lambda entry: _order(codes[entry[0].id], entry[0].id))
        values = {i: v for i, v in self.values.items() if i not in asked} | fresh.values
        judgements = {i: j for i, j in self.judgements.items() if i not in asked} | fresh.judgements
        return PlanEvaluation(self.plan_id, self.plan_title, self.year, [r for _, r in entries], units, codes,
                              [s for s, _ in entries], values, judgements, version)


def _order(code: str, indicator_id: str) -> tuple[str, int]:
    """Indicators in the order of their codes, the same on every database (collations differ)."""
    return code, int(indicator_id)


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
           responsible: Mapping[int | None, list[tuple[int, str]]]) -> list[tuple[Any, IndicatorSpec]]:
    """The chosen indicators as the engine sees them, read as plain rows: a plan of ten
    thousand indicators would spend seconds building ORM objects nobody changes."""
    stored: dict[int, list[Any]] = defaultdict(list)
    for t in session.execute(select(Target.indicator_id, Target.year, Target.text, Target.value, Target.comparator,
                                    Target.value_high, Target.annual_average, Target.cumulative, Target.target_type)
                             .join(Indicator, Indicator.id == Target.indicator_id).where(chosen)
                             .order_by(Target.indicator_id, Target.year)):
        stored[t.indicator_id].append(t)
    out: list[tuple[Any, IndicatorSpec]] = []
    rows = sorted(session.execute(select(*_INDICATOR_COLUMNS).where(chosen)), key=lambda r: _order(r.code, r.id))
    for row in rows:
        units = tuple(name for _, name in sorted(responsible.get(row.id, ()))) or printed_units(row.responsible_text)
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
                   states: Collection[str] | None, *, judged: bool = False, up_to: int | None = None,
                   year: int | None = None) -> list[Any]:
    """Yearly total figures of the plan in ``states`` (None: every state but draft), each with
    its unit's role for the indicator, the unit's kind and name; of the years up to ``up_to``
    or of ``year`` alone; ``judged``: the verdicts of targets without a number instead (no
    value; the verdict, evidence and source as text)."""
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
    if up_to is not None:
        query = query.where(ReportingPeriod.year <= up_to)
    if year is not None:
        query = query.where(ReportingPeriod.year == year)
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
    plan is never evaluated before it began). An indicator page or a comparison asks for a
    few indicators: they are evaluated exactly as in the whole plan, without the cost of the
    others (and with their later years). A whole plan is kept per process while its data
    version (:func:`data_version`) stays; when the version moves on, only the indicators changed since are evaluated again.
    """
    year = default_year(session, plan) if year is None else evaluation_year(plan, year)
    unit_only = None
    if actor is not None:
        unit_only = visible_org_unit_id(actor)
        check(actor, Action.VIEW, Scope(org_unit_id=unit_only))
        region_scope.require_plan(session, actor, plan)
    if indicator_ids is not None:
        return _evaluate(session, plan, year, include_pending, unit_only, indicator_ids)
    version = data_version(session, plan.id, year)
    key = (str(session.get_bind().engine.url), plan.id, year, include_pending, unit_only)
    return _evaluations.refreshed(  # after a write every open page asks at once: one evaluates
        key, lambda kept: kept.version == version,
        lambda stale: _updated(session, plan, year, include_pending, unit_only, stale, version))


def data_version(session: Session, plan_id: int, year: int) -> int:
    """The plan's data version as an evaluation of ``year`` sees it: it moves on when anything
    evaluated changes in that year or an earlier one (see :mod:`planwatch.store.models.evaluation`).
    0 while nothing changed since versions are kept."""
    return session.scalar(select(func.coalesce(func.max(EvaluationVersion.version), 0)).where(
        EvaluationVersion.plan_id == plan_id, EvaluationVersion.year <= year)) or 0


def changed_since(session: Session, plan_id: int, year: int, version: int) -> set[int] | None:
    """The indicators whose evaluation at ``year`` may differ from that at ``version``; None
    when every indicator may (the plan's settings changed)."""
    changed = set(session.scalars(select(EvaluationChange.indicator_id).where(
        EvaluationChange.plan_id == plan_id, EvaluationChange.version > version, EvaluationChange.year <= year)))
    return None if ALL in changed else changed


# Past this share of a plan changed, one evaluation of the whole plan is cheaper than the
# bookkeeping of replacing results one by one.
_INCREMENTAL_SHARE: Final = 0.3


def _updated(session: Session, plan: Plan, year: int, include_pending: bool, unit_only: int | None,
             previous: PlanEvaluation | None, version: int) -> PlanEvaluation:
    """The evaluation at ``version``: ``previous`` with the changed indicators evaluated
    again, or the whole plan when there is no previous one or too much changed."""
    changed = changed_since(session, plan.id, year, previous.version) if previous is not None else None
    if previous is None or changed is None or len(changed) > _INCREMENTAL_SHARE * max(len(previous.specs), 1):
        return _evaluate(session, plan, year, include_pending, unit_only, None, version)
    fresh = _evaluate(session, plan, year, include_pending, unit_only, changed, version)
    return previous.replaced(changed, fresh, _completeness(session, plan, year, unit_only), version)


_evaluations: Kept[PlanEvaluation] = Kept(32)  # by database, plan, year and view, at their latest version


def _chosen(plan: Plan, unit_only: int | None, indicator_ids: Collection[int] | None) -> ColumnElement[bool]:
    """The indicators evaluated: the plan's in use (retired ones are out of evaluation), a
    clerk's those of its unit only, a page's those it shows."""
    chosen = and_(Indicator.plan_id == plan.id, Indicator.retired_at.is_(None))
    if unit_only is not None:
        chosen = and_(chosen, Indicator.id.in_(select(Assignment.indicator_id).where(
            Assignment.org_unit_id == unit_only)))
    if indicator_ids is not None:
        chosen = and_(chosen, Indicator.id.in_(indicator_ids))
    return chosen


def _assigned_specs(session: Session, plan: Plan, chosen: ColumnElement[bool]) -> list[tuple[Any, IndicatorSpec]]:
    """The chosen indicators' specs, the responsible units of each ordered lead first."""
    responsible: dict[int | None, list[tuple[int, str]]] = defaultdict(list)  # None: a task's (never here)
    for indicator_id, role, unit_name in session.execute(
            select(Assignment.indicator_id, Assignment.role, OrgUnit.name)
            .join(OrgUnit, OrgUnit.id == Assignment.org_unit_id)
            .join(Indicator, Indicator.id == Assignment.indicator_id).where(chosen)):
        responsible[indicator_id].append((_ROLE_RANK.get(role, 4), unit_name))
    return _specs(session, plan, chosen, responsible)


def evaluate_figures(session: Session, plan: Plan, indicator_ids: Collection[int],
                     values: Mapping[int, Mapping[int, float]], year: int,
                     ) -> list[tuple[IndicatorSpec, EvaluationResult]]:
    """The chosen indicators evaluated at ``year`` on the figures given and no others (in
    indicator code order): a publication shows what its own figures say, so an approved
    figure of a year it leaves out must not move a published status."""
    indicators = _assigned_specs(session, plan, _chosen(plan, None, indicator_ids))
    specs = [spec for _, spec in indicators]
    ids = {spec.id for spec in specs}
    observations = [Observation(str(i), y, v) for i, by_year in values.items() for y, v in by_year.items()
                    if str(i) in ids]
    assessments = {str(row.id): row.manual_assessment for row, _ in indicators if row.manual_assessment}
    return list(zip(specs, evaluate_plan(specs, observations, year, plan_config(plan), assessments), strict=True))


def _evaluate(session: Session, plan: Plan, year: int, include_pending: bool, unit_only: int | None,
              indicator_ids: Collection[int] | None, version: int = 0) -> PlanEvaluation:
    chosen = _chosen(plan, unit_only, indicator_ids)
    indicators = _assigned_specs(session, plan, chosen)
    specs = [spec for _, spec in indicators]
    kept = {row.id for row, _ in indicators}
    states = _evaluated_states(include_pending)
    # A whole plan reads the years it evaluates (its version says nothing of later ones); a
    # page of a few indicators, evaluated afresh each time, shows their later years too.
    up_to = year if indicator_ids is None else None
    totals = _yearly_totals(session, plan, unit_only, indicator_ids, states, up_to=up_to)
    values = {i: v for i, v in _best_values(totals, states).items() if i in kept}  # a retired indicator's too
    observations = [Observation(str(i), y, v) for i, by_year in values.items() for y, v in by_year.items()]
    assessments = {str(row.id): row.manual_assessment for row, _ in indicators if row.manual_assessment}
    # targets without a number are judged: their verdicts are read only where there are such targets
    judged_ids = {row.id for row, spec in indicators if not any(t.value is not None for t in spec.targets)}
    verdicts = (_yearly_totals(session, plan, unit_only, judged_ids, states, judged=True, up_to=up_to)
                if judged_ids else [])
    judgements = {str(i): j for i, j in _best_judgements(verdicts, states).items() if i in judged_ids}
    results = evaluate_plan(specs, observations, year, plan_config(plan), assessments, judgements)
    units = _completeness(session, plan, year, unit_only) if indicator_ids is None else []
    return PlanEvaluation(plan.id, plan.title, year, results, units,
                          {str(row.id): row.code for row, _ in indicators}, specs,
                          {str(i): by_year for i, by_year in values.items()}, judgements, version)


def _completeness(session: Session, plan: Plan, year: int, unit_only: int | None) -> list[Completeness]:
    """Reported share of each unit's assigned indicators in use, for ``year``: every value or
    verdict given counts, whatever its review state but draft."""
    chosen = _chosen(plan, unit_only, None)
    expected = [(str(i), name) for i, name in session.execute(
        select(Assignment.indicator_id, OrgUnit.name).join(OrgUnit, OrgUnit.id == Assignment.org_unit_id)
        .join(Indicator, Indicator.id == Assignment.indicator_id).where(chosen))]
    reported = [Observation(str(row.indicator_id), row.year, row.value, row.name)
                for row in _yearly_totals(session, plan, unit_only, None, None, year=year)]
    # a verdict (of a target without a number) is a report as much as a figure; its value,
    # irrelevant here, stands at 0
    reported += [Observation(str(row.indicator_id), row.year, 0.0, row.name)
                 for row in _yearly_totals(session, plan, unit_only, None, None, judged=True, year=year)
                 if read_verdict(row.value_text) is not None]
    return completeness(expected, reported, [year])


def printed_units(responsible_text: str) -> tuple[str, ...]:
    """Units as the plan printed them, while no org unit is assigned yet."""
    return tuple(n for n in responsible_text.split("、") if n)
