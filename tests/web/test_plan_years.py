"""Issue 21 in the browser's HTML: a 2026–2030 plan's pages open on 2026 with a year selector
and never show 2025; the reports the calendar does not call for yet carry their caveat; a
refused addition in the document viewer keeps what was typed and says which field is wrong."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.services import plan_import
from planwatch.store import Database
from planwatch.store.models import Indicator, Plan
from tests.db.region_samples import fifteenth_plan
from tests.web.client import login


def _import(database_url: str, folder: Path) -> tuple[int, int, int, int]:
    """The 十五五 sample plan of 青川区 beside the demo: its id, first indicator, file and first line."""
    database = Database(database_url)
    try:
        with database.session() as session:
            plan_id = plan_import.import_file(session, fifteenth_plan(folder, "青川区")).plans[0].plan_id
            plan = session.get_one(Plan, plan_id)
            first = session.scalars(select(Indicator.id).where(Indicator.plan_id == plan_id)
                                    .order_by(Indicator.code)).first()
            assert first is not None
            return plan_id, first, plan.source_file_id, plan.start_line
    finally:
        database.dispose()


def _years(html: str) -> tuple[list[str], str]:
    """The year selector's options and the one selected."""
    select_html = re.search(r'<select name="year"[^>]*>(.*?)</select>', html, re.S)
    assert select_html, "no year selector"
    options = re.findall(r'<option value="(\d+)"( selected)?>', select_html.group(1))
    return [year for year, _ in options], next(year for year, chosen in options if chosen)


def test_a_new_plans_pages_open_on_its_first_year_with_a_selector(app_client: TestClient, database_url: str,
                                                                   tmp_path: Path) -> None:
    plan_id, indicator_id, _, _ = _import(database_url, tmp_path)
    login(app_client, "tongji")
    for path, params in ((f"/plans/{plan_id}", {}), (f"/indicators/{indicator_id}", {}), ("/dashboard", {"plan": plan_id}),
                         (f"/plans/{plan_id}/assessment", {})):
        page = app_client.get(path, params=params)
        assert page.status_code == 200, path
        assert _years(page.text) == (["2026", "2027", "2028", "2029", "2030"], "2026"), path
        assert "截至2025年" not in page.text, path
        early = app_client.get(path, params={**params, "year": 2025})  # before the plan: its first year
        assert _years(early.text)[1] == "2026" and "截至2025年" not in early.text, path
    later = app_client.get(f"/plans/{plan_id}", params={"year": 2028})
    assert _years(later.text)[1] == "2028" and "· 2028</h1>" in later.text


def test_the_dashboard_offers_the_reports_with_the_calendars_caveats(app_client: TestClient, database_url: str,
                                                                     tmp_path: Path) -> None:
    plan_id, _, _, _ = _import(database_url, tmp_path)
    login(app_client, "tongji")
    page = app_client.get("/dashboard", params={"plan": plan_id}).text
    caveats = dict(re.findall(r'<li data-report="(\w+)">.*?(?:<small class="field-error report-caveat">(.*?)</small>|</li>)',
                              page, re.S))
    assert caveats["annual"] == ""
    assert "中期评估一般在规划实施过半（2028年）时开展" in caveats["midterm"]
    assert "规划期至2030年，2026年尚在规划期中" in caveats["final"]
    due = app_client.get("/dashboard", params={"plan": plan_id, "year": 2028}).text
    assert "中期评估一般在规划实施过半" not in due and "规划期至2030年，2028年尚在规划期中" in due
    report = app_client.get(f"/plans/{plan_id}/reports/midterm", params={"year": 2026, "format": "html"})
    assert report.status_code == 200 and "中期评估一般在规划实施过半（2028年）时开展" in report.text


def test_the_demo_opens_on_its_open_round(app_client: TestClient) -> None:
    login(app_client, "tongji")
    page = app_client.get("/dashboard").text
    assert _years(page) == (["2021", "2022", "2023", "2024", "2025"], "2025")
    assert "2025年已是规划期末，宜生成总结评估报告" in page  # a mid-term in the last year says so


def test_a_refused_addition_keeps_the_form_and_names_the_field(app_client: TestClient, database_url: str,
                                                              tmp_path: Path) -> None:
    plan_id, _, source_file_id, first_line = _import(database_url, tmp_path)
    token = login(app_client, "pinggu")
    line = str(first_line + 2)
    typed = {"plan_id": str(plan_id), "line": line, "name": "新建社区卫生服务中心", "unit": "个", "attribute": "预期性",
             "baseline_year": "2025", "baseline": "3", "target_year": "2030", "target": "完成市级下达目标",
             "csrf_token": token}
    refused = app_client.post(f"/documents/{source_file_id}/indicators", data=typed)
    assert refused.status_code == 422
    form = re.search(r'<details id="add-indicator" open>(.*?)</details>', refused.text, re.S)
    assert form, "the addition form is shown open again"
    assert "请填写更正的原因" in form.group(1)  # the message, in the form, says what is missing
    for field in ("name", "unit", "baseline_year", "baseline", "target_year", "target"):
        assert f'name="{field}" value="{typed[field]}"' in form.group(1), field
    assert f'name="line" inputmode="numeric" size="6" required value="{line}"' in form.group(1)
    assert "<option selected>预期性</option>" in form.group(1)
    bad_year = app_client.post(f"/documents/{source_file_id}/indicators", data={
        **typed, "target": "≥5", "baseline_year": "二〇二五", "reason": "原文第 3 行漏提"})
    assert bad_year.status_code == 422 and "基期年份：应为四位年份（如 2025），而不是「二〇二五」" in bad_year.text
    assert 'name="baseline_year" value="二〇二五"' in bad_year.text
