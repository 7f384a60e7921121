"""The demo looks like years of real use: units report on their own days (a few late, one
silent for a year), the major projects have annual investment plans and milestones that the
progress reports reach, and the ledger's warnings have something to say."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.demo.seed import LATE, MISSING
from planwatch.services import assessment, ledger_progress, plans
from planwatch.services.periods import utc
from planwatch.store import Database
from planwatch.store.models import (
    Assignment,
    AuditEvent,
    LedgerReport,
    Observation,
    OrgUnit,
    Plan,
    Project,
    ReportingPeriod,
    Task,
)
from tests.conftest import DIALECTS, demo_database_url, opened

SEEDED_AT = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(params=DIALECTS)
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The demo as seeded on 1 June 2026 (seeded once per session and engine, copied per test)."""
    with opened(demo_database_url(request.param, tmp_path, now=SEEDED_AT)) as database:
        yield database


def _period(session: Session, plan: Plan, year: int) -> ReportingPeriod:
    return session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan.id,
                                                         ReportingPeriod.year == year)).one()


def test_timeliness_most_units_on_time_a_few_late_one_silent(demo: Database) -> None:
    with demo.session(readonly=True) as session:
        plan = plans.find_plan(session, None)
        names = {code: name for code, name in session.execute(select(OrgUnit.code, OrgUnit.name))}
        for year in (2021, 2022, 2023, 2024):
            units = [u for members in assessment.assess(session, None, plan, year).groups.values() for u in members]
            timeliness = {u.name: [i.share for i in u.items if i.category == "timeliness"] for u in units}
            late = {names[code] for code, y in LATE if y == year}
            silent = {names[code] for code, y in MISSING if y == year}
            scored = {name: shares[0] for name, shares in timeliness.items() if shares}
            assert {name for name, share in scored.items() if share < 1} == late, year
            assert all(scored[name] == 0 for name in late)
            assert sum(1 for share in scored.values() if share == 1) >= 8, year
            for unit in units:
                if unit.name in silent:  # nothing submitted: no timeliness item, nothing complete
                    assert timeliness[unit.name] == []
                    assert [i.share for i in unit.items if i.category == "completeness"] == [0]
            # Submissions are dated in the year's reporting season, not on the day the demo ran.
            period = _period(session, plan, year)
            ids = [str(i) for i in session.scalars(select(Observation.id).where(Observation.period_id == period.id))]
            submitted = list(session.scalars(select(AuditEvent.at).where(
                AuditEvent.action == "submit", AuditEvent.entity == "observations", AuditEvent.entity_id.in_(ids))))
            assert submitted and all(utc(period.opens_at) <= utc(at) < datetime(year + 1, 4, 1, tzinfo=UTC)
                                     for at in submitted), year


def test_projects_have_annual_plans_and_milestones_that_reports_reach(demo: Database) -> None:
    with demo.session(readonly=True) as session:
        plan = plans.find_plan(session, None)
        projects = list(session.scalars(select(Project).where(Project.plan_id == plan.id)))
        assert len(projects) == 4
        for project in projects:
            assert project.annual_investment and project.investment
            assert sum(project.annual_investment.values()) == project.investment, project.name
            assert len(project.milestones) >= 3
            reached = {m for r in session.scalars(select(LedgerReport).where(LedgerReport.project_id == project.id))
                       for m in r.milestones_reached or []}
            assert reached and reached <= {m.id for m in project.milestones}
        scores = {i.label: i.share for members in assessment.assess(session, None, plan, 2024).groups.values()
                  for u in members for i in u.items if i.category == "projects"}
        assert scores["区人民医院新院区建设工程"] < 0.5
        assert scores["城南污水处理厂扩建工程"] == 1.0


def test_every_task_has_a_lead_unit_and_the_ledger_warnings_show(demo: Database) -> None:
    with demo.session(readonly=True) as session:
        plan = plans.find_plan(session, None)
        for task in session.scalars(select(Task).where(Task.plan_id == plan.id)):
            roles = set(session.scalars(select(Assignment.role).where(Assignment.task_id == task.id)))
            assert "牵头" in roles, task.title
        warnings = {(w.kind, w.title) for w in ledger_progress.ledger_warnings(session, _period(session, plan, 2024))}
        assert ("behind_twice", "壮大先进制造业") in warnings
        assert ("investment_behind", "区人民医院新院区建设工程") in warnings
        assert {kind for kind, _ in warnings} == {"behind_twice", "investment_behind", "overdue"}
        silent_year = ledger_progress.ledger_warnings(session, _period(session, plan, 2022))
        assert any(w.kind == "not_reported" and "市场监督管理局" in w.detail for w in silent_year)
