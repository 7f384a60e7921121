"""Two fictional districts in one database: the demo's 青川区 and 白石区 beside it.

白石区 is the demo under another district's names (its plan, units and towns renamed), with
its own users bound to it, an open 2025 round (figures submitted, approved, returned), a
task report with evidence, an upload of its own and a locked 2024 period. Each district has a
proposal to publish its tasks' progress and a public opinion waiting for moderation. The demo's 青川区 gets what its seed
lacks for a walk over every route: a draft task report with evidence and an upload job.
Every test here reads 白石区's users against 青川区's data, whose names all contain
:data:`FOREIGN_MARKS`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.demo import DEMO_PLAN
from planwatch.demo.seed import DEMO_ORG_UNITS, DEMO_PASSWORD, seed_demo
from planwatch.services import (
    import_jobs,
    inbox,
    ledger_progress,
    observations,
    opinions,
    orgunits,
    periods,
    plan_import,
    publishing,
    review,
    users,
)
from planwatch.services.ledger_progress import LedgerInput
from planwatch.services.public_snapshot import PublicationScope
from planwatch.store import Database
from planwatch.store.models import (
    ApiToken,
    Assignment,
    Indicator,
    LedgerEvidence,
    LedgerReport,
    Notification,
    Observation,
    OrgUnit,
    Plan,
    Project,
    PublicationDecision,
    PublicOpinion,
    ReportingPeriod,
    Task,
    User,
)

__all__ = ["FOREIGN_MARKS", "HOME_USERS", "PASSWORD", "Ids", "district_ids", "seed_two_districts"]

# 青川区's units and towns as the demo names them; 白石区 has its own for each.
_RENAMES = (("青峰镇", "石门镇"), ("白沙镇", "石桥镇"), ("城南街道", "石城街道"), ("青川", "白石"), ("QC", "BS"))
FOREIGN_MARKS = ("青川", "青峰镇", "城南街道")  # any of these on a 白石区 user's page is a leak
PASSWORD = DEMO_PASSWORD
JOBS = {"青川区": "qingchuan-job-01", "白石区": "baishi-job-00001"}  # 16 characters, as job ids are
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
        plan_id = plan_import.import_file(session, plan_file).plans[0].plan_id
        for login, role in HOME_USERS.items():
            users.add_user(session, None, login, PASSWORD, role, name=f"白石区{role}",
                           org_unit="BS-FGW" if role == "clerk" else None, region="BS")
        users.add_user(session, None, "bs_jc2", PASSWORD, "monitoring", name="白石区监测组二", region="BS")
    with database.session() as session:
        _home_round(session, session.get_one(Plan, plan_id), now)
        _foreign_report(session)
        clerk = users.find_user(session, "wjw")  # a message in 青川区's clerk's inbox
        inbox.notify(session, [clerk.id], "comment", "监测组的意见", "请补充数据来源", "observations", 1, sender=None)
        admin_id, home_admin_id = users.find_user(session, "admin").id, users.find_user(session, "bs_admin").id
        for login in ("lingdao", "bs_ld"):  # API tokens to revoke
            users.create_token(session, users.find_user(session, login), f"{login} 的脚本")
    with database.session() as session:
        for district, proposer in (("青川区", "pinggu"), ("白石区", "bs_pg")):
            _publishing(session, district, users.find_user(session, proposer))
    for district, owner in (("青川区", admin_id), ("白石区", home_admin_id)):  # finished: no worker takes them
        job = import_jobs.create_job(database, JOBS[district], owner, f"{district}材料.txt", f"{district}材料".encode())
        import_jobs.finish_job(database, dataclasses.replace(job, stage="failed", error=f"{district}材料.txt：不是规划文件"))


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
    for n, indicator in enumerate(mine):  # the first waits for review, the second was returned
        view = observations.enter_value(session, clerk, period.id, observations.ObservationInput(
            indicator.id, unit.id, _plausible(indicator), source="部门统计快报"))
        observations.submit(session, clerk, view.id)
        if n == 1:
            review.return_observation(session, reviewer, view.id, "请核实口径")
    statistics = session.scalars(select(OrgUnit).where(OrgUnit.code == "BS-TJJ")).one()
    counted = session.scalars(select(Indicator).join(Assignment, Assignment.indicator_id == Indicator.id)
                              .where(Indicator.plan_id == plan.id, Assignment.org_unit_id == statistics.id)
                              .order_by(Indicator.code)).first()
    assert counted is not None
    view = observations.enter_value(session, operator, period.id, observations.ObservationInput(
        counted.id, statistics.id, _plausible(counted), source="统计年报"))
    observations.submit(session, operator, view.id)
    review.approve(session, reviewer, view.id)
    _task_report(session, clerk, plan, session.get_one(ReportingPeriod, period.id), unit)


def _publishing(session: Session, district: str, proposer: User) -> None:
    """A proposal to publish the district's tasks with its 2024 figures (白石区's 2024 is
    locked here, with nothing entered), and an opinion from the public on its plan."""
    plan = session.scalars(select(Plan).where(Plan.current.is_(True), Plan.title.startswith(district))).one()
    locked = session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan.id,
                                                           ReportingPeriod.year == 2024)).first()
    if locked is None:
        operator = users.operator(session)
        now = datetime.now(UTC)
        created = periods.create_period(session, operator, plan.id, 2024, opens_at=now - timedelta(days=400),
                                        closes_at=now - timedelta(days=300))
        locked = session.get_one(ReportingPeriod, created.id)
        periods.lock_period(session, users.find_user(session, "bs_jc2"), locked.id)
    publishing.propose(session, proposer, plan, PublicationScope((), (2024,), tasks=True), office=f"{district}发展和改革委员会")
    opinions.post_opinion(session, plan_key=plan.plan_key, indicator_code=None, subject=plan.title,
                          text=f"建议{district}按季度公开重点任务进展。", contact="13800000000", consent=True)


def _plausible(indicator: Indicator) -> str:
    """A figure the indicator accepts: its baseline, or its first target."""
    value = indicator.baseline if indicator.baseline is not None else next(
        (t.value for t in indicator.targets if t.value is not None), 1.0)
    return f"{value:g}"


def _task_report(session: Session, actor: User, plan: Plan, period: ReportingPeriod, unit: OrgUnit) -> None:
    """A draft progress report of ``unit`` on its first task, with an evidence file; a submitted
    one on its second task, if it has one."""
    tasks = list(session.scalars(select(Task).join(Assignment, Assignment.task_id == Task.id).where(
        Task.plan_id == plan.id, Assignment.org_unit_id == unit.id).order_by(Task.line)))
    assert tasks, f"{unit.name} has no task in {plan.title}"
    report = ledger_progress.report_progress(session, actor, period_id=period.id, task_id=tasks[0].id,
                                             org_unit_id=unit.id, values=LedgerInput("in_progress", "按计划推进", 40))
    ledger_progress.add_evidence(session, actor, report.id, f"{unit.name}进展材料.pdf", b"%PDF-1.4 evidence")
    for task in tasks[1:2]:
        ledger_progress.report_progress(session, actor, period_id=period.id, task_id=task.id, org_unit_id=unit.id,
                                        values=LedgerInput("completed", "已完成", 100), submit=True)


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
    """One record of each kind of a district, for routes that name a record."""

    plan_id: int
    indicator_id: int
    period_id: int
    observation_id: int  # submitted, waiting for review
    source_file_id: int
    task_id: int
    project_id: int
    report_id: int  # a draft task report with evidence
    report_task_id: int
    report_unit_id: int
    submitted_report_id: int  # waiting for review
    evidence_id: int
    org_unit_id: int  # a department
    district_id: int
    user_id: int  # its clerk
    token_id: int
    job_id: str
    district_code: str
    plan_line: int  # a line of the plan's text
    other_task_id: int  # the plan's last task, to merge into the first
    other_indicator_id: int  # the plan's last indicator
    notification_id: int  # one in its clerk's inbox
    entry_indicator_id: int  # one its department may still enter in the open period
    decision_id: int  # a proposal to publish, waiting for approval
    opinion_id: int  # a public opinion waiting for moderation
    other_indicator_code: str  # the code of other_indicator_id, as the merge picker sends it


_DISTRICTS = {"青川区": ("QC", "wjw", "lingdao"), "白石区": ("BS", "bs_fgw", "bs_ld")}


def district_ids(database: Database, district: str) -> Ids:
    """The ids of ``district``'s records (青川区: the demo's)."""
    code, clerk_login, token_login = _DISTRICTS[district]
    with database.session(readonly=True) as session:
        plan = session.scalars(select(Plan).where(Plan.current.is_(True), Plan.title.startswith(district))).one()
        period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan.id,
                                                               ReportingPeriod.locked.is_(False))).one()
        observation = session.scalars(select(Observation).where(Observation.period_id == period.id,
                                                                Observation.state == "submitted")).first()
        evidence = session.scalars(select(LedgerEvidence).join(LedgerReport).where(
            LedgerReport.period_id == period.id)).one()
        report = session.get_one(LedgerReport, evidence.report_id)
        submitted = session.scalars(select(LedgerReport.id).where(LedgerReport.period_id == period.id,
                                                                  LedgerReport.state == "submitted")).first()
        last = {model: session.scalars(select(model.id).where(model.plan_id == plan.id).order_by(model.id.desc()))
                .first() for model in (Indicator, Task)}
        token = session.scalars(select(ApiToken).where(
            ApiToken.user_id == users.find_user(session, token_login).id)).one()
        first = {model: session.scalars(select(model.id).where(model.plan_id == plan.id).order_by(model.id)).first()
                 for model in (Indicator, Task, Project)}
        assert observation is not None and submitted is not None and report.task_id is not None
        return Ids(plan.id, first[Indicator] or 0, period.id, observation.id, plan.source_file_id, first[Task] or 0,
                   first[Project] or 0, report.id, report.task_id, report.org_unit_id, submitted, evidence.id,
                   session.scalars(select(OrgUnit.id).where(OrgUnit.code == f"{code}-FGW")).one(),
                   session.scalars(select(OrgUnit.id).where(OrgUnit.code == code)).one(),
                   users.find_user(session, clerk_login).id, token.id, JOBS[district], code, plan.start_line + 1,
                   last[Task] or 0, last[Indicator] or 0,
                   session.scalars(select(Notification.id).where(
                       Notification.user_id == users.find_user(session, clerk_login).id)).first() or 0,
                   _enterable(session, period.id, f"{code}-FGW"),
                   session.scalars(select(PublicationDecision.id).where(PublicationDecision.plan_id == plan.id)).one(),
                   session.scalars(select(PublicOpinion.id).where(PublicOpinion.plan_key == plan.plan_key)).one(),
                   session.get_one(Indicator, last[Indicator]).code if last[Indicator] else "")


def _enterable(session: Session, period_id: int, unit_code: str) -> int:
    """An indicator of the unit with no figure waiting for review or approved in the period."""
    unit = session.scalars(select(OrgUnit).where(OrgUnit.code == unit_code)).one()
    done = select(Observation.indicator_id).where(Observation.period_id == period_id,
                                                  Observation.org_unit_id == unit.id,
                                                  Observation.state.in_(("submitted", "approved")))
    found = session.scalars(select(Indicator.id).join(Assignment, Assignment.indicator_id == Indicator.id).where(
        Assignment.org_unit_id == unit.id, Indicator.plan_id == session.get_one(ReportingPeriod, period_id).plan_id,
        Indicator.id.not_in(done)).order_by(Indicator.code)).first()
    assert found is not None, f"{unit_code} has nothing left to enter"
    return found
