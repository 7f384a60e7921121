"""/api/v1 on the ledger: the plan's tasks and projects with units and latest reports, progress
reports by the units, review by the monitoring group with four eyes; permissions as on the pages."""

from __future__ import annotations

from sqlalchemy import select

from planwatch.store import Database
from planwatch.store.models import OrgUnit
from tests.web.ledger_district import District, district

__all__ = ["district"]  # the fixture, shared with the ledger edit page tests


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
