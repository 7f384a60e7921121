"""Target types in the app, as a clerk, a reviewer and an analyst use it: the entry form and the
Excel template ask for an amount's yearly increment beside its running total and for a
qualitative target's verdict with evidence; the review queue shows the verdict; the correction
forms accept a target without a number and a corrected type.

The fictional 云溪区 city-renewal plan of ``tests/db/typed_plan.py``; 2026 is the open period.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from planwatch.monitor.exchange.xlsx_template import DATA_SHEET, HEADER
from planwatch.services import observations, periods, review
from planwatch.store import Database
from planwatch.store.models import (
    AuditEvent,
    Indicator,
    Observation,
    ObservationRevision,
    Plan,
    SourceFile,
    User,
    utcnow,
)
from planwatch.web import create_app
from tests.db.typed_plan import PASSWORD, set_up
from tests.web.client import login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SYNC = "区级一般公共预算收入年均增速"
PARKS = "新建或改建口袋公园数量"


@pytest.fixture
def typed(tmp_path: Path) -> Iterator[tuple[TestClient, Database, dict[str, int]]]:
    """The plan with 2026 open, and 2025's increment of the parks approved (the running total)."""
    database = Database(f"sqlite:///{tmp_path / 'typed.db'}")
    database.upgrade()
    plan_id = set_up(database, tmp_path)
    with database.session() as session:
        tongji = session.scalars(select(User).where(User.login == "tongji_yx")).one()
        clerk = session.scalars(select(User).where(User.login == "lh_yx")).one()
        indicators = {i.name: i.id for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan_id))}
        now = utcnow()
        earlier = periods.create_period(session, tongji, plan_id, 2025, opens_at=now - timedelta(days=3),
                                        closes_at=now + timedelta(days=30))
        assert clerk.org_unit_id is not None
        view = observations.enter_value(session, clerk, earlier.id, observations.ObservationInput(
            indicators[PARKS], clerk.org_unit_id, "2"))
        review.approve(session, tongji, observations.submit(session, clerk, view.id).id)
        periods.lock_period(session, tongji, earlier.id)
        period = periods.create_period(session, tongji, plan_id, 2026, opens_at=now - timedelta(days=3),
                                       closes_at=now + timedelta(days=30))
        ids = {"plan": plan_id, "period": period.id, "source": session.get_one(Plan, plan_id).source_file_id,
               **{name: i for name, i in indicators.items()}}
    with TestClient(create_app(database.url, secret_key="typed-test")) as client:
        yield client, database, ids
    database.dispose()


def _row(page: str, name: str) -> str:
    start = page.index(name)
    return page[start:page.index("</form>", start)]


def test_the_entry_form_asks_for_the_increment_beside_the_running_total(
        typed: tuple[TestClient, Database, dict[str, int]]) -> None:
    client, _, ids = typed
    login(client, "lh_yx", PASSWORD)
    row = _row(client.get("/entry", params={"period": ids["period"]}).text, PARKS)
    assert "<dt>规划目标</dt><dd>2030年 10</dd>" in row
    assert '<dt>规划期已累计</dt><dd class="running-total">2（2025年）</dd>' in row  # the increment approved for 2025
    assert "填本年度新完成（新增）的数量，不填累计数" in row


def test_a_verdict_is_chosen_needs_its_evidence_and_reaches_the_review_queue(
        typed: tuple[TestClient, Database, dict[str, int]]) -> None:
    client, database, ids = typed
    token = login(client, "cz_yx", PASSWORD)
    row = _row(client.get("/entry", params={"period": ids["period"]}).text, SYNC)
    assert re.findall(r'<option value="([^"]*)"', row) == ["", "达到", "未达到", "无法判断"]
    assert "评估依据" in row and "佐证材料" in row
    with database.session(readonly=True) as session:
        unit = session.scalars(select(User.org_unit_id).where(User.login == "cz_yx")).one()
    form = {"csrf_token": token, "indicator_id": ids[SYNC], "period_id": ids["period"], "org_unit_id": unit,
            "value": "达到", "source": "区财政局2026年预算执行情况报告", "step": "submit"}
    refused = client.post("/entry", data=form)
    assert refused.status_code == 422
    again = _row(refused.text, SYNC)
    assert "须在备注中写明依据" in again
    assert '<option value="达到" selected>' in again and "区财政局2026年预算执行情况报告" in again  # nothing lost
    sent = client.post("/entry", data=form | {"note": "全区增长5.8%，全市增长5.5%"}, follow_redirects=False)
    assert sent.status_code == 303
    with database.session(readonly=True) as session:
        revision = session.scalars(select(ObservationRevision).join(
            Observation, Observation.id == ObservationRevision.observation_id)
            .where(Observation.indicator_id == ids[SYNC])).one()
        assert (revision.value_text, revision.value, revision.note) == ("达到", None, "全区增长5.8%，全市增长5.5%")
    login(client, "tongji_yx", PASSWORD)
    queue = client.get("/review").text
    listed = queue[queue.index(SYNC):queue.index("</tr>", queue.index(SYNC))]
    assert '<span class="verdict">达到</span>' in listed and "全区增长5.8%" in listed
    assert "区财政局2026年预算执行情况报告" in listed


