"""Issue 15, item 1: the administrator's org-unit page on the demo database — the tree,
adding, editing, deactivating, importing a table; other roles refused; every change audited."""

from __future__ import annotations

import io

import httpx
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from planwatch.store import Database
from planwatch.store.models import AuditEvent, OrgUnit
from tests.web.client import login


def _units(database_url: str) -> dict[str, OrgUnit]:
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            units = {u.code: u for u in session.scalars(select(OrgUnit))}
            session.expunge_all()
            return units
    finally:
        database.dispose()


def _audit(database_url: str, entity: str) -> list[tuple[str, str, dict[str, object] | None]]:
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            return [(e.action, e.actor_login, e.new) for e in session.scalars(
                select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id))]
    finally:
        database.dispose()


def _count(database_url: str) -> int:
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            return session.scalar(select(func.count()).select_from(OrgUnit)) or 0
    finally:
        database.dispose()


def test_clerks_and_viewers_are_refused(app_client: TestClient, database_url: str) -> None:
    before = _count(database_url)
    for name in ("fgw", "lingdao", "pinggu"):
        token = login(app_client, name)
        assert app_client.get("/admin/orgunits").status_code == 403
        assert 'href="/admin/orgunits"' not in app_client.get("/dashboard").text
        refused = app_client.post("/admin/orgunits", data={"code": "X1", "name": "某单位", "kind": "department",
                                                           "csrf_token": token})
        assert refused.status_code == 403
    assert _count(database_url) == before


def test_a_post_without_the_csrf_token_is_refused(app_client: TestClient, database_url: str) -> None:
    login(app_client, "admin")
    before = _count(database_url)
    response = app_client.post("/admin/orgunits", data={"code": "X1", "name": "某单位", "kind": "department"})
    assert response.status_code == 403
    assert _count(database_url) == before


