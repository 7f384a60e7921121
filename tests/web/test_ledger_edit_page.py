"""Editing the ledger in the browser (TestClient): forms with CSRF, the edits stored and audited,
split and merge, retire and restore, 403 for clerks, and milestones reached in a progress report."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import select

from planwatch.store import Database
from planwatch.store.models import AuditEvent, LedgerReport, Milestone, OrgUnit, Task
from tests.web.client import login
from tests.web.ledger_district import PASSWORD, District, district

__all__ = ["district"]  # the fixture, shared with the API tests


def _rows(url: str, query: type[Any]) -> list[Any]:
    database = Database(url)
    try:
        with database.session(readonly=True) as session:
            return list(session.scalars(select(query)))
    finally:
        database.dispose()


def _unit(url: str, code: str) -> int:
    database = Database(url)
    try:
        with database.session(readonly=True) as session:
            return session.scalars(select(OrgUnit.id).where(OrgUnit.code == code)).one()
    finally:
        database.dispose()


def _edit_form(district: District, task_id: int) -> dict[str, object]:
    """The edit form's values as the browser would send them back unchanged."""
    page = district.client.get(f"/ledger/tasks/{task_id}/edit").text
    form = page[page.index('id="ledger-edit-form"'):page.index("</form>", page.index('id="ledger-edit-form"'))]
    data: dict[str, object] = {}
    for name, value in re.findall(r'<input (?:type="[a-z]+" )?name="([a-z_]+)"[^>]*?value="([^"]*)"', form):
        data.setdefault(name, []).append(html.unescape(value))  # type: ignore[union-attr]
    selects = re.findall(r'<select name="([a-z_]+)"[^>]*>(.*?)</select>', form, re.S)
    for name, options in selects:
        data[name] = re.findall(r'<option value="([^"]*)" selected>', options)
    data = {k: (v[0] if isinstance(v, list) and len(v) == 1 and k in ("title", "section", "deadline", "csrf_token",
                                                                        "task_kind") else v) for k, v in data.items()}
    return data


def test_the_monitoring_group_edits_a_task_and_the_change_is_audited(district: District) -> None:
    client, pipes = district.client, district.tasks["更新改造老旧管网"]
    token = login(client, "monitor", PASSWORD)
    page = html.unescape(client.get(f"/plans/{district.plan_id}/ledger").text)
    assert "新增任务" in page and f"/ledger/tasks/{pipes}/edit" in page and f"/ledger/tasks/{pipes}/split" in page
    data = _edit_form(district, pipes)
    assert data["title"] == "更新改造老旧管网" and data["csrf_token"] == token
    bad = client.post(f"/ledger/tasks/{pipes}/edit", data={**data, "deadline": "2027年6月"})
    assert bad.status_code == 422 and "完成时限：应为年月 YYYY-MM" in html.unescape(bad.text)
    assert 'value="2027年6月"' in bad.text  # what was typed is kept
    unchanged = client.post(f"/ledger/tasks/{pipes}/edit", data=data)
    assert unchanged.status_code == 422 and "没有要修改的内容" in html.unescape(unchanged.text)
    saved = client.post(f"/ledger/tasks/{pipes}/edit", follow_redirects=False,
                        data={**data, "deadline": "2027-06", "milestone_title": "完成管材招标",
                              "milestone_due": "2026-03", "support": [str(_unit(district.url, "YX02"))]})
    assert saved.status_code == 303 and "edited=1" in saved.headers["location"]
    page = html.unescape(client.get(saved.headers["location"]).text)
    row = re.search(rf'<tr id="task-{pipes}".*?</tr>', page, re.S).group(0)  # type: ignore[union-attr]
    assert "2027-06" in row and "完成管材招标（2026-03）" in row and "配合：云溪区财政局" in row
    events = [e for e in _rows(district.url, AuditEvent) if getattr(e, "entity", "") == "tasks"]
    assert [e.action for e in events][-2:] == ["edit", "milestones"]
    edit = events[-2]
    assert set(edit.new) >= {"deadline", "units"} and edit.old["deadline"] is None
    refused = client.post(f"/ledger/tasks/{pipes}/retire", data={})
    assert refused.status_code == 403  # no CSRF token