def test_the_template_offers_the_verdicts_and_refuses_one_without_evidence(
        typed: tuple[TestClient, Database, dict[str, int]], tmp_path: Path) -> None:
    client, database, ids = typed
    token = login(client, "cz_yx", PASSWORD)
    book = load_workbook(io.BytesIO(client.get("/entry/template", params={"period": ids["period"]}).content))
    sheet = book[DATA_SHEET]
    value = HEADER.index("本期数值")
    [row] = [r for r in sheet.iter_rows(min_row=4) if r[2].value == SYNC]
    [choice] = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert row[value].coordinate in choice.sqref and choice.formula1 == '"达到,未达到,无法判断"'
    assert "定性目标" in str(row[HEADER.index("填报要求")].value)
    row[value].value = "无法判断"
    path = tmp_path / "filled.xlsx"
    book.save(path)
    refused = client.post("/entry/upload", data={"csrf_token": token, "submit": "1"}, files={"file": (path.name, path.read_bytes(), XLSX)})
    assert refused.status_code == 422 and "须在备注中写明依据" in refused.text
    row[HEADER.index("备注")].value = "全市2026年数据尚未公布"
    book.save(path)
    stored = client.post("/entry/upload", data={"csrf_token": token, "submit": "1"}, files={"file": (path.name, path.read_bytes(), XLSX)})
    assert stored.status_code == 200, stored.text
    with database.session(readonly=True) as session:
        revision = session.scalars(select(ObservationRevision).join(
            Observation, Observation.id == ObservationRevision.observation_id)
            .where(Observation.indicator_id == ids[SYNC])).one()
        assert (revision.value_text, revision.note) == ("无法判断", "全市2026年数据尚未公布")


def test_the_add_form_takes_a_qualitative_target_and_the_type_can_be_corrected(
        typed: tuple[TestClient, Database, dict[str, int]]) -> None:
    client, database, ids = typed
    token = login(client, "pinggu_yx", PASSWORD)
    with database.session(readonly=True) as session:
        lines = session.get_one(SourceFile, ids["source"]).text.split("\n")
    line = next(n for n, text in enumerate(lines, start=1) if "有序推进重点街区更新" in text)
    added = client.post(f"/documents/{ids['source']}/indicators", data={
        "csrf_token": token, "plan_id": ids["plan"], "line": line, "name": "重点街区功能品质",
        "target": "完成市级下达目标", "reason": "原文漏提的定性目标"}, follow_redirects=False)
    assert added.status_code == 303, added.text
    corrected = client.post(f"/indicators/{ids['街区更新数量']}/target", data={
        "csrf_token": token, "target_year": "2030", "target": "4", "comparator": "", "target_type": "level",
        "reason": "街区数为存量"}, follow_redirects=False)
    assert corrected.status_code == 303, corrected.text
    with database.session(readonly=True) as session:
        new = session.scalars(select(Indicator).where(Indicator.name == "重点街区功能品质")).one()
        assert [(t.text, t.value, t.target_type) for t in new.targets] == [("完成市级下达目标", None, "qualitative")]
        blocks = session.get_one(Indicator, ids["街区更新数量"])
        assert [t.target_type for t in blocks.targets] == ["level"]
        assert session.scalars(select(AuditEvent.reason).where(
            AuditEvent.entity == "indicators", AuditEvent.entity_id == str(blocks.id))).all() == ["街区数为存量"]
    page = client.get(f"/indicators/{ids['街区更新数量']}", params={"year": 2026}).text
    assert '<td id="target-type">水平值（达到X）</td>' in page
    document = client.get(f"/documents/{ids['source']}").text
    assert '<option value="qualitative">定性目标（无数值）</option>' in document


def test_a_qualitative_indicator_page_lists_its_judgements(typed: tuple[TestClient, Database, dict[str, int]]) -> None:
    client, database, ids = typed
    with database.session() as session:
        clerk = session.scalars(select(User).where(User.login == "cz_yx")).one()
        tongji = session.scalars(select(User).where(User.login == "tongji_yx")).one()
        assert clerk.org_unit_id is not None
        view = observations.enter_value(session, clerk, ids["period"], observations.ObservationInput(
            ids[SYNC], clerk.org_unit_id, "未达到", note="全区增长4.1%，全市增长5.5%", source="区统计局快报"))
        review.approve(session, tongji, observations.submit(session, clerk, view.id).id)
    login(client, "tongji_yx", PASSWORD)
    page = client.get(f"/indicators/{ids[SYNC]}", params={"year": 2026}).text
    table = page[page.index('id="judgements"'):]
    assert "<td>2026</td>" in table and "未达到" in table and "全区增长4.1%" in table and "区统计局快报" in table
    assert "滞后" in page and "indicator-chart" not in page
    plan = client.get(f"/plans/{ids['plan']}", params={"year": 2026}).text
    assert "未达到" in plan[plan.index(SYNC):plan.index("</tr>", plan.index(SYNC))]