def test_the_administrator_adds_edits_and_deactivates_a_unit(app_client: TestClient, database_url: str) -> None:
    token = login(app_client, "admin")
    page = app_client.get("/admin/orgunits")
    assert page.status_code == 200 and 'href="/admin/orgunits"' in page.text
    assert "青川区卫生健康委员会" in page.text and "区卫生健康委" in page.text
    district = _units(database_url)["QC"]

    added = app_client.post("/admin/orgunits", data={
        "code": "QC-YJJ", "name": "青川区应急管理局", "short_name": "区应急局", "kind": "department",
        "parent": "青川区", "csrf_token": token}, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"].endswith(f"branch={district.id}")
    unit = _units(database_url)["QC-YJJ"]
    assert (unit.name, unit.short_name, unit.kind, unit.parent_id, unit.active) == (
        "青川区应急管理局", "区应急局", "department", district.id, True)

    clash = app_client.post("/admin/orgunits", data={"code": "QC-X", "name": "青川区应急管理局", "kind": "department",
                                                     "csrf_token": token})
    assert clash.status_code == 422 and "名称：「青川区应急管理局」已被单位 QC-YJJ" in clash.text
    blank = app_client.post("/admin/orgunits", data={"code": " ", "name": "某局", "kind": "department",
                                                     "csrf_token": token})
    assert blank.status_code == 422 and "代码：不能为空" in blank.text

    edited = app_client.post(f"/admin/orgunits/{unit.id}", data={
        "name": "青川区应急管理委员会", "short_name": "区应急委", "kind": "department", "parent": district.code,
        "csrf_token": token})
    assert edited.status_code == 200 and "单位已修改" in edited.text
    cycle = app_client.post(f"/admin/orgunits/{district.id}", data={
        "name": "青川区", "kind": "district", "parent": "青川区应急管理委员会", "csrf_token": token})
    assert cycle.status_code == 422 and "上级单位不能是本单位或其下级单位" in cycle.text
    unknown = app_client.post(f"/admin/orgunits/{unit.id}", data={
        "name": "青川区应急管理委员会", "kind": "department", "parent": "没有这个单位", "csrf_token": token})
    assert unknown.status_code == 422 and "没有名称或代码为「没有这个单位」的单位" in unknown.text

    off = app_client.post(f"/admin/orgunits/{unit.id}/active", data={"active": "off", "csrf_token": token})
    assert off.status_code == 200 and "单位已停用" in off.text
    assert not _units(database_url)["QC-YJJ"].active
    app_client.post(f"/admin/orgunits/{unit.id}/active", data={"active": "on", "csrf_token": token})
    assert _units(database_url)["QC-YJJ"].name == "青川区应急管理委员会"

    trail = _audit(database_url, "org_units")
    assert [(action, who) for action, who, _ in trail[-4:]] == [
        ("create", "admin"), ("update", "admin"), ("deactivate", "admin"), ("activate", "admin")]
    assert trail[-3][2] is not None and trail[-3][2]["short_name"] == "区应急委"


def _upload(client: TestClient, token: str, name: str, content: bytes) -> httpx.Response:
    return client.post("/admin/orgunits/import", data={"csrf_token": token},
                       files={"file": (name, content, "application/octet-stream")})


def test_a_bad_table_lists_every_bad_row_and_stores_nothing(app_client: TestClient, database_url: str) -> None:
    token = login(app_client, "admin")
    before, trail = _count(database_url), _audit(database_url, "org_units")
    table = ("代码,名称,类型,上级代码,简称\n"
             "QC-A,青川区甲局,部门,QC,区甲局\n"
             ",青川区乙局,部门,QC,\n"
             "QC-C,青川区丙局,委员会,QC,\n").encode()
    response = _upload(app_client, token, "units.csv", table)
    assert response.status_code == 422
    assert "第 3 行「代码」为空" in response.text
    assert "第 4 行「类型」应为 区、部门、镇、街道 或 其他，实际为「委员会」" in response.text
    assert "/tmp" not in response.text  # the temporary copy is not the user's file name
    unknown_parent = _upload(app_client, token, "units.csv", "代码,名称,类型,上级代码\nQC-A,青川区甲局,部门,XX\n".encode())
    assert unknown_parent.status_code == 422 and "上级「XX」不存在" in unknown_parent.text
    wrong_type = _upload(app_client, token, "units.txt", b"x")
    assert wrong_type.status_code == 422 and ".csv 或 .xlsx" in wrong_type.text
    assert _count(database_url) == before
    assert _audit(database_url, "org_units") == trail


def test_an_xlsx_table_is_imported(app_client: TestClient, database_url: str) -> None:
    token = login(app_client, "admin")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in (["代码", "名称", "类型", "上级代码", "简称"], ["QC-GXJ", "青川区规划和自然资源局", "部门", "QC", "区规划自然资源局"],
                ["QC-HSZ", "红石镇", "镇", "QC", ""]):
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    assert load_workbook(io.BytesIO(data.getvalue())).worksheets[0]["B2"].value == "青川区规划和自然资源局"
    response = _upload(app_client, token, "机构.xlsx", data.getvalue())
    assert response.status_code == 200 and "组织机构表已导入" in response.text
    units = _units(database_url)
    assert units["QC-HSZ"].kind == "town" and units["QC-GXJ"].parent_id == units["QC"].id
    assert ("import", "admin", {"created": 2, "updated": 0}) in _audit(database_url, "org_units")


def test_a_large_tree_is_shown_a_branch_and_a_page_at_a_time(app_client: TestClient, database_url: str) -> None:
    """130 units under one department: the page shows one branch, fifty rows at a time, and
    finds a unit by name with its parent; its size follows what it shows."""
    token = login(app_client, "admin")
    department = _units(database_url)["QC-WJW"]
    database = Database(database_url)
    try:
        with database.session() as session:
            session.add_all(OrgUnit(code=f"QC-V{n:03d}", name=f"青川区基层卫生站{n:03d}", kind="other",
                                    parent_id=department.id) for n in range(130))
    finally:
        database.dispose()
    top = app_client.get("/admin/orgunits").text  # one district: its own units are shown
    assert f'data-code="{department.code}"' in top and "展开 130 个" in top and "青川区基层卫生站" not in top
    branch = app_client.get(f"/admin/orgunits?branch={department.id}")
    assert branch.text.count('data-code="QC-V') == 50 and "第 1 / 3 页，共 130 条" in branch.text
    assert 'value="青川区卫生健康委员会"' in branch.text  # a unit added here goes under this branch
    last = app_client.get(f"/admin/orgunits?branch={department.id}&page=3").text
    assert last.count('data-code="QC-V') == 30 and 'data-code="QC-V129"' in last
    found = app_client.get("/admin/orgunits", params={"q": "卫生站012"}).text
    assert 'data-code="QC-V012"' in found and found.count('data-code="QC-V') == 1 and "青川区卫生健康委员会" in found
    assert len(branch.content) < 60_000
    suggested = app_client.get("/suggest/units", params={"q": "卫生站00"})
    assert suggested.text.count("<option") == 10 and 'value="青川区基层卫生站009"' in suggested.text
    assert token
