"""The import history and the audit browser, through the app as the office uses them."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import select

from planwatch.services import import_history
from planwatch.services.audit_log import PAGE_SIZE
from planwatch.store import Database
from planwatch.store.models import AuditEvent, ImportRecord, OrgUnit, User
from tests.web.client import login
from tests.web.excel_helpers import fill, open_period, reportable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _records(url: str) -> list[ImportRecord]:
    database = Database(url)
    with database.session(readonly=True) as session:
        found = list(session.scalars(select(ImportRecord).order_by(ImportRecord.id)))
        session.expunge_all()
    database.dispose()
    return found


def _rows(html: str, table: str) -> list[list[str]]:
    body = BeautifulSoup(html, "html.parser").find("table", id=table)
    assert body is not None, html[:500]
    return [[" ".join(td.get_text(" ").split()) for td in tr.find_all("td", recursive=False)]
            for tr in body.find("tbody").find_all("tr", recursive=False)]


def test_template_uploads_refused_and_imported_are_both_in_the_history(app_client: TestClient, database_url: str,
                                                                       tmp_path: Path) -> None:
    token = login(app_client, "lyj")
    period_id, _ = open_period(database_url)
    (indicator,) = reportable(database_url, "lyj")
    template = app_client.get(f"/entry/template?period={period_id}").content
    bad = fill(template, {indicator.code: "n/a"}, tmp_path / "林业局报表（错）.xlsx")
    refused = app_client.post("/entry/upload", data={"csrf_token": token, "submit": "1"},
                              files={"file": (bad.name, bad.read_bytes(), XLSX)})
    assert refused.status_code == 422
    good = fill(template, {indicator.code: "51.2"}, tmp_path / "林业局报表.xlsx")
    assert app_client.post("/entry/upload", data={"csrf_token": token, "submit": "1"},
                           files={"file": (good.name, good.read_bytes(), XLSX)}).status_code == 200
    empty = app_client.post("/entry/upload", data={"csrf_token": token},
                            files={"file": ("空表.xlsx", b"", XLSX)})
    assert empty.status_code == 422
    first, second, third = _records(database_url)[-3:]
    assert (first.file_name, first.outcome, first.channel) == (bad.name, "refused", "template_upload")
    assert any("不是数值" in p for p in first.problems) and first.org_unit_id is not None
    assert (second.outcome, second.summary) == ("imported", "1 个数值，其中报送 1 个")
    assert third.outcome == "refused" and third.problems == ["文件是空的"]

    assert app_client.get("/records/imports").status_code == 403  # a clerk does not read the history
    app_client.cookies.clear()
    login(app_client, "tongji")
    page = app_client.get("/records/imports")
    rows = _rows(page.text, "import-history")
    assert [r[3].split(" ")[0] for r in rows[:3]] == ["空表.xlsx", good.name, bad.name]
    assert "被拒绝" in rows[2][5] and "不是数值" in rows[2][6] and "林业局" in rows[2][1] + rows[2][4]
    refused_only = _rows(app_client.get("/records/imports", params={"outcome": "refused"}).text, "import-history")
    assert len(refused_only) == 2
    by_name = _rows(app_client.get("/records/imports", params={"q": "（错）"}).text, "import-history")
    assert len(by_name) == 1


def test_org_unit_table_refusals_list_every_bad_row(app_client: TestClient, database_url: str) -> None:
    token = login(app_client, "admin")
    table = "代码,名称,类型,上级代码\nX1,,部门,\nX2,,部门,\n".encode()
    answer = app_client.post("/admin/orgunits/import", data={"csrf_token": token},
                             files={"file": ("机构.csv", table, "text/csv")})
    assert answer.status_code == 422
    (record,) = [r for r in _records(database_url) if r.channel == "org_units" and r.file_name == "机构.csv"]
    assert record.outcome == "refused" and len(record.problems) >= 2 and record.actor_login == "admin"
    page = app_client.get("/records/imports", params={"channel": "org_units"}).text
    assert "组织机构表" in page and "机构.csv" in page


def test_the_audit_browser_filters_by_person_unit_object_and_date(app_client: TestClient, database_url: str) -> None:
    login(app_client, "pinggu")
    everything = app_client.get("/records/audit")
    assert everything.status_code == 200
    assert re.search(r"第 1/(\d+) 页，共 (\d+) 条", everything.text)
    assert len(_rows(everything.text, "audit-events")) == PAGE_SIZE
    second = app_client.get("/records/audit", params={"page": 2})
    assert second.status_code == 200 and "第 2/" in second.text
    database = Database(database_url)
    with database.session(readonly=True) as session:
        tongji = session.scalars(select(User).where(User.login == "tongji")).one()
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "QC-LYJ")).one()
        approvals = session.scalars(select(AuditEvent).where(AuditEvent.actor_id == tongji.id)).all()
        first_day = min(e.at for e in session.scalars(select(AuditEvent))).date()
        tongji_id, unit_id, unit_name = tongji.id, unit.id, unit.name
    database.dispose()
    by_person = app_client.get("/records/audit", params={"who": tongji_id, "action": "approve"}).text
    assert f"共 {sum(e.action == 'approve' for e in approvals)} 条" in by_person
    rows = _rows(by_person, "audit-events")
    assert rows and all(r[2] == "审核通过" for r in rows)
    assert any("已报送 → 已审核" in " ".join(r[4].split()) for r in rows)  # the state, before and after, in words
    by_unit = _rows(app_client.get("/records/audit", params={"unit": unit_id, "entity": "observations"}).text,
                    "audit-events")
    assert by_unit and all(unit_name in r[3] for r in by_unit)
    nothing = app_client.get("/records/audit", params={"until": str(first_day.replace(year=first_day.year - 1))})
    assert "没有符合条件的记录" in nothing.text
    bad_date = app_client.get("/records/audit", params={"since": "昨天"})
    assert bad_date.status_code == 422 and "起始日期" in bad_date.text and "应为日期" in bad_date.text


def test_one_objects_history_from_its_row(app_client: TestClient) -> None:
    login(app_client, "admin")
    page = app_client.get("/records/audit", params={"entity": "observations"}).text
    link = re.search(r'href="(/records/audit\?entity=observations&amp;object=\d+)"', page)
    assert link is not None
    one = app_client.get(link.group(1).replace("&amp;", "&")).text
    rows = _rows(one, "audit-events")
    assert rows and len({r[3] for r in rows}) == 1 and "只显示" in one
    assert {r[2] for r in rows} <= {"填报", "报送", "审核通过", "退回", "重新打开"}


def test_clerks_and_leaders_do_not_see_the_records(app_client: TestClient) -> None:
    for login_name in ("wjw", "lingdao"):
        app_client.cookies.clear()
        login(app_client, login_name)
        assert app_client.get("/records/audit").status_code == 403
        assert app_client.get("/records/imports").status_code == 403
        assert "/records/imports" not in app_client.get("/dashboard").text


def test_a_refused_plan_upload_is_recorded_with_its_reason(app_client: TestClient, database_url: str) -> None:
    token = login(app_client, "tongji")
    answer = app_client.post("/documents", data={"csrf_token": token},
                             files={"file": ("公报.pdf", b"not a pdf at all", "application/pdf")})
    assert answer.status_code == 200  # the job page; the import fails in the background
    for _ in range(100):
        found = [r for r in _records(database_url) if r.file_name == "公报.pdf"]
        if found:
            break
        import time

        time.sleep(0.1)
    (record,) = found
    assert record.outcome == "refused" and record.channel == "web_upload"
    assert record.problems == ["不是 PDF 文档（文件开头没有 %PDF- 标记）"]
    wrong_type = app_client.post("/documents", data={"csrf_token": token},
                                 files={"file": ("表.exe", b"MZ", "application/octet-stream")})
    assert wrong_type.status_code == 422
    assert [r.outcome for r in _records(database_url) if r.file_name == "表.exe"] == ["refused"]


def test_problems_of_a_long_refusal_are_capped() -> None:
    from planwatch.monitor.exchange import CellProblem, ExchangeError

    error = ExchangeError("x.xlsx", [CellProblem(n, "本期数值", "不是数值") for n in range(2, 1002)])
    problems = import_history.problems_of(error)
    assert len(problems) == 501 and problems[-1] == "另有 500 处问题"
