"""Fill a database with the demo: the fictional 青川区 plan, its org units, one user per
role, and five years of reporting that give every status, score and warning something to show.

The data are made up but plausible: each indicator moves from its baseline towards its
2025 target at its own pace (some ahead, some on schedule, some lagging, one moving the
wrong way); tasks and projects progress as :mod:`planwatch.demo.ledger` tells. The
2021–2024 rounds are approved and locked, and everything in them is dated on the day it
would have happened (:func:`planwatch.store.clock.recorded_at`): each unit submits on its own
day of the window, a few units late, one not at all for a year — so the assessment's
timeliness score means something. The 2025 round is open: some units have submitted, one
value was returned, some have not reported yet.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.demo import DEMO_DIR, DEMO_PLAN, ledger
from planwatch.evaluate.targets import EntryKind, entry_kind
from planwatch.services import (
    import_history,
    ledger_progress,
    observation_bulk,
    observations,
    orgunits,
    periods,
    plan_import,
    review,
    users,
)
from planwatch.services.import_history import Channel, Outcome
from planwatch.store import Database
from planwatch.store.clock import recorded_at
from planwatch.store.models import (
    Assignment,
    Indicator,
    OrgUnit,
    Plan,
    Project,
    ProjectUnit,
    SourceFile,
    Task,
    User,
)

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "LATE", "MISSING", "DemoUser", "seed_demo"]

DEMO_PASSWORD = "planwatch-demo"
DEMO_ORG_UNITS = DEMO_DIR / "qingchuan_orgunits.csv"


@dataclass(frozen=True, slots=True)
class DemoUser:
    login: str
    role: str
    name: str
    org_unit: str | None = None


DEMO_USERS = (
    DemoUser("admin", "admin", "系统管理员"),
    DemoUser("tongji", "monitoring", "区统计局监测组"),
    DemoUser("pinggu", "evaluation", "区发展改革委评估组"),
    DemoUser("lingdao", "viewer", "区政府领导"),
    DemoUser("fgw", "clerk", "区发展改革委填报员", "QC-FGW"),
    DemoUser("wjw", "clerk", "区卫生健康委填报员", "QC-WJW"),
    DemoUser("lyj", "clerk", "区林业局填报员", "QC-LYJ"),
    DemoUser("rsj", "clerk", "区人力社保局填报员", "QC-RSJ"),
    DemoUser("stj", "clerk", "区生态环境局填报员", "QC-STJ"),
)
# Pace of each indicator relative to the straight path to its target (1 = on schedule).
_PACES = (1.25, 1.0, 0.9, 0.55, 1.1, 0.3, 1.0, -0.3, 0.95, 0.7)
_PAST_YEARS = (2021, 2022, 2023, 2024)
# How units reported in the closed years, so that the timeliness score has something to show:
# most on time, a few late (unit code, year), one unit silent for a whole year.
LATE = frozenset({("QC-ZJW", 2022), ("QC-ZJW", 2024), ("QC-KJJ", 2023)})
MISSING = frozenset({("QC-SCJ", 2022)})
_OPEN_YEAR = 2025


def seed_demo(database: Database, now: datetime | None = None) -> bool:
    """Seed an empty database; False (and nothing changed) when the demo plan is already there."""
    now = now or datetime.now(UTC)
    with database.session() as session:
        sha = hashlib.sha256(DEMO_PLAN.read_bytes()).hexdigest()
        if session.scalar(select(SourceFile.id).where(SourceFile.sha256 == sha)) is not None:
            return False
        created, _ = orgunits.import_org_units(session, None, orgunits.read_org_unit_file(DEMO_ORG_UNITS))
        import_history.record(session, None, Channel.ORG_UNITS, DEMO_ORG_UNITS.name, Outcome.IMPORTED,
                              summary=f"新增 {created} 个单位", size=DEMO_ORG_UNITS.stat().st_size)
        imported = plan_import.import_file(session, DEMO_PLAN)
        plan_id = imported.plans[0].plan_id
        outcome, summary, _ = import_history.plan_import_summary(imported)
        import_history.record(session, None, Channel.CLI_IMPORT, DEMO_PLAN.name, outcome, summary=summary,
                              plan_id=plan_id, size=DEMO_PLAN.stat().st_size, sha256=imported.sha256)
        for person in DEMO_USERS:
            users.add_user(session, None, person.login, DEMO_PASSWORD, person.role, name=person.name,
                           org_unit=person.org_unit)
    with database.session() as session:
        _seed_data(session, session.get_one(Plan, plan_id), now)
    return True


def _seed_data(session: Session, plan: Plan, now: datetime) -> None:
    reviewer = users.find_user(session, "tongji")  # the four-eyes rule: not the operator who entered the figures
    indicators = list(session.scalars(select(Indicator).where(Indicator.plan_id == plan.id)
                                      .order_by(Indicator.code)))
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    reporters = _reporters(session, indicators, units["QC-TJJ"])
    clerks = {u.org_unit_id: u for u in session.scalars(select(User).where(User.role == "clerk"))}
    with recorded_at(datetime(_PAST_YEARS[0], 2, 20, 10, tzinfo=UTC)):
        ledger.plan_projects(session, users.find_user(session, "pinggu"), plan.id)
    reporting = _reporting_units(session, plan, reporters)
    for year in _PAST_YEARS:
        _seed_year(session, plan, year, [(i, n) for n, i in enumerate(indicators)], reporters, reporting,
                   clerks, reviewer)
    with recorded_at(now):
        _seed_open_year(session, plan, now, indicators, reporters, reporting, clerks, reviewer)
    session.flush()


def _seed_year(session: Session, plan: Plan, year: int, indicators: list[tuple[Indicator, int]],
               reporters: dict[int, int], reporting: list[OrgUnit], clerks: dict[int | None, User],
               reviewer: User) -> None:
    """A closed year: each unit submits its figures and task progress on its own day of the
    window (a few after the deadline, one not at all), the monitoring group approves them a
    few days later and locks the period once the late ones are in."""
    operator = users.operator(session)
    opens, closes = datetime(year + 1, 1, 5, tzinfo=UTC), datetime(year + 1, 3, 1, tzinfo=UTC)
    with recorded_at(opens - timedelta(days=10)):
        period = periods.create_period(session, operator, plan.id, year, opens_at=opens, closes_at=closes)
    for unit in sorted(reporting, key=lambda u: _submitted_on(u, year, opens, closes)):
        if (unit.code, year) in MISSING:
            continue
        late = (unit.code, year) in LATE
        # A late unit's figures are entered by the monitoring group once its window has closed.
        actor = operator if late else clerks.get(unit.id, operator)
        with recorded_at(day := _submitted_on(unit, year, opens, closes)):
            items = [observations.ObservationInput(i.id, unit.id, value, source="部门统计年报")
                     for i, n in indicators if reporters[i.id] == unit.id and (value := _value(i, n, year)) is not None]
            entered = observation_bulk.enter_values_bulk(session, actor, period.id, items, submit=True) if items else None
            reports = ledger.report_year(session, actor, plan.id, period.id, year, unit)
        with recorded_at(day + timedelta(days=3)):
            review.approve_many(session, reviewer, entered.observation_ids if entered else ())
            for report_id in reports:
                ledger_progress.review_report(session, reviewer, report_id, approve=True)
    with recorded_at(closes + timedelta(days=25)):
        periods.lock_period(session, operator, period.id, reason=f"{year} 年数据审定")


def _seed_open_year(session: Session, plan: Plan, now: datetime, indicators: list[Indicator],
                    reporters: dict[int, int], reporting: list[OrgUnit], clerks: dict[int | None, User],
                    reviewer: User) -> None:
    """The round in progress: some values submitted, one returned, some drafts, some not yet
    reported; the departments have reported their task progress, the towns not yet."""
    operator = users.operator(session)
    current = periods.create_period(session, operator, plan.id, _OPEN_YEAR, opens_at=now - timedelta(days=10),
                                    closes_at=now + timedelta(days=30))
    for n, indicator in enumerate(indicators):
        value = _value(indicator, n, _OPEN_YEAR)
        clerk = clerks.get(reporters[indicator.id])
        if value is None or n % 4 == 3:
            continue  # not reported yet
        actor = clerk or operator
        view = observations.enter_value(session, actor, current.id, observations.ObservationInput(
            indicator.id, reporters[indicator.id], value, source="部门统计快报"))
        if n % 4 == 2 and clerk is not None:
            continue  # a draft the unit is still working on
        observations.submit(session, actor, view.id)
        if n % 5 == 0:
            review.return_observation(session, operator, view.id, "与统计快报口径不一致，请核实后重新报送")
        elif n % 5 == 1:
            review.approve(session, reviewer, view.id)
    for unit in reporting:
        if unit.kind == "department":
            ledger.report_year(session, clerks.get(unit.id, operator), plan.id, current.id, _OPEN_YEAR, unit)


def _reporting_units(session: Session, plan: Plan, reporters: dict[int, int]) -> list[OrgUnit]:
    """Every unit that reports something for the plan: indicator figures or task and project progress."""
    ids = set(reporters.values())
    ids |= set(session.scalars(select(Assignment.org_unit_id).join(Task, Task.id == Assignment.task_id)
                               .where(Task.plan_id == plan.id)))
    ids |= set(session.scalars(select(ProjectUnit.org_unit_id).join(Project, Project.id == ProjectUnit.project_id)
                               .where(Project.plan_id == plan.id)))
    return list(session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.code)))


def _submitted_on(unit: OrgUnit, year: int, opens: datetime, closes: datetime) -> datetime:
    """The unit's submission day: spread over the window, or one to three weeks late."""
    if (unit.code, year) in LATE:
        return closes + timedelta(days=9 + unit.id % 10, hours=15)
    return opens + timedelta(days=7 + (unit.id * 11 + year) % 45, hours=9 + unit.id % 8)


