"""Issue 15, items 2 and 4 on the web: a plan's assignments page on the demo database — bulk
assignment and removal, the upload table, the unmatched names of another district's plan."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import Executable, select

from planwatch.services import plan_import
from planwatch.store import Database
from planwatch.store.models import Assignment, AuditEvent, Indicator, OrgUnit, Plan
from tests.db.region_samples import plan_file
from tests.web.client import login


class Demo:
    """Reads of the demo database a test changes through the app."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _read(self, query: Executable) -> list[tuple[Any, ...]]:
        database = Database(self.url)
        try:
            with database.session(readonly=True) as session:
                return [tuple(row) for row in session.execute(query)]
        finally:
            database.dispose()

    def plan_id(self, title_start: str = "青川区国民经济") -> int:
        return int(self._read(select(Plan.id).where(Plan.title.startswith(title_start), Plan.current.is_(True)))[0][0])

    def indicators(self, plan_id: int) -> dict[str, int]:
        return {str(code): int(i) for code, i in self._read(select(Indicator.code, Indicator.id)
                                                              .where(Indicator.plan_id == plan_id))}

    def assigned(self, plan_id: int, unit_code: str) -> dict[str, str]:
        """indicator code → role, for one unit in one plan."""
        rows = self._read(select(Indicator.code, Assignment.role).join(Assignment, Assignment.indicator_id == Indicator.id)
                          .join(OrgUnit, OrgUnit.id == Assignment.org_unit_id)
                          .where(OrgUnit.code == unit_code, Indicator.plan_id == plan_id))
        return {str(code): str(role) for code, role in rows}

    def audit(self, action: str) -> list[tuple[str, str]]:
        return [(str(who), str(entity_id)) for who, entity_id in self._read(
            select(AuditEvent.actor_login, AuditEvent.entity_id).where(AuditEvent.action == action)
            .order_by(AuditEvent.id))]


def test_only_the_administrator_and_the_monitoring_group_assign(app_client: TestClient, database_url: str) -> None:
    demo = Demo(database_url)
    plan = demo.plan_id()
    first = min(demo.indicators(plan).values())
    for name in ("fgw", "lingdao", "pinggu"):
        token = login(app_client, name)
        assert app_client.get(f"/plans/{plan}/assignments").status_code == 403
        assert f'href="/plans/{plan}/assignments"' not in app_client.get(f"/plans/{plan}").text
        refused = app_client.post(f"/plans/{plan}/assignments", data={
            "unit": "QC-DSJ", "indicator": [first], "csrf_token": token})
        assert refused.status_code == 403
    login(app_client, "tongji")
    assert app_client.get(f"/plans/{plan}/assignments").status_code == 200
    assert f'href="/plans/{plan}/assignments"' in app_client.get(f"/plans/{plan}").text
    assert demo.assigned(plan, "QC-DSJ") == {}


