"""Data files in and out of the monitoring database: codes to ids, the workflow on import.

An import is all or nothing: every row is checked (codes known, period open, the user's
right to write that unit's data, values parseable) before anything is written, and one
bad row rejects the file with every problem listed, leaving what is stored untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, cast

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from planwatch.monitor.exchange import (
    CellProblem,
    ExchangeError,
    ExchangeRow,
    TemplateIdentity,
    TemplateIndicator,
    TemplateSheet,
    read_template,
    write_template,
)
from planwatch.monitor.exchange.ledger_sheets import LedgerSheetRow
from planwatch.monitor.permissions import Action, Role, Scope, check, visible_org_unit_id
from planwatch.monitor.workflow import ObservationState
from planwatch.services import observation_bulk, observations, periods, region_scope
from planwatch.services.entry_context import indicator_contexts
from planwatch.services.ledger_exchange import LedgerTemplateSheets, ledger_sheets_for, store_ledger_rows
from planwatch.store.models import (
    Indicator,
    Observation,
    ObservationRevision,
    OrgUnit,
    Plan,
    ReportingPeriod,
    User,
)

__all__ = ["ImportSummary", "export_rows", "import_rows", "submit_template", "template_indicators",
           "write_unit_template"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    rows: int
    created: int
    updated: int
    submitted: int
    period_ids: tuple[int, ...] = ()  # where the values went, for a page to show them
    org_unit_ids: tuple[int, ...] = ()
    # What further template sheets read (TemplateSheet.name → its data), for their own
    # service to store in the same transaction.
    extras: Mapping[str, object] = field(default_factory=dict)
    ledger_reports: int = 0  # task and project reports made from the same file's ledger sheets
    ignored: tuple[str, ...] = ()  # formula cells of the file, not imported ("填报表!L5（=B5*2）")


def import_rows(session: Session, actor: User, plan: Plan, rows: Sequence[ExchangeRow], path: Path, *,
                submit: bool = True) -> ImportSummary:
    """Enter (and by default submit) the rows' values as ``actor`` (units of its district only)."""
    region = region_scope.require_plan(session, actor, plan)
    indicators = {i.code: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan.id))}
    units = {u.code: u for u in session.scalars(select(OrgUnit).where(region.unit_filter(OrgUnit.id)))}
    periods = {p.code: p for p in session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan.id))}
    problems: list[CellProblem] = []
    by_period: dict[int, list[tuple[ExchangeRow, observations.ObservationInput]]] = {}
    for number, row in enumerate(rows, start=2):
        indicator, unit, period = indicators.get(row.indicator), units.get(row.org_unit), periods.get(row.period)
        if indicator is None:
            problems.append(_problem(row, number, "indicator", f"规划「{plan.title}」中没有指标代码「{row.indicator}」"))
        if unit is None:
            problems.append(_problem(row, number, "org_unit", f"没有单位代码「{row.org_unit}」"))
        if period is None:
            problems.append(_problem(row, number, "period", f"该规划没有报告期「{row.period}」"))
        if indicator is None or unit is None or period is None:
            continue
        by_period.setdefault(period.id, []).append((row, observations.ObservationInput(
            indicator.id, unit.id, row.value,
            observations.Disaggregation(row.sex, row.area, row.age_group), unit=row.unit, source=row.source,
            note=row.note)))
    if problems:
        log.info("data file of %d rows refused to user #%d: %d problems", len(rows), actor.id, len(problems))
        raise ExchangeError(path, problems)
    created = updated = submitted = 0
    for period_id, items in by_period.items():
        try:
            result = observation_bulk.enter_values_bulk(session, actor, period_id, [item for _, item in items],
                                                    submit=submit)
        except observation_bulk.BulkRejected as exc:
            if all(row.cell for row, _ in items):  # a template: each problem at its cell
                raise ExchangeError(path, [_problem(items[n - 1][0], n, "本期数值", reason)
                                           for n, reason in exc.rows]) from None
            raise ExchangeError(path, [CellProblem(0, "", p) for p in exc.problems]) from None
        created, updated, submitted = created + result.created, updated + result.updated, submitted + result.submitted
    units_written = tuple(sorted({item.org_unit_id for items_ in by_period.values() for _, item in items_}))
    log.info("data of plan #%d imported by user #%d: %d rows, %d created, %d updated, %d submitted", plan.id,
             actor.id, len(rows), created, updated, submitted)
    return ImportSummary(len(rows), created, updated, submitted, tuple(by_period), units_written)