def _reporters(session: Session, indicators: list[Indicator], statistics: OrgUnit) -> dict[int, int]:
    """The unit that reports each indicator: its lead unit, else the statistics bureau."""
    assigned: dict[int, int] = {}
    for a in session.scalars(select(Assignment).where(Assignment.indicator_id.in_([i.id for i in indicators]))
                             .order_by(Assignment.id)):
        if a.indicator_id is not None:
            assigned.setdefault(a.indicator_id, a.org_unit_id)
    for indicator in indicators:
        if indicator.id not in assigned:
            session.add(Assignment(indicator_id=indicator.id, org_unit_id=statistics.id, role="牵头", origin="manual",
                                   note="演示：未写明责任单位的指标由区统计局报送"))
            assigned[indicator.id] = statistics.id
    session.flush()
    return assigned


def _value(indicator: Indicator, n: int, year: int) -> str | None:
    """A made-up figure on the indicator's own path from baseline to target."""
    target = next((t for t in indicator.targets if t.value is not None), None)
    if target is None:
        return None
    goal = target.value
    assert goal is not None
    start = indicator.baseline if indicator.baseline is not None else goal * (0.8 if goal > 20 else 1.2)
    span = (target.year - 2020) or 1
    pace = _PACES[n % len(_PACES)]
    if target.target_type == "cumulative":  # 【累计】, 新增X: each year adds its share of the plan-period total
        return f"{goal / span * (0.6 + abs(pace) / 2):.2f}"
    if entry_kind(indicator.name, indicator.unit) == EntryKind.YEARLY_REDUCTION:
        # The year's reduction, at the pace of the even yearly cut that compounds to the target.
        return f"{(1 - (1 - goal / 100) ** (1 / span)) * 100 * pace:.2f}"
    value = start + (goal - start) * pace * (year - 2020) / span
    if indicator.unit == "%" and "增长" not in indicator.name:
        value = min(value, 100.0)
    return f"{value:.2f}".rstrip("0").rstrip(".")