def test_bulk_assignment_of_ticked_indicators_and_of_a_whole_filter(app_client: TestClient, database_url: str) -> None:
    demo = Demo(database_url)
    plan = demo.plan_id()
    codes = demo.indicators(plan)
    unit = "QC-DSJ"  # 区大数据局 (its code, as the picker takes it): no indicator of the demo plan yet
    token = login(app_client, "admin")
    page = app_client.get(f"/plans/{plan}/assignments")
    assert page.status_code == 200 and "区发展改革委" not in page.text and "青川区发展和改革委员会（牵头）" in page.text

    no_token = app_client.post(f"/plans/{plan}/assignments", data={"unit": unit, "indicator": [codes["I001"]]})
    assert no_token.status_code == 403 and demo.assigned(plan, "QC-DSJ") == {}
    nothing = app_client.post(f"/plans/{plan}/assignments", data={"unit": unit, "csrf_token": token})
    assert nothing.status_code == 422 and "请先勾选指标" in nothing.text
    nobody = app_client.post(f"/plans/{plan}/assignments", data={"unit": "没有这个单位", "csrf_token": token,
                                                                 "indicator": [codes["I001"]]})
    assert nobody.status_code == 422 and "请选择责任单位" in nobody.text

    ticked = app_client.post(f"/plans/{plan}/assignments", data={
        "unit": unit, "role": "配合", "operation": "assign", "csrf_token": token,
        "indicator": [codes["I001"], codes["I002"], codes["I003"]]})
    assert ticked.status_code == 200 and "已分配 3 项分工" in ticked.text
    assert demo.assigned(plan, "QC-DSJ") == {"I001": "配合", "I002": "配合", "I003": "配合"}
    assert [who for who, _ in demo.audit("assign")] == ["admin"] * 3

    bad_role = app_client.post(f"/plans/{plan}/assignments", data={
        "unit": unit, "role": "主管", "csrf_token": token, "indicator": [codes["I004"], codes["I005"]]})
    assert bad_role.status_code == 422 and "责任类型应为 牵头、责任、配合 之一" in bad_role.text
    assert len(demo.assigned(plan, "QC-DSJ")) == 3

    removed = app_client.post(f"/plans/{plan}/assignments", data={
        "unit": unit, "operation": "remove", "csrf_token": token, "indicator": [codes["I002"]]})
    assert "已取消 1 项分工" in removed.text and set(demo.assigned(plan, "QC-DSJ")) == {"I001", "I003"}

    filtered = app_client.get(f"/plans/{plan}/assignments", params={"q": "率"})
    shown = filtered.text.count('name="indicator"')
    assert 0 < shown < len(codes)
    whole = app_client.post(f"/plans/{plan}/assignments", data={
        "unit": unit, "role": "责任", "all_in_filter": "1", "q": "率", "csrf_token": token})
    assert whole.status_code == 200
    rates = {code for code, role in demo.assigned(plan, "QC-DSJ").items() if role == "责任"}
    assert len(rates) == shown


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def test_an_uploaded_table_is_all_or_nothing(app_client: TestClient, database_url: str) -> None:
    demo = Demo(database_url)
    plan = demo.plan_id()
    token = login(app_client, "tongji")
    before = demo.audit("assign")
    bad = "指标,责任单位,责任类型\nI001,QC-DSJ,牵头\n不存在的指标,QC-DSJ,责任\nI003,某某局,责任\nI004,QC-DSJ,主管\n"
    response = app_client.post(f"/plans/{plan}/assignments/upload", data={"csrf_token": token},
                               files={"file": ("分工.csv", bad.encode(), "text/csv")})
    assert response.status_code == 422
    assert "第 3 行「指标」没有代码或名称为「不存在的指标」的指标" in response.text
    assert "第 4 行「责任单位」没有代码或名称为「某某局」的单位" in response.text
    assert "第 5 行「责任类型」应为 牵头、责任、配合 之一，实际为「主管」" in response.text
    assert demo.assigned(plan, "QC-DSJ") == {} and demo.audit("assign") == before

    good = _xlsx([["指标", "责任单位", "责任类型"], ["I001", "青川区大数据发展局", "牵头"], ["森林覆盖率", "QC-DSJ", ""]])
    response = app_client.post(f"/plans/{plan}/assignments/upload", data={"csrf_token": token},
                               files={"file": ("分工.xlsx", good, "application/octet-stream")})
    assert response.status_code == 200 and "分工表已导入，2 项分工有变化" in response.text
    assigned = demo.assigned(plan, "QC-DSJ")
    assert assigned["I001"] == "牵头" and list(assigned.values()).count("责任") == 1
    assert [who for who, _ in demo.audit("assign")][len(before):] == ["tongji", "tongji"]


def test_another_districts_plan_lists_its_unmatched_units_until_mapped(app_client: TestClient, database_url: str,
                                                                       tmp_path: Path) -> None:
    database = Database(database_url)
    with database.session() as session:
        plan_import.import_file(session, plan_file(tmp_path, "云岭县"))
    database.dispose()
    demo = Demo(database_url)
    plan = demo.plan_id("云岭县")
    assert demo.assigned(plan, "QC-WJW") == {}  # 县卫生健康委 is not 青川区卫生健康委员会
    token = login(app_client, "admin")
    page = app_client.get(f"/plans/{plan}/assignments")
    assert page.status_code == 200 and 'id="region-missing"' in page.text and "未匹配的责任单位（3）" in page.text
    assert "<td>县卫生健康委</td><td class=\"num\">3</td>" in page.text
    assert page.text.count("未分工") >= 4  # no indicator went to 青川区's departments

    mapped = app_client.post(f"/plans/{plan}/unit-names/map", data={
        "printed_name": "县卫生健康委", "unit": "青川区卫生健康委员会", "csrf_token": token})
    assert mapped.status_code == 200 and "名称已对应，新增 3 项分工" in mapped.text
    assert "未匹配的责任单位（2）" in mapped.text
    assert demo.assigned(plan, "QC-WJW") == {"I001": "牵头", "I002": "牵头", "I003": "牵头"}
    assert demo.audit("map_unit_name")[0][0] == "admin"

    no_region = app_client.post(f"/plans/{plan}/unit-names/create", data={
        "printed_name": "县教委", "code": "YL-JW", "name": "云岭县教育委员会", "csrf_token": token})
    assert no_region.status_code == 422 and "请先设置所属地区" in no_region.text
