"""The fictional action plan's district for ledger tests: its units, clerks, monitoring users and
reporting periods (tests/unit/genre/action_plan_ledger.txt)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.services import periods, plan_import
from planwatch.store.models import OrgUnit, Plan, Task, User

ACTION_PLAN = Path(__file__).resolve().parents[1] / "unit" / "genre" / "action_plan_ledger.txt"


def ledger_units(session: Session) -> dict[str, int]:
    units = [OrgUnit(code=f"YX{n:02d}", name=name, kind="department") for n, name in enumerate(
        ["云溪区消防救援大队", "云溪区财政局", "云溪区住房和城乡建设委员会", "云溪区应急管理局"], start=1)]
    session.add_all(units)
    session.flush()
    session.add_all([User(login="monitor", role="monitoring"),
                     User(login="jianwei", role="clerk", org_unit_id=units[2].id)])
    session.flush()
    return {u.name: u.id for u in units}


def reporting_setup(session: Session, *, window_open: bool = True) -> tuple[Plan, dict[str, User], int, int]:
    units = ledger_units(session)
    session.add(User(login="monitor2", role="monitoring"))
    session.add(User(login="caizheng", role="clerk", org_unit_id=units["云溪区财政局"]))
    plan_import.import_file(session, ACTION_PLAN)
    plan = session.scalars(select(Plan).where(Plan.title.contains("三年行动方案"))).one()
    people = {u.login: u for u in session.scalars(select(User))}
    now = datetime.now(UTC)
    opens, closes = (now - timedelta(days=2), now + timedelta(days=20)) if window_open else \
        (now - timedelta(days=40), now - timedelta(days=10))
    period = periods.create_period(session, people["monitor"], plan.id, 2026, opens_at=opens, closes_at=closes)
    previous = periods.create_period(session, people["monitor"], plan.id, 2025, opens_at=now - timedelta(days=400),
                                     closes_at=now - timedelta(days=300))
    session.flush()
    return plan, people, period.id, previous.id


def task_named(session: Session, plan: Plan, title: str) -> int:
    return session.scalars(select(Task.id).where(Task.plan_id == plan.id, Task.title == title)).one()
