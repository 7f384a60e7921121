"""Fill a database with the demo: the fictional 青川区 plan, its org units, one user per
role, and four years of reported data that give every status something to show.

The data are made up but plausible: each indicator moves from its baseline towards its
2025 target at its own pace (some ahead, some on schedule, some lagging, one moving the
wrong way), the 2021–2024 figures are approved and locked, and the 2025 round is open:
some units have submitted, one value was returned, some have not reported yet.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.demo import DEMO_DIR, DEMO_PLAN
from planwatch.evaluate.targets import EntryKind, entry_kind
from planwatch.services import observations, orgunits, periods, plans, review, users
from planwatch.store import Database
from planwatch.store.models import Assignment, Indicator, OrgUnit, Plan, SourceFile, User

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoUser", "seed_demo"]

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
_OPEN_YEAR = 2025


def seed_demo(database: Database, now: datetime | None = None) -> bool:
    """Seed an empty database; False (and nothing changed) when the demo plan is already there."""
    now = now or datetime.now(UTC)
    with database.session() as session:
        sha = hashlib.sha256(DEMO_PLAN.read_bytes()).hexdigest()
        if session.scalar(select(SourceFile.id).where(SourceFile.sha256 == sha)) is not None:
            return False
        orgunits.import_org_units(session, None, orgunits.read_org_unit_file(DEMO_ORG_UNITS))
        plan_id = plans.import_file(session, DEMO_PLAN).plans[0].plan_id
        for person in DEMO_USERS:
            users.add_user(session, None, person.login, DEMO_PASSWORD, person.role, name=person.name,
                           org_unit=person.org_unit)
    with database.session() as session:
        _seed_data(session, session.get_one(Plan, plan_id), now)
    return True


def _seed_data(session: Session, plan: Plan, now: datetime) -> None:
    operator = users.operator(session)
    reviewer = users.find_user(session, "tongji")  # the four-eyes rule: not the operator who entered the figures
    indicators = list(session.scalars(select(Indicator).where(Indicator.plan_id == plan.id)
                                      .order_by(Indicator.code)))
    units = {u.code: u for u in session.scalars(select(OrgUnit))}
    reporters = _reporters(session, indicators, units["QC-TJJ"])
    for year in _PAST_YEARS:
        period = periods.create_period(session, operator, plan.id, year,
                                       opens_at=datetime(year + 1, 1, 5, tzinfo=UTC),
                                       closes_at=datetime(year + 1, 3, 1, tzinfo=UTC))
        items = [observations.ObservationInput(i.id, reporters[i.id], value, source="部门统计年报")
                 for n, i in enumerate(indicators) if (value := _value(i, n, year)) is not None]
        result = observations.enter_values_bulk(session, operator, period.id, items, submit=True)
        review.approve_many(session, reviewer, result.observation_ids)
        periods.lock_period(session, operator, period.id, reason=f"{year} 年数据审定")
    current = periods.create_period(session, operator, plan.id, _OPEN_YEAR, opens_at=now - timedelta(days=10),
                                    closes_at=now + timedelta(days=30))
    clerks = {u.org_unit_id: u for u in session.scalars(select(User).where(User.role == "clerk"))}
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
    session.flush()


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
    if target.cumulative:  # 【累计】: each year adds its share of the plan-period total
        return f"{goal / span * (0.6 + abs(pace) / 2):.2f}"
    if entry_kind(indicator.name, indicator.unit) == EntryKind.YEARLY_REDUCTION:
        # The year's reduction, at the pace of the even yearly cut that compounds to the target.
        return f"{(1 - (1 - goal / 100) ** (1 / span)) * 100 * pace:.2f}"
    value = start + (goal - start) * pace * (year - 2020) / span
    if indicator.unit == "%" and "增长" not in indicator.name:
        value = min(value, 100.0)
    return f"{value:.2f}".rstrip("0").rstrip(".")
