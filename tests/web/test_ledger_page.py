"""The task ledger page of a plan: key tasks with their own targets, and what a clerk sees."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.store import Database
from planwatch.store.models import Plan
from tests.web.client import login


def _plan_id(database_url: str) -> int:
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            return session.scalars(select(Plan.id).where(Plan.current.is_(True)).order_by(Plan.id)).first() or 0
    finally:
        database.dispose()


def test_the_ledger_lists_the_plans_tasks_with_their_targets(app_client: TestClient, database_url: str) -> None:
    login(app_client, "tongji")
    plan_id = _plan_id(database_url)
    plan_page = app_client.get(f"/plans/{plan_id}").text
    assert f"/plans/{plan_id}/ledger" in plan_page
    page = html.unescape(app_client.get(f"/plans/{plan_id}/ledger").text)
    assert "任务台账" in page and 'id="ledger-tasks"' in page
    rows = re.findall(r'<tr id="task-\d+"[^>]*>(.*?)</tr>', page, re.S)
    row = next(r for r in rows if "壮大先进制造业" in r)
    assert "规模以上工业产值" in row and "800亿元" in row
    assert re.search(r'#line-\d+">壮大先进制造业</a>', page)  # each task links to its line


def test_a_clerk_sees_only_the_tasks_of_its_unit(app_client: TestClient, database_url: str) -> None:
    login(app_client, "fgw")
    plan_id = _plan_id(database_url)
    page = html.unescape(app_client.get(f"/plans/{plan_id}/ledger").text)
    assert "壮大先进制造业" not in page  # the demo plan names no unit for it
    assert "重点任务（0）" in page


def test_unknown_plan_is_404(app_client: TestClient) -> None:
    login(app_client, "tongji")
    assert app_client.get("/plans/999999/ledger").status_code == 404
