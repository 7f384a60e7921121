"""The assessment page and workbook on the demo district: ranking, breakdown, the evaluation
group's bonus/deduction items, and what a clerk sees."""

from __future__ import annotations

import html
import io
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from planwatch.store import Database
from planwatch.store.models import Plan
from tests.web.client import login


def _plan_id(database_url: str) -> int:
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            return session.scalars(select(Plan.id).where(Plan.current.is_(True))).first() or 0
    finally:
        database.dispose()


def test_leaders_see_the_ranking_and_the_evaluation_group_adjusts_it(app_client: TestClient,
                                                                    database_url: str) -> None:
    plan_id = _plan_id(database_url)
    login(app_client, "lingdao")
    page = html.unescape(app_client.get(f"/plans/{plan_id}/assessment?year=2024").text)
    assert "综合评价和绩效考核（2024）" in page and 'id="ranking-departments"' in page
    assert "录入加减分" not in page  # leaders read, the evaluation group edits
    workbook = load_workbook(io.BytesIO(app_client.get(f"/plans/{plan_id}/assessment.xlsx?year=2024").content))
    ranking = workbook["排名"]
    assert ranking["C2"].value == "单位" and ranking.max_row > 2
    assert all(c.data_type != "f" for row in workbook["得分明细"].iter_rows() for c in row)

    token = login(app_client, "pinggu")
    page = app_client.get(f"/plans/{plan_id}/assessment?year=2024").text
    unit_id = re.search(r'name="org_unit_id"><option value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    refused = app_client.post(f"/plans/{plan_id}/assessment/adjustments", data={
        "csrf_token": token, "year": "2024", "org_unit_id": unit_id, "points": "2", "reason": ""})
    assert refused.status_code == 422
    done = app_client.post(f"/plans/{plan_id}/assessment/adjustments", follow_redirects=True, data={
        "csrf_token": token, "year": "2024", "org_unit_id": unit_id, "points": "2.5", "reason": "获评市级示范单位"})
    assert done.status_code == 200 and "获评市级示范单位" in html.unescape(done.text) and "+2.5" in done.text
    bad = app_client.post(f"/plans/{plan_id}/assessment/scheme", data={
        "csrf_token": token, "year": "2024", "weight_tasks": "二十"})
    assert bad.status_code == 422 and "应为数字" in html.unescape(bad.text)


def test_a_clerk_sees_its_own_breakdown_only(app_client: TestClient, database_url: str) -> None:
    plan_id = _plan_id(database_url)
    login(app_client, "wjw")
    page = app_client.get(f"/plans/{plan_id}/assessment?year=2024").text
    assert len(re.findall(r'<tr id="unit-\d+"', page)) == 1


def test_the_demo_years_show_units_on_time_and_one_late(app_client: TestClient, database_url: str) -> None:
    """The demo dates each submission on its unit's day, so past years do not score 0 for timeliness."""
    plan_id = _plan_id(database_url)
    login(app_client, "pinggu")
    ranking = app_client.get(f"/plans/{plan_id}/assessment?year=2022").text
    units = re.findall(r'<tr id="unit-(\d+)"', ranking)
    assert "按时报送" not in ranking  # each unit's items on its own request
    on_time = [found for unit in units for found in re.findall(r"按时报送 (\d+)/(\d+) 项", html.unescape(
        app_client.get(f"/plans/{plan_id}/assessment?year=2022&unit={unit}").text))]
    assert len(on_time) >= 8
    assert sum(1 for done, sent in on_time if done == sent) >= len(on_time) - 1
    assert any(done == "0" for done, _ in on_time)  # 区住房城乡建委 reported late that year
