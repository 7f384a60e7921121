"""Growth-rate and reduction indicators on the pages: the entered rate is shown, and the
clerk is told what to enter."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from planwatch.monitor.exchange.xlsx_template import HEADER
from planwatch.services import exchange
from planwatch.services.evaluation import yearly_values
from planwatch.store import Database
from planwatch.store.models import Indicator, OrgUnit, Plan, ReportingPeriod, User
from tests.web.client import login


def _row(html: str, name: str) -> str:
    match = re.search(rf"<tr><td><a [^>]*>{name}</a>.*?</tr>", html, re.S)
    assert match, name
    return match.group(0)


def test_plan_page_shows_the_entered_rate_not_a_derived_figure(app_client: TestClient, database_url: str) -> None:
    database = Database(database_url)
    with database.session(readonly=True) as session:
        plan = session.scalars(select(Plan)).first()
        assert plan is not None
        plan_id = plan.id
        indicator = session.scalars(select(Indicator).where(Indicator.name == "居民人均可支配收入增长")).one()
        entered = yearly_values(session, plan)[indicator.id][2024]
    database.dispose()
    login(app_client, "pinggu")
    row = _row(app_client.get(f"/plans/{plan_id}", params={"year": 2024}).text, "居民人均可支配收入增长")
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[0] == f"{entered:g}", row  # the 2024 growth rate as entered
    assert "严重滞后" not in row  # 6.2 … 6.5 against 6.5* is near the target, not far behind


def test_entry_form_says_what_to_enter_for_a_reduction(app_client: TestClient) -> None:
    login(app_client, "fgw")  # 区发展改革委 reports 单位地区生产总值能源消耗降低
    page = app_client.get("/entry").text
    form = page[page.index("单位地区生产总值能源消耗降低"):]
    assert "填本年比上年降低的百分比" in form[: form.index("</form>")]


def test_template_says_what_to_enter_for_a_growth_rate(database_url: str, tmp_path: Path) -> None:
    database = Database(database_url)
    with database.session(readonly=True) as session:
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "QC-TJJ")).one()
        period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.year == 2025)).one()
        monitoring = session.scalars(select(User).where(User.login == "tongji")).one()
        path = tmp_path / "template.xlsx"
        exchange.write_unit_template(session, monitoring, unit, period, path)
    database.dispose()
    book = load_workbook(path)
    sheet = book["填报"]
    value = HEADER.index("本期数值")
    row = next(r for r in sheet.iter_rows(min_row=4) if r[2].value == "居民人均可支配收入增长")
    assert row[value].comment is not None and "填本年比上年增长的百分比" in row[value].comment.text
    assert "填本年比上年增长的百分比" in str(row[HEADER.index("填报要求")].value)  # the entry form's words
    levels = [r for r in sheet.iter_rows(min_row=4) if r[HEADER.index("填报要求")].value == "填本期实际值。"]
    assert levels and all(r[value].comment is None for r in levels)  # a level needs no note
    amount = next(r for r in sheet.iter_rows(min_row=4) if r[2].value == "新增城镇就业")  # 5万人以上 in five years
    assert "填本年度新完成（新增）的数量，不填累计数" in str(amount[HEADER.index("填报要求")].value)
    assert amount[HEADER.index("规划期已累计")].value  # what the years before added up to, approved
    instructions = [str(r[0].value) for r in book["填报说明"].iter_rows()]
    assert any("居民人均可支配收入增长" in line and "不填总量" in line for line in instructions)