def test_add_split_merge_retire_and_restore_through_the_pages(district: District) -> None:
    client, plan_id = district.client, district.plan_id
    token = login(client, "pinggu", PASSWORD)  # the evaluation group may edit the ledger too
    housing = str(_unit(district.url, "YX03"))
    added = client.post(f"/plans/{plan_id}/ledger/tasks/new", follow_redirects=False, data={
        "csrf_token": token, "title": "建设应急物资储备库", "deadline": "2026-10", "lead": [housing],
        "target_name": ["建成储备库"], "target_year": ["2026"], "target_value": ["1"], "target_unit": ["座"]})
    assert added.status_code == 303
    new_task = next(t for t in _rows(district.url, Task) if t.title == "建设应急物资储备库")
    new_id = new_task.id
    pipes = district.tasks["更新改造老旧管网"]
    target = re.search(r'name="part_target" value="1:(\d+)"', client.get(f"/ledger/tasks/{pipes}/split").text)
    assert target is not None
    split = client.post(f"/ledger/tasks/{pipes}/split", follow_redirects=False, data={
        "csrf_token": token, "part_title": ["改造燃气老化管道", "改造老旧供水管网", ""],
        "part_target": [f"1:{target.group(1)}"], "part_unit": [f"2:{housing}"]})
    assert split.status_code == 303
    titles = {t.title for t in _rows(district.url, Task)}
    assert {"改造燃气老化管道", "改造老旧供水管网"} <= titles and "更新改造老旧管网" not in titles

    merged = client.post(f"/ledger/tasks/{pipes}/merge", follow_redirects=False,
                         data={"csrf_token": token, "other": [str(new_id)]})
    assert merged.status_code == 303
    assert new_id not in {t.id for t in _rows(district.url, Task)}

    ledger = client.get(f"/plans/{district.plan_id}/ledger").text
    confirm = re.search(rf'<details class="retire" id="retire-tasks-{pipes}">.*?</details>', ledger, re.S)
    assert confirm is not None and 'name="reason" required' in confirm.group(0) and "确认撤销" in confirm.group(0)
    unexplained = client.post(f"/ledger/tasks/{pipes}/retire", data={"csrf_token": token})
    assert unexplained.status_code == 422 and "请填写撤销的原因" in unexplained.text
    retired = client.post(f"/ledger/tasks/{pipes}/retire", data={"csrf_token": token, "reason": "已并入燃气管网改造"},
                          follow_redirects=True)
    page = html.unescape(retired.text)
    row = re.search(rf'<tr id="task-{pipes}" class="retired".*?</tr>', page, re.S)
    assert row is not None and "已撤销" in row.group(0) and "恢复" in row.group(0)
    restored = client.post(f"/ledger/tasks/{pipes}/restore", data={"csrf_token": token}, follow_redirects=True)
    assert f'<tr id="task-{pipes}" class="retired"' not in restored.text


def test_merge_conflicts_are_listed_and_resolved_by_discarding(district: District) -> None:
    client = district.client
    gas, drains = district.tasks["燃气管网改造工程"], district.tasks["排水防涝工程"]
    housing = _unit(district.url, "YX03")
    token = login(client, "monitor", PASSWORD)
    for task_id in (gas, drains):
        data = _edit_form(district, task_id)
        assert client.post(f"/ledger/tasks/{task_id}/edit", follow_redirects=False,
                           data={**data, "lead": [str(housing)]}).status_code == 303
        form = client.get(f"/ledger/tasks/{task_id}/progress?period_id={district.period_id}")
        assert form.status_code == 200
        client.post(f"/ledger/tasks/{task_id}/progress", data={
            "csrf_token": token, "period_id": str(district.period_id), "org_unit_id": str(housing),
            "status": "in_progress", "percent": "20"})
    conflict = client.post(f"/ledger/tasks/{gas}/merge", data={"csrf_token": token, "other": [str(drains)]})
    assert conflict.status_code == 409 and "请选择要舍弃的一份" in html.unescape(conflict.text)
    ids = re.findall(r'name="discard" value="(\d+)"', conflict.text)
    assert len(ids) == 2
    done = client.post(f"/ledger/tasks/{gas}/merge", follow_redirects=False,
                       data={"csrf_token": token, "other": [str(drains)], "discard": [ids[1]]})
    assert done.status_code == 303
    reports = _rows(district.url, LedgerReport)
    assert [r.id for r in reports] == [int(ids[0])]


def test_clerks_cannot_edit_but_report_the_milestones_reached(district: District) -> None:
    client, pipes = district.client, district.tasks["更新改造老旧管网"]
    token = login(client, "jianwei", PASSWORD)
    page = html.unescape(client.get(f"/plans/{district.plan_id}/ledger").text)
    assert "新增任务" not in page and f"/ledger/tasks/{pipes}/edit" not in page
    assert client.get(f"/ledger/tasks/{pipes}/edit").status_code == 403
    assert client.get(f"/plans/{district.plan_id}/ledger/tasks/new").status_code == 403
    assert client.post(f"/ledger/tasks/{pipes}/retire", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/ledger/tasks/{pipes}/edit", data={"csrf_token": token, "title": "改名"}).status_code == 403
    form = client.get(f"/ledger/tasks/{pipes}/progress?period_id={district.period_id}").text
    milestone = re.search(r'name="milestone" value="(\d+)"> 完成管材招标', form)
    target = re.search(r'name="target_id" value="(\d+)"', form)
    assert milestone is not None and target is not None
    unit = re.search(r'name="org_unit_id"><option value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    saved = client.post(f"/ledger/tasks/{pipes}/progress", follow_redirects=False, data={
        "csrf_token": token, "period_id": str(district.period_id), "org_unit_id": unit, "status": "in_progress",
        "percent": "30", "milestone": [milestone.group(1)], "target_id": [target.group(1)], "target_value": ["150"]})
    assert saved.status_code == 303
    report = _rows(district.url, LedgerReport)[0]
    assert report.milestones_reached == [int(milestone.group(1))]
    assert report.target_values == {target.group(1): 150.0}
    assert {m.title for m in _rows(district.url, Milestone)} >= {"完成管材招标"}
