"""Issue 21, periods: the year a plan's pages open on, the years they offer, the reports due.

A fictional 2026–2030 plan read in December 2026 was evaluated as of 2025 (“截至2025年……无数据”);
it now opens on its current period, or its latest year with data, and never before 2026.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.report import ReportKind, ReportTiming
from planwatch.services import (
    evaluation,
    observations,
    orgunits,
    periods,
    plan_calendar,
    plan_import,
    review,
    users,
)
from planwatch.store import Database
from planwatch.store.models import Indicator, OrgUnit, Plan
from tests.db.region_samples import TREE, fifteenth_plan

NOW = datetime(2026, 12, 7, 8, tzinfo=UTC)


def _setup(database: Database, folder: Path) -> int:
    with database.session() as session:
        orgunits.import_org_units(session, None, [orgunits.OrgUnitRow(*row) for row in TREE])
        plan_id = plan_import.import_file(session, fifteenth_plan(folder)).plans[0].plan_id
        users.add_user(session, None, "bs_jc2", "right-pass-1", "monitoring", region="BS")
        plan = session.get_one(Plan, plan_id)
        assert (plan.start_year, plan.end_year) == (2026, 2030)
        return plan_id


def _period(session: Session, plan_id: int, year: int, opens: datetime) -> int:
    created = periods.create_period(session, users.operator(session), plan_id, year, opens_at=opens,
                                    closes_at=opens + timedelta(days=60))
    return created.id


def test_a_plan_opens_on_its_current_period_and_never_before_its_first_year(database: Database,
                                                                             tmp_path: Path) -> None:
    plan_id = _setup(database, tmp_path)
    with database.session() as session:
        plan = session.get_one(Plan, plan_id)
        assert plan_calendar.default_year(session, plan, NOW) == 2026  # no period yet: not 2025
        assert plan_calendar.plan_years(session, plan, NOW) == [2026, 2027, 2028, 2029, 2030]
        assert evaluation.evaluate_stored_plan(session, None, plan, 2025).year == 2026  # asked 2025: the first year
        the_2026 = _period(session, plan_id, 2026, NOW - timedelta(days=10))
        _period(session, plan_id, 2027, NOW + timedelta(days=300))  # opened in advance, not yet begun
        assert plan_calendar.default_year(session, plan, NOW) == 2026

        # an approved figure of 2026, the round locked, the 2027 round begun: 2027
        indicator = session.scalars(select(Indicator).where(Indicator.plan_id == plan_id)
                                    .order_by(Indicator.code)).first()
        assert indicator is not None
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "BS-WJW")).one()
        operator = users.operator(session)
        view = observations.enter_value(session, operator, the_2026, observations.ObservationInput(
            indicator.id, unit.id, "8.6"))
        observations.submit(session, operator, view.id)
        review.approve(session, users.find_user(session, "bs_jc2"), view.id)
        periods.lock_period(session, operator, the_2026)
        assert plan_calendar.default_year(session, plan, NOW) == 2026
        assert plan_calendar.default_year(session, plan, NOW + timedelta(days=301)) == 2027
        evaluated = evaluation.evaluate_stored_plan(session, None, plan, None)
        assert evaluated.year == 2026 and "截至2025年" not in " ".join(r.explanation.text_zh for r in evaluated.results)


def test_the_reports_the_plan_calendar_calls_for() -> None:
    plan = Plan(title="白石区卫生健康事业发展“十五五”规划", start_year=2026, end_year=2030)
    timings = {year: plan_calendar.report_timings(plan, year) for year in range(2026, 2032)}
    assert {year: t[ReportKind.ANNUAL] for year, t in timings.items()} == dict.fromkeys(range(2026, 2032))
    def shown(timing: ReportTiming | None) -> tuple[str, int] | None:
        return None if timing is None else (timing.when, timing.due)

    assert {year: shown(t[ReportKind.MIDTERM]) for year, t in timings.items()} == {
        2026: ("early", 2028), 2027: ("early", 2028), 2028: None, 2029: None, 2030: ("late", 2030), 2031: ("late", 2030)}
    assert {year: shown(t[ReportKind.FINAL]) for year, t in timings.items()} == {
        2026: ("early", 2030), 2027: ("early", 2030), 2028: ("early", 2030), 2029: ("early", 2030), 2030: None,
        2031: None}
    undated = Plan(title="全区妇女发展规划", start_year=None, end_year=None)
    assert all(t is None for t in plan_calendar.report_timings(undated, 2026).values())
