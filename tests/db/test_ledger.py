"""The plan's ledger in the database: tasks with their own targets, deadlines and units, and
major projects, stored on import and read back per user (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.services import ledger, plans
from planwatch.store import Database
from planwatch.store.models import OrgUnit, Plan, User

ACTION_PLAN = Path(__file__).resolve().parents[1] / "unit" / "genre" / "action_plan_ledger.txt"


def _district(session: Session) -> dict[str, int]:
    units = [OrgUnit(code=f"YX{n:02d}", name=name, kind="department") for n, name in enumerate(
        ["云溪区消防救援大队", "云溪区财政局", "云溪区住房和城乡建设委员会", "云溪区应急管理局"], start=1)]
    session.add_all(units)
    session.flush()
    session.add_all([User(login="monitor", role="monitoring"),
                     User(login="jianwei", role="clerk", org_unit_id=units[2].id)])
    session.flush()
    return {u.name: u.id for u in units}


def test_import_stores_the_ledger_and_each_user_sees_their_part(database: Database) -> None:
    with database.sessions() as session:
        _district(session)
        plans.import_file(session, ACTION_PLAN)
        session.commit()
    with database.session(readonly=True) as session:
        plan = session.scalars(select(Plan).where(Plan.title.contains("三年行动方案"))).one()
        monitor = session.scalars(select(User).where(User.login == "monitor")).one()
        book = ledger.plan_ledger(session, monitor, plan, today=date(2027, 3, 1))
        tasks = {t.title: t for t in book.tasks}
        fire = tasks["补齐消防救援短板"]
        assert fire.units == {"牵头": ["云溪区消防救援大队"], "配合": ["云溪区财政局"]}
        assert [(t.value, t.unit) for t in fire.targets] == [(1.0, "座"), (2.0, "座")]
        assert fire.deadline == "2026-12" and fire.overdue  # March 2027: past its deadline
        assert book.overdue == 1
        assert tasks["排水防涝工程"].kind == "column"
        projects = {p.name: p for p in book.projects}
        assert projects["城市生命线安全监测平台"].units == ["云溪区应急管理局"]
        assert projects["中心城区排水防涝提升工程"].investment == 35000.0
        assert book.total_investment == 47000.0

        clerk = session.scalars(select(User).where(User.login == "jianwei")).one()
        own = ledger.plan_ledger(session, clerk, plan, today=date(2026, 1, 1))
        assert {t.title for t in own.tasks} == {"更新改造老旧管网"}  # 区住房城乡建委 only
        assert [p.name for p in own.projects] == ["中心城区排水防涝提升工程"]
        assert not any(t.overdue for t in own.tasks)
