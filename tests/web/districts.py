"""Two fictional districts in one database: the demo's 青川区 and 白石区 beside it.

白石区 is the demo under another district's names (its plan, units and towns renamed), with
its own users bound to it, an open 2025 round (figures submitted, approved, returned), a
task report with evidence and an upload of its own. The demo's 青川区 gets what its seed
lacks for a walk over every route: a draft task report with evidence and an upload job.
Every test here reads 白石区's users against 青川区's data, whose names all contain
:data:`FOREIGN_MARKS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.demo import DEMO_PLAN
from planwatch.demo.seed import DEMO_ORG_UNITS, DEMO_PASSWORD, seed_demo
from planwatch.services import (
    import_jobs,
    ledger_progress,
    observations,
    orgunits,
    periods,
    plans,
    review,
    users,
)
from planwatch.services.ledger_progress import LedgerInput
from planwatch.store import Database
from planwatch.store.models import (
    ApiToken,
    Assignment,
    Indicator,
    LedgerEvidence,
    LedgerReport,
    Observation,
    OrgUnit,
    Plan,
    Project,
    ReportingPeriod,
    SourceFile,
    Task,
    User,
)

__all__ = ["FOREIGN_MARKS", "HOME_USERS", "Ids", "foreign_ids", "seed_two_districts"]

# 青川区's units and towns as the demo names them; 白石区 has its own for each.
_RENAMES = (("青峰镇", "石门镇"), ("白沙镇", "石桥镇"), ("城南街道", "石城街道"), ("青川", "白石"), ("QC", "BS"))
FOREIGN_MARKS = ("青川", "青峰镇", "城南街道")  # any of these on a 白石区 user's page is a leak
PASSWORD = DEMO_PASSWORD
FOREIGN_JOB = "qingchuan-job"
# 白石区's users, each bound to 白石区 (the clerk by its unit, the others explicitly).
HOME_USERS = {"bs_admin": "admin", "bs_jc": "monitoring", "bs_pg": "evaluation", "bs_ld": "viewer",
              "bs_fgw": "clerk"}


def _renamed(text: str) -> str:
    for old, new in _RENAMES:
        text = text.replace(old, new)
    return text


def seed_two_districts(database: Database, folder: Path, now: datetime | None = None) -> None:
    """The demo, then 白石区 beside it (see the module docstring)."""
    now = now or datetime.now(UTC)
    seed_demo(database, now)
    plan_file = folder / "baishi_plan.txt"
    plan_file.write_text(_renamed(DEMO_PLAN.read_text(encoding="utf-8")), encoding="utf-8")
    units_file = folder / "baishi_orgunits.csv"
    units_file.write_text(_renamed(DEMO_ORG_UNITS.read_text(encoding="utf-8")), encoding="utf-8")
    with database.session() as session:
        orgunits.import_org_units(session, None, orgunits.read_org_unit_file(units_file))
        plan_id = plans.import_file(session, plan_file).plans[0].plan_id
        for login, role in HOME_USERS.items():
            users.add_user(session, None, login, PASSWORD, role, name=f"白石区{role}",
                           org_unit="BS-FGW" if role == "clerk" else None, region="BS")
        users.add_user(session, None, "bs_jc2", PASSWORD, "monitoring", name="白石区监测组二", region="BS")
    with database.session() as session:
        _home_round(session, session.get_one(Plan, plan_id), now)
        _foreign_report(session)
        admin_id = users.find_user(session, "admin").id
    import_jobs.create_job(database, FOREIGN_JOB, admin_id, "青川区材料.txt", folder / "jobs")


def _home_round(session: Session, plan: Plan, now: datetime) -> None:
    """白石区's open 2025 round: the clerk's figures submitted, one approved, one returned."""
    operator = users.operator(session)
    period = periods.create_period(session, operator, plan.id, 2025, opens_at=now - timedelta(days=10),
                                   closes_at=now + timedelta(days=30))
    clerk, reviewer = users.find_user(session, "bs_fgw"), users.find_user(session, "bs_jc2")
    unit = session.get_one(OrgUnit, clerk.org_unit_id)
    mine = list(session.scalars(select(Indicator).join(Assignment, Assignment.indicator_id == Indicator.id)
                                .where(Indicator.plan_id == plan.id, Assignment.org_unit_id == unit.id)
                                .order_by(Indicator.code)))
    for n, indicator in enumerate(mine):
        value = indicator.baseline if indicator.baseline is not None else 1.0
        view = observations.enter_value(session, clerk, period.id, observations.ObservationInput(
            indicator.id, unit.id, f"{value:g}", source="部门统计快报"))
        observations.submit(session, clerk, view.id)
        if n == 0:
            review.approve(session, reviewer, view.id)
        elif n == 1:
            review.return_observation(session, reviewer, view.id, "请核实口径")
    _task_report(session, clerk, plan, period, unit)


def _task_report(session: Session, actor: User, plan: Plan, period: ReportingPeriod, unit: OrgUnit) -> None:
    """A draft progress report of ``unit`` on one of its tasks, with an evidence file."""
    task = session.scalars(select(Task).join(Assignment, Assignment.task_id == Task.id).where(
        Task.plan_id == plan.id, Assignment.org_unit_id == unit.id).order_by(Task.line)).first()
    assert task is not None, f"{unit.name} has no task in {plan.title}"
    report = ledger_progress.report_progress(session, actor, period_id=period.id, task_id=task.id,
                                             org_unit_id=unit.id, values=LedgerInput("in_progress", "按计划推进", 40))
    ledger_progress.add_evidence(session, actor, report.id, f"{unit.name}进展材料.pdf", b"%PDF-1.4 evidence")


def _foreign_report(session: Session) -> None:
    """What the demo's 青川区 lacks for the walk: a draft task report with evidence, of a town
    (towns have not reported the open round yet)."""
    plan = session.scalars(select(Plan).where(Plan.current.is_(True), Plan.title.startswith("青川区"))).one()
    period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan.id,
                                                           ReportingPeriod.locked.is_(False))).one()
    town = session.scalars(select(OrgUnit).where(OrgUnit.code == "QC-QFZ")).one()
    _task_report(session, users.operator(session), plan, period, town)


@dataclass(frozen=True)
class Ids:
    """One record of each kind of 青川区, for routes that name a record."""

    plan_id: int
    indicator_id: int
    period_id: int
    observation_id: int  # submitted, waiting for review
    source_file_id: int
    task_id: int
    project_id: int
    report_id: int
    evidence_id: int
    org_unit_id: int
    user_id: int
    token_id: int
    job_id: str


def foreign_ids(database: Database) -> Ids:
    """The ids of 青川区's records (the demo's)."""
    with database.session() as session:
        plan = session.scalars(select(Plan).where(Plan.current.is_(True), Plan.title.startswith("青川区"))).one()
        period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan.id,
                                                               ReportingPeriod.locked.is_(False))).one()
        observation = session.scalars(select(Observation).where(Observation.period_id == period.id,
                                                                Observation.state == "submitted")).first()
        assert observation is not None
        evidence = session.scalars(select(LedgerEvidence).join(LedgerReport).where(
            LedgerReport.period_id == period.id)).one()
        clerk = users.find_user(session, "wjw")
        token_user = users.find_user(session, "lingdao")
        users.create_token(session, token_user, "青川区脚本")
        token = session.scalars(select(ApiToken).where(ApiToken.user_id == token_user.id)).one()
        return Ids(plan.id, session.scalars(select(Indicator.id).where(Indicator.plan_id == plan.id)).first() or 0,
                   period.id, observation.id, plan.source_file_id,
                   session.scalars(select(Task.id).where(Task.plan_id == plan.id)).first() or 0,
                   session.scalars(select(Project.id).where(Project.plan_id == plan.id)).first() or 0,
                   evidence.report_id, evidence.id,
                   session.scalars(select(OrgUnit.id).where(OrgUnit.code == "QC-WJW")).one(), clerk.id, token.id,
                   FOREIGN_JOB)


def home_source_file(database: Database) -> int:
    with database.session(readonly=True) as session:
        return session.scalars(select(SourceFile.id).join(Plan, Plan.source_file_id == SourceFile.id)
                               .where(Plan.title.startswith("白石区"))).one()
