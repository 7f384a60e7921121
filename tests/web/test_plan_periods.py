"""Issue 15, item 3: a plan's reporting periods page on the demo database — window, state and
completeness; opening a period, moving its window, locking and reopening with a reason."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.store import Database
from planwatch.store.models import AuditEvent, Plan, ReportingPeriod
from tests.web.client import login


def _plan_id(database_url: str) -> int:
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            return session.scalars(select(Plan.id).where(Plan.current.is_(True), Plan.title.startswith("青川区国民经济"))).one()
    finally:
        database.dispose()


def _periods(database_url: str) -> dict[str, ReportingPeriod]:
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            found = {p.code: p for p in session.scalars(select(ReportingPeriod))}
            session.expunge_all()
            return found
    finally:
        database.dispose()


def _audit(database_url: str) -> list[tuple[str, str, str | None]]:
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            return [(e.action, e.actor_login, e.reason) for e in session.scalars(
                select(AuditEvent).where(AuditEvent.entity == "reporting_periods", AuditEvent.actor_login != "operator")
                .order_by(AuditEvent.id))]
    finally:
        database.dispose()


def test_clerks_viewers_and_evaluators_are_refused(app_client: TestClient, database_url: str) -> None:
    plan = _plan_id(database_url)
    for name in ("fgw", "lingdao", "pinggu"):
        token = login(app_client, name)
        assert app_client.get(f"/plans/{plan}/periods").status_code == 403
        refused = app_client.post(f"/plans/{plan}/periods", data={
            "year": 2026, "opens": "2027-01-01", "closes": "2027-02-01", "csrf_token": token})
        assert refused.status_code == 403
    assert "2026" not in _periods(database_url)


def test_the_page_lists_each_period_with_its_state_and_completeness(app_client: TestClient, database_url: str) -> None:
    plan = _plan_id(database_url)
    login(app_client, "tongji")
    page = app_client.get(f"/plans/{plan}/periods")
    assert page.status_code == 200
    periods = _periods(database_url)
    locked = next(p for p in periods.values() if p.locked)
    row = re.search(rf'<tr id="period-{locked.id}">(.*?)</tr>', page.text, re.S)
    assert row is not None and "已锁定" in row.group(1)
    reported = re.findall(r'<td class="num">(\d+) / (\d+)</td>', row.group(1))
    assert reported and int(reported[0][1]) > 0 and reported[0][0] == reported[0][1]  # locked years are complete
    assert "填报中" in page.text  # the demo's open year


def test_the_administrator_opens_a_period_and_moves_its_window(app_client: TestClient, database_url: str) -> None:
    plan = _plan_id(database_url)
    token = login(app_client, "admin")
    no_token = app_client.post(f"/plans/{plan}/periods", data={"year": 2026, "opens": "2027-01-01", "closes": "2027-02-01"})
    assert no_token.status_code == 403
    backwards = app_client.post(f"/plans/{plan}/periods", data={
        "year": 2026, "opens": "2027-02-01", "closes": "2027-01-01", "csrf_token": token})
    assert backwards.status_code == 422 and "截止时间 2027-01-01 00:00 应晚于开放时间" in backwards.text
    malformed = app_client.post(f"/plans/{plan}/periods", data={
        "year": 2026, "opens": "2027-13-01", "closes": "2027-02-01", "csrf_token": token})
    assert malformed.status_code == 422 and "开始日期：应为日期 YYYY-MM-DD（如 2026-03-31），而不是「2027-13-01」" in malformed.text
    assert "2026" not in _periods(database_url)

    opened = app_client.post(f"/plans/{plan}/periods", data={
        "year": 2026, "opens": "2027-01-01", "closes": "2027-02-01", "csrf_token": token})
    assert opened.status_code == 200 and "报告期已开放" in opened.text
    period = _periods(database_url)["2026"]
    assert (period.opens_at.date().isoformat(), period.closes_at.date().isoformat()) == ("2027-01-01", "2027-02-01")
    again = app_client.post(f"/plans/{plan}/periods", data={
        "year": 2026, "opens": "2027-01-01", "closes": "2027-02-01", "csrf_token": token})
    assert again.status_code == 422 and "已有报告期 2026" in again.text

    moved = app_client.post(f"/periods/{period.id}/window", data={
        "opens": "2027-01-01", "closes": "2027-03-01", "reason": "部门申请延期", "csrf_token": token})
    assert moved.status_code == 200 and "填报窗口已修改" in moved.text
    assert _periods(database_url)["2026"].closes_at.date().isoformat() == "2027-03-01"
    assert f'href="/periods/{period.id}/lock"' not in moved.text  # locking is the monitoring group's
    assert app_client.get(f"/periods/{period.id}/lock").status_code == 403
    assert app_client.post(f"/periods/{period.id}/lock", data={"csrf_token": token, "confirmed": "1"}).status_code == 403
    assert _audit(database_url) == [("create", "admin", None), ("set_window", "admin", "部门申请延期")]


def test_the_monitoring_group_locks_and_an_administrator_reopens_with_a_reason(app_client: TestClient,
                                                                                database_url: str) -> None:
    plan = _plan_id(database_url)
    token = login(app_client, "tongji")
    period = next(p for p in _periods(database_url).values() if not p.locked and p.plan_id == plan)
    listed = app_client.get(f"/plans/{plan}/periods").text
    assert f'href="/periods/{period.id}/lock"' in listed  # in the row itself, not under 调整
    confirm = app_client.get(f"/periods/{period.id}/lock").text
    assert "填报窗口尚未关闭" in confirm and "个单位本期没有报送任何数据" in confirm and "仍然锁定" in confirm
    unconfirmed = app_client.post(f"/periods/{period.id}/lock", data={"reason": "数据已审定", "csrf_token": token})
    assert unconfirmed.status_code == 200 and 'name="confirmed" value="1"' in unconfirmed.text
    assert 'value="数据已审定"' in unconfirmed.text and not _periods(database_url)[period.code].locked
    locked = app_client.post(f"/periods/{period.id}/lock",
                             data={"reason": "数据已审定", "csrf_token": token, "confirmed": "1"})
    assert locked.status_code == 200 and "报告期已锁定" in locked.text
    assert _periods(database_url)[period.code].locked
    refused = app_client.post(f"/periods/{period.id}/reopen", data={"reason": "更正统计口径", "csrf_token": token})
    assert refused.status_code == 403 and _periods(database_url)[period.code].locked
    token = login(app_client, "admin")
    silent = app_client.post(f"/periods/{period.id}/reopen", data={"reason": " ", "csrf_token": token})
    assert silent.status_code == 422 and "解锁报告期必须说明原因" in silent.text
    assert _periods(database_url)[period.code].locked
    reopened = app_client.post(f"/periods/{period.id}/reopen", data={"reason": "更正统计口径", "csrf_token": token})
    assert reopened.status_code == 200 and "报告期已解锁" in reopened.text
    assert not _periods(database_url)[period.code].locked
    assert _audit(database_url) == [("lock_period", "tongji", "数据已审定"), ("reopen_period", "admin", "更正统计口径")]