def _problem(row: ExchangeRow, number: int, column: str, message: str) -> CellProblem:
    """A problem of a row, at its spreadsheet cell when it came from one."""
    if not row.cell:
        return CellProblem(number, column, message)
    sheet, _, cell = row.cell.rpartition("!")
    return CellProblem(int("".join(c for c in cell if c.isdigit()) or number), column, message, sheet=sheet,
                       cell=cell, indicator=row.indicator_name)


def submit_template(session: Session, actor: User, path: Path, *, plan: Plan | None = None, submit: bool = True,
                    sheets: Sequence[TemplateSheet] = ()) -> ImportSummary:
    """Import a filled template into the plan it names; ``plan``, when given, must be that plan.

    A clerk's file must be its own unit's template. Nothing is stored when any cell is wrong.
    """
    unit = session.get(OrgUnit, actor.org_unit_id) if actor.role == Role.CLERK and actor.org_unit_id else None
    filled = read_template(path, expected_org_unit=unit.code if unit else None,
                           sheets=[*sheets, LedgerTemplateSheets()])
    named = _template_plan(session, actor, filled.identity, path)
    if plan is not None and named.plan_key != plan.plan_key:
        raise ExchangeError(path, [CellProblem(0, "plan", f"模板属于规划「{named.title}」，"
                                                          f"而指定的是规划「{plan.title}」")])
    summary = import_rows(session, actor, named, filled.rows, path, submit=submit)
    ledger_rows = cast("list[LedgerSheetRow]", filled.extras.get(LedgerTemplateSheets.name, []))
    reports = store_ledger_rows(session, actor, named, filled.identity, ledger_rows, path, submit=submit)
    return replace(summary, extras=filled.extras, ledger_reports=reports, ignored=filled.ignored)


def _template_plan(session: Session, actor: User, identity: TemplateIdentity, path: Path) -> Plan:
    """The current version of the plan the template names (by key: a re-imported plan still matches)."""
    found = session.scalar(select(Plan).where(Plan.plan_key == identity.plan_key, Plan.current.is_(True)))
    if found is None:
        raise ExchangeError(path, [CellProblem(0, "plan", f"模板所属规划「{identity.plan_title}」不在本系统中")])
    region = region_scope.region_of(session, actor)
    if not region.has_plan(found):
        raise ExchangeError(path, [CellProblem(0, "plan", f"模板所属规划「{identity.plan_title}」不属于您所在的地区"
                                                          f"（{region.name}）")])
    return found


def export_rows(session: Session, actor: User, plan: Plan, *, period: str | None = None,
                states: Sequence[ObservationState] | None = None) -> list[ExchangeRow]:
    """Current values of the plan (a clerk gets only its unit's), by indicator, unit, period."""
    only = visible_org_unit_id(actor)
    check(actor, Action.EXPORT, Scope(org_unit_id=only))
    region = region_scope.require_plan(session, actor, plan)
    query = (select(Observation, ObservationRevision, Indicator, OrgUnit, ReportingPeriod)
             .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                             ObservationRevision.revision == Observation.current_revision))
             .join(Indicator, Indicator.id == Observation.indicator_id)
             .join(OrgUnit, OrgUnit.id == Observation.org_unit_id)
             .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
             .where(Indicator.plan_id == plan.id, region.unit_filter(Observation.org_unit_id))
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
    """The unit's assigned indicators in use, with baseline, final target, the value it
    reported for the previous year and what to enter by the target's type (an amount's
    running total, a verdict's choices): what the entry form shows beside each value."""
    assert period.plan_id == plan.id, "the period belongs to another plan"
    region_scope.require_plan(session, actor, plan)
    return [TemplateIndicator(c.code, c.name, c.unit, c.domain, c.attribute, c.previous.text if c.previous else "",
                              c.hint, c.baseline_year, c.baseline_text,
                              c.final_target.year if c.final_target else None,
                              c.final_target.text if c.final_target else "", c.running_total, c.judged)
            for c in indicator_contexts(session, actor, period, unit)]


def write_unit_template(session: Session, actor: User, unit: OrgUnit, period: ReportingPeriod,
                        output: Path | BinaryIO, sheets: Sequence[TemplateSheet] = ()) -> int:
    """Write the unit's fill-in template for the period (the CLI's file, the page's download);
    returns how many indicators it lists."""
    plan = session.get_one(Plan, period.plan_id)
    indicators = template_indicators(session, actor, plan, unit, period)
    identity = TemplateIdentity(plan.plan_key, plan.title, unit.code, unit.name, period.code,
                                f"{periods.utc(period.closes_at):%Y-%m-%d}")
    write_template(output, identity, indicators, [*sheets, ledger_sheets_for(session, actor, plan, unit, period)])
    return len(indicators)
