"""The fictional action plan's district served by the app, with API tokens: the ledger API and
ledger edit page tests share it (the ``district`` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.services import ledger_edits, periods, plan_import, users
from planwatch.store import Database
from planwatch.store.models import OrgUnit, Plan, Task, User
from planwatch.web import create_app
from tests.db.ledger_samples import ACTION_PLAN

PASSWORD = "ledger-test-2026"


@dataclass(frozen=True)
class District:
    client: TestClient
    url: str
    plan_id: int
    period_id: int
    tasks: dict[str, int]
    tokens: dict[str, str]

    def auth(self, login: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[login]}"}


@pytest.fixture
def district(tmp_path: Path) -> Iterator[District]:
    """The fictional action plan with 住建委 and 财政局 clerks, two monitoring users and an evaluator."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    database = Database(url)
    database.upgrade()
    with database.sessions() as session:
        session.add_all([OrgUnit(code="YX03", name="云溪区住房和城乡建设委员会", kind="department"),
                         OrgUnit(code="YX02", name="云溪区财政局", kind="department"),
                         OrgUnit(code="YX04", name="云溪区应急管理局", kind="department")])
        session.flush()
        users.add_user(session, None, "jianwei", PASSWORD, "clerk", org_unit="YX03")
        users.add_user(session, None, "caizheng", PASSWORD, "clerk", org_unit="YX02")
        monitor = users.add_user(session, None, "monitor", PASSWORD, "monitoring")
        users.add_user(session, None, "monitor2", PASSWORD, "monitoring")
        users.add_user(session, None, "pinggu", PASSWORD, "evaluation")
        plan_import.import_file(session, ACTION_PLAN)
        plan = session.scalars(select(Plan).where(Plan.title.contains("三年行动方案"))).one()
        now = datetime.now(UTC)
        period = periods.create_period(session, monitor, plan.id, 2026, opens_at=now - timedelta(days=1),
                                       closes_at=now + timedelta(days=10))
        tokens = {u.login: users.create_token(session, u, "test", actor=u) for u in session.scalars(select(User))}
        tasks = {t.title: t.id for t in session.scalars(select(Task).where(Task.plan_id == plan.id))}
        ledger_edits.set_milestones(session, monitor, "task", tasks["更新改造老旧管网"],
                                    [("完成管材招标", "2026-03"), ("完成燃气管道改造", "2027-06")])
        session.commit()
        ids = (plan.id, period.id)
    database.dispose()
    with TestClient(create_app(url, secret_key="ledger-test")) as client:
        yield District(client, url, *ids, tasks, tokens)
