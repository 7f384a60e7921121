"""Data files in and out of the monitoring database: codes to ids, the workflow on import.

An import is all or nothing: every row is checked (codes known, period open, the user's
right to write that unit's data, values parseable) before anything is written, and one
bad row rejects the file with every problem listed, leaving what is stored untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from planwatch.evaluate.targets import entry_hint
from planwatch.monitor.exchange import CellProblem, ExchangeError, ExchangeRow, TemplateIndicator
from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.monitor.workflow import ObservationState
from planwatch.services import observations
from planwatch.store.models import (
    Assignment,
    Indicator,
    Observation,
    ObservationRevision,
    OrgUnit,
    Plan,
    ReportingPeriod,
    User,
)

__all__ = ["ImportSummary", "export_rows", "import_rows", "template_indicators"]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    rows: int
    created: int
    updated: int
    submitted: int


def import_rows(session: Session, actor: User, plan: Plan, rows: Sequence[ExchangeRow], path: Path, *,
                submit: bool = True) -> ImportSummary:
    """Enter (and by default submit) the rows' values as ``actor``."""
    indicators = {i.code: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan.id))}
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    periods = {p.code: p for p in session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan.id))}
    problems: list[CellProblem] = []
    by_period: dict[int, list[observations.ObservationInput]] = {}
    for number, row in enumerate(rows, start=2):
        indicator, unit, period = indicators.get(row.indicator), units.get(row.org_unit), periods.get(row.period)
        if indicator is None:
            problems.append(CellProblem(number, "indicator", f"规划「{plan.title}」中没有指标代码「{row.indicator}」"))
        if unit is None:
            problems.append(CellProblem(number, "org_unit", f"没有单位代码「{row.org_unit}」"))
        if period is None:
            problems.append(CellProblem(number, "period", f"该规划没有报告期「{row.period}」"))
        if indicator is None or unit is None or period is None:
            continue
        by_period.setdefault(period.id, []).append(observations.ObservationInput(
            indicator.id, unit.id, row.value,
            observations.Disaggregation(row.sex, row.area, row.age_group), unit=row.unit, source=row.source,
            note=row.note))
    if problems:
        raise ExchangeError(path, problems)
    created = updated = submitted = 0
    for period_id, items in by_period.items():
        try:
            result = observations.enter_values_bulk(session, actor, period_id, items, submit=submit)
        except observations.BulkRejected as exc:
            raise ExchangeError(path, [CellProblem(0, "", p) for p in exc.problems]) from None
        created, updated, submitted = created + result.created, updated + result.updated, submitted + result.submitted
    return ImportSummary(len(rows), created, updated, submitted)


def export_rows(session: Session, actor: User, plan: Plan, *, period: str | None = None,
                states: Sequence[ObservationState] | None = None) -> list[ExchangeRow]:
    """Current values of the plan (a clerk gets only its unit's), by indicator, unit, period."""
    only = visible_org_unit_id(actor)
    check(actor, Action.EXPORT, Scope(org_unit_id=only))
    query = (select(Observation, ObservationRevision, Indicator, OrgUnit, ReportingPeriod)
             .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                             ObservationRevision.revision == Observation.current_revision))
             .join(Indicator, Indicator.id == Observation.indicator_id)
             .join(OrgUnit, OrgUnit.id == Observation.org_unit_id)
             .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
             .where(Indicator.plan_id == plan.id)
             .order_by(Indicator.code, OrgUnit.code, ReportingPeriod.year, ReportingPeriod.code,
                       Observation.sex, Observation.area, Observation.age_group))
    if only is not None:
        query = query.where(Observation.org_unit_id == only)
    if period is not None:
        query = query.where(ReportingPeriod.code == period)
    if states is not None:
        query = query.where(Observation.state.in_([s.value for s in states]))
    return [ExchangeRow(indicator=i.code, indicator_name=i.name, org_unit=u.code, org_unit_name=u.name, period=p.code,
                        sex=o.sex, area=o.area, age_group=o.age_group, value=r.value_text, unit=r.unit,
                        source=r.source, note=r.note, state=o.state)
            for o, r, i, u, p in session.execute(query)]


def template_indicators(session: Session, actor: User, plan: Plan, unit: OrgUnit,
                        period: ReportingPeriod) -> list[TemplateIndicator]:
    """The unit's assigned indicators with the value it reported for the previous year."""
    check(actor, Action.VIEW, Scope(org_unit_id=unit.id, org_unit_name=unit.name))
    indicators = list(session.scalars(
        select(Indicator).join(Assignment, Assignment.indicator_id == Indicator.id)
        .where(Indicator.plan_id == plan.id, Assignment.org_unit_id == unit.id).order_by(Indicator.code)))
    last: dict[int, str] = {indicator_id: text for indicator_id, text in session.execute(
        select(Observation.indicator_id, ObservationRevision.value_text)
        .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                        ObservationRevision.revision == Observation.current_revision))
        .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
        .where(ReportingPeriod.plan_id == plan.id, ReportingPeriod.code == str(period.year - 1),
               Observation.org_unit_id == unit.id, Observation.sex == "", Observation.area == "",
               Observation.age_group == ""))}
    return [TemplateIndicator(i.code, i.name, i.unit or "", i.domain or "", i.attribute or "", last.get(i.id, ""),
                              entry_hint(i.name, i.unit)) for i in indicators]
