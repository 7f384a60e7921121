"""/api/v1 on the ledger: the plan's tasks and projects with units and latest reports, progress
reports by the units, review by the monitoring group with four eyes; permissions as on the pages."""

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

ACTION_PLAN = Path(__file__).resolve().parents[1] / "unit" / "genre" / "action_plan_ledger.txt"
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


def test_the_ledger_lists_tasks_and_projects_with_units_and_latest_reports(district: District) -> None:
    api = district.client
    body = api.get(f"/api/v1/plans/{district.plan_id}/ledger", headers=district.auth("monitor")).json()
    tasks = {t["title"]: t for t in body["tasks"]}
    pipes = tasks["更新改造老旧管网"]
    assert pipes["units"] == {"责任": ["云溪区住房和城乡建设委员会"]} and pipes["latest_reports"] == []
    assert [m["title"] for m in pipes["milestones"]] == ["完成管材招标", "完成燃气管道改造"]
    projects = {p["name"]: p for p in body["projects"]}
    assert projects["中心城区排水防涝提升工程"]["investment"] == 35000.0
    milestone = pipes["milestones"][0]["id"]
    target = pipes["targets"][0]["id"]
    report = api.post("/api/v1/ledger/reports", headers=district.auth("jianwei"), json={
        "period_id": district.period_id, "task_id": pipes["id"], "status": "in_progress", "percent": 40,
        "progress": "完成燃气管道改造160公里", "milestones_reached": [milestone],
        "target_values": {str(target): 160}, "submit": True})
    assert report.status_code == 201, report.text
    assert report.json()["state"] == "submitted" and report.json()["milestones_reached"] == [milestone]
    own = api.get(f"/api/v1/plans/{district.plan_id}/ledger", headers=district.auth("jianwei")).json()
    assert [t["title"] for t in own["tasks"]] == ["更新改造老旧管网"]  # a clerk sees its unit's part
    latest = own["tasks"][0]["latest_reports"]
    assert [(r["status"], r["percent"], r["target_values"]) for r in latest] == [
        ("in_progress", 40.0, {str(target): 160.0})]


def test_review_over_the_api_keeps_four_eyes_and_needs_a_reason(district: District) -> None:
    api = district.client
    pipes = district.tasks["更新改造老旧管网"]
    entered = api.post("/api/v1/ledger/reports", headers=district.auth("monitor"), json={
        "period_id": district.period_id, "task_id": pipes, "status": "behind", "submit": True,
        "org_unit_id": _unit_id(district.url, "YX03")}).json()
    own = api.post(f"/api/v1/ledger/reports/{entered['id']}/approve", headers=district.auth("monitor"))
    assert own.status_code == 403 and "四眼" in own.json()["detail"]
    clerk = api.post(f"/api/v1/ledger/reports/{entered['id']}/approve", headers=district.auth("jianwei"))
    assert clerk.status_code == 403
    empty = api.post(f"/api/v1/ledger/reports/{entered['id']}/return", headers=district.auth("monitor2"),
                     json={"comment": ""})
    assert empty.status_code == 422
    returned = api.post(f"/api/v1/ledger/reports/{entered['id']}/return", headers=district.auth("monitor2"),
                        json={"comment": "请写明滞后原因"})
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert returned.json()["review_note"] == "请写明滞后原因"


def test_a_clerk_cannot_report_for_another_unit_and_bad_input_is_named(district: District) -> None:
    api = district.client
    pipes = district.tasks["更新改造老旧管网"]
    other = api.post("/api/v1/ledger/reports", headers=district.auth("caizheng"), json={
        "period_id": district.period_id, "task_id": pipes, "status": "in_progress"})
    assert other.status_code == 403 and "不是该任务或项目的责任单位" in other.json()["detail"]
    status = api.post("/api/v1/ledger/reports", headers=district.auth("jianwei"), json={
        "period_id": district.period_id, "task_id": pipes, "status": "done"})
    assert status.status_code == 422 and "进展状态" in status.json()["detail"]
    milestone = api.post("/api/v1/ledger/reports", headers=district.auth("jianwei"), json={
        "period_id": district.period_id, "task_id": pipes, "status": "in_progress", "milestones_reached": [999]})
    assert milestone.status_code == 422 and "里程碑 #999" in milestone.json()["detail"]
    text = api.post("/api/v1/ledger/reports", headers=district.auth("jianwei"), json={
        "period_id": district.period_id, "task_id": pipes, "status": "in_progress", "percent": "40"})
    assert text.status_code == 422  # strict: a string is not a number
    listing = api.get(f"/api/v1/plans/{district.plan_id}/ledger", headers=district.auth("monitor")).json()
    assert all(not t["latest_reports"] for t in listing["tasks"])  # nothing was stored
    assert api.get(f"/api/v1/plans/{district.plan_id}/ledger").status_code == 401


def _unit_id(url: str, code: str) -> int:
    database = Database(url)
    try:
        with database.session(readonly=True) as session:
            return session.scalars(select(OrgUnit.id).where(OrgUnit.code == code)).one()
    finally:
        database.dispose()
