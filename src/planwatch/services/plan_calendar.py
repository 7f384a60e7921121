"""A plan's calendar: the year its pages evaluate when none is asked for, the years they
offer, and whether a mid-term or final report is due.

A 2026–2030 plan read in its first year used to be evaluated as of the year before the
current one — 2025, before the plan began — and showed “截至2025年……无数据” beside a chart
of the approved 2026 figures. A plan's pages now open on its current reporting period (a
period whose window has opened and that is not yet locked) or, between rounds, on its latest
year with approved data, and never evaluate a year before the plan's first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from planwatch.monitor.workflow import ObservationState
from planwatch.report.content import ReportKind, ReportTiming, report_timing
from planwatch.store.clock import utcnow
from planwatch.store.models import Observation, Plan, ReportingPeriod

__all__ = ["default_year", "evaluation_year", "plan_years", "report_timings"]


def _active_years(session: Session, plan: Plan, now: datetime) -> list[int]:
    """Years the plan works on: periods opened and not locked, locked periods, years with an
    approved figure.

    Asked by every plan page: one look-up per period (does it hold an approved figure? the
    first index entry answers), never a join with all the plan's figures — that cost 20 ms a
    page on a plan of 10,000 indicators, and grew with every year reported."""
    approved = exists().where(Observation.state == ObservationState.APPROVED.value,
                              Observation.period_id == ReportingPeriod.id)
    return sorted(set(session.scalars(select(ReportingPeriod.year).where(
        ReportingPeriod.plan_id == plan.id, or_(ReportingPeriod.opens_at <= now, approved)))))


def evaluation_year(plan: Plan, year: int) -> int:
    """``year``, or the plan's first year when it asks for a year before the plan began."""
    return max(year, plan.start_year) if plan.start_year is not None else year


def default_year(session: Session, plan: Plan, now: datetime | None = None) -> int:
    """The year a page or API call evaluates when none is asked for: the latest year the plan
    works on (its open period, else its latest year with data), else the year before the
    current one — never before the plan's first year."""
    moment = now or utcnow()
    return _latest(plan, _active_years(session, plan, moment), moment)


def _latest(plan: Plan, worked: list[int], now: datetime) -> int:
    return evaluation_year(plan, worked[-1] if worked else now.year - 1)


def plan_years(session: Session, plan: Plan, now: datetime | None = None) -> list[int]:
    """The years a year selector offers: the plan period, and any other year it has data for."""
    moment = now or utcnow()
    active = _active_years(session, plan, moment)
    worked = set(active)
    if plan.start_year is not None and plan.end_year is not None and plan.end_year >= plan.start_year:
        worked |= set(range(plan.start_year, plan.end_year + 1))
    worked.add(_latest(plan, active, moment))
    return sorted(y for y in worked if evaluation_year(plan, y) == y)


def report_timings(plan: Plan, year: int) -> dict[ReportKind, ReportTiming | None]:
    """For each report kind at ``year``: None when the plan's calendar calls for it, else why not."""
    return {kind: report_timing(kind, plan.start_year, plan.end_year, year) for kind in ReportKind}
