"""The Excel round trip on the entry page, through the app as a browser would send it:
download the unit's template, fill it with openpyxl, upload it; a bad cell stores nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from planwatch.monitor.exchange.ledger_sheets import TASK_SHEET
from planwatch.monitor.exchange.xlsx_template import DATA_SHEET, HELP_SHEET, META_SHEET
from planwatch.services import ledger_edits
from planwatch.store import Database
from planwatch.store.models import (
    Indicator,
    Observation,
    ObservationRevision,
    OrgUnit,
    Plan,
    ReportingPeriod,
    User,
)
from tests.web.client import login
from tests.web.excel_helpers import column, fill, open_period, reportable, rows_by_code

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _snapshot(url: str) -> list[tuple[int, int, str, int]]:
    """Every figure's slot, state and revision: what an upload that stores nothing leaves as it was."""
    database = Database(url)
    with database.session(readonly=True) as session:
        found = [tuple(r) for r in session.execute(select(Observation.id, Observation.indicator_id, Observation.state,
                                                          Observation.current_revision).order_by(Observation.id))]
    database.dispose()
    return found  # type: ignore[return-value]


def _upload(client: TestClient, token: str, path: Path, *, submit: bool = False) -> str:
    form = {"csrf_token": token, **({"submit": "1"} if submit else {})}
    response = client.post("/entry/upload", data=form, files={"file": (path.name, path.read_bytes(), XLSX)})
    return f"{response.status_code}\n{response.text}"


def test_template_download_states_targets_baseline_last_value_and_deadline(app_client: TestClient,
                                                                           database_url: str) -> None:
    login(app_client, "tongji")
    period_id, code = open_period(database_url)
    database = Database(database_url)
    with database.session(readonly=True) as session:
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == "QC-TJJ")).one()
        plan = session.scalars(select(Plan)).one()
        indicators = {i.code: i for i in plan.indicators}
        expected = {c: (i.baseline_year, i.baseline_text, i.targets[-1].year, i.targets[-1].text)
                    for c, i in indicators.items()}
        unit_id, plan_key = unit.id, plan.plan_key
        last_year = {code: text for code, text in session.execute(
            select(Indicator.code, ObservationRevision.value_text)
            .join(Observation, Observation.indicator_id == Indicator.id)
            .join(ObservationRevision, (ObservationRevision.observation_id == Observation.id)
                  & (ObservationRevision.revision == Observation.current_revision))
            .join(ReportingPeriod, ReportingPeriod.id == Observation.period_id)
            .where(Observation.org_unit_id == unit.id, ReportingPeriod.code == str(int(code) - 1)))}
    database.dispose()
    response = app_client.get(f"/entry/template?period={period_id}&unit={unit_id}")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    meta = {r[0]: r[1] for r in book[META_SHEET].iter_rows(values_only=True)}
    assert (meta["plan_key"], meta["org_unit"], meta["period"], meta["template_version"]) == (
        plan_key, "QC-TJJ", code, "2")
    assert book[META_SHEET].sheet_state == "hidden" and book[META_SHEET].protection.sheet
    assert re.search(r"截止时间：\d{4}-\d{2}-\d{2}", str(book[DATA_SHEET]["A2"].value))
    rows = rows_by_code(response.content)
    assert rows
    for row_code, row in rows.items():
        baseline_year, baseline, target_year, target = expected[row_code]
        assert (row[column("基期年份")], row[column("基期值")] or None) == (baseline_year, baseline)
        assert (row[column("目标年份")], row[column("目标值")]) == (target_year, target)
        assert row[column("填报要求")]  # what to enter, a level's too
    assert last_year and {c: row[column("上年数值")] for c, row in rows.items() if c in last_year} == last_year
    help_text = "\n".join(str(r[0]) for r in book[HELP_SHEET].iter_rows(values_only=True))
    assert "数据填报" in help_text and "planwatch submit" in help_text and meta["deadline"] in help_text


def test_upload_of_a_filled_template_stores_the_values_and_shows_them(app_client: TestClient, database_url: str,
                                                                     tmp_path: Path) -> None:
    token = login(app_client, "lyj")
    period_id, _ = open_period(database_url)
    (indicator,) = reportable(database_url, "lyj")
    page = app_client.get("/entry").text
    assert "/entry/template" in page and 'action="/entry/upload"' in page
    template = app_client.get(f"/entry/template?period={period_id}")
    assert template.status_code == 200
    before = set(_snapshot(database_url))
    drafts = _upload(app_client, token, fill(template.content, {indicator.code: "51.2"}, tmp_path / "lyj.xlsx"))
    assert drafts.startswith("200") and "已导入 1 个数值，均保存为草稿" in drafts  # unticked: drafts to check
    assert 'value="51.2"' in drafts[drafts.index(indicator.name):]  # the entry form shows it, editable
    (changed,) = set(_snapshot(database_url)) - before
    assert changed[1:3] == (indicator.id, "draft")
    again = fill(template.content, {indicator.code: "51.3"}, tmp_path / "lyj2.xlsx")
    answer = _upload(app_client, token, again, submit=True)  # 直接报送 ticked
    assert answer.startswith("200") and "已导入 1 个数值，其中 1 个已报送" in answer
    (changed,) = set(_snapshot(database_url)) - before
    assert changed[1:3] == (indicator.id, "submitted")


def test_one_bad_cell_names_the_cell_and_stores_nothing(app_client: TestClient, database_url: str,
                                                        tmp_path: Path) -> None:
    token = login(app_client, "lyj")
    period_id, _ = open_period(database_url)
    (indicator,) = reportable(database_url, "lyj")
    template = app_client.get(f"/entry/template?period={period_id}").content
    row = 4 + list(rows_by_code(template)).index(indicator.code)
    before = _snapshot(database_url)
    answer = _upload(app_client, token, fill(template, {indicator.code: "n/a"}, tmp_path / "bad.xlsx"))
    assert answer.startswith("422") and "没有保存任何数值" in answer
    assert f"<td>{DATA_SHEET}</td><td>L{row}</td><td>{indicator.name}</td>" in answer and "不是数值" in answer
    share = _upload(app_client, token, fill(template, {indicator.code: "150"}, tmp_path / "share.xlsx"))
    assert share.startswith("422") and f"<td>L{row}</td>" in share and "0–100" in share  # the service's rule
    assert _snapshot(database_url) == before


def test_a_clerk_cannot_upload_another_units_template(app_client: TestClient, database_url: str,
                                                      tmp_path: Path) -> None:
    period_id, _ = open_period(database_url)
    login(app_client, "tongji")
    database = Database(database_url)
    with database.session(readonly=True) as session:
        wjw = session.scalars(select(OrgUnit).where(OrgUnit.code == "QC-WJW")).one().id
    database.dispose()
    other = app_client.get(f"/entry/template?period={period_id}&unit={wjw}").content
    code = next(iter(rows_by_code(other)))
    token = login(app_client, "lyj")
    before = _snapshot(database_url)
    answer = _upload(app_client, token, fill(other, {code: "1"}, tmp_path / "wjw.xlsx"))
    assert answer.startswith("422") and "不是 QC-LYJ 的" in answer
    assert _snapshot(database_url) == before
    assert app_client.get(f"/entry/template?period={period_id}&unit={wjw}").content != other  # always its own


def test_upload_is_refused_before_the_body_is_read(app_client: TestClient) -> None:
    response = app_client.post("/entry/upload", files={"file": ("x.xlsx", b"PK", XLSX)}, follow_redirects=False)
    assert response.status_code in (303, 401)
    token = login(app_client, "lyj")
    huge = app_client.post("/entry/upload", data={"csrf_token": token},
                           files={"file": ("big.xlsx", b"0" * (6 * 1024 * 1024), XLSX)})
    assert huge.status_code == 413


def test_an_administrator_downloads_any_units_template_but_enters_nothing(app_client: TestClient,
                                                                         database_url: str) -> None:
    login(app_client, "admin")
    page = app_client.get("/entry")
    assert page.status_code == 200 and 'id="template-download"' in page.text
    assert 'name="unit"' in page.text and "/entry/upload" not in page.text and "entry-row" not in page.text
    period_id, _ = open_period(database_url)
    unit = page.text.split('<option value="', 2)[2].split('"', 1)[0]  # the second select: the units
    template = app_client.get(f"/entry/template?period={period_id}&unit={unit}")
    assert template.status_code == 200 and template.headers["content-type"] == XLSX
    login(app_client, "lingdao")
    assert app_client.get("/entry").status_code == 403


def _lead_two_tasks(url: str, unit_code: str) -> None:
    """Two ledger tasks led by the unit, added as the administrator's ledger page would."""
    database = Database(url)
    with database.session() as session:
        admin = session.scalars(select(User).where(User.login == "admin")).one()
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == unit_code)).one()
        plan = session.scalars(select(Plan)).one()
        for title in ("建设林草防火监测网络", "推进国家储备林项目"):
            ledger_edits.add_task(session, admin, plan.id, ledger_edits.TaskFields(title=title, units=[(unit.id, "牵头")]))
    database.dispose()


def test_upload_message_counts_the_task_reports_of_the_ledger_sheets(app_client: TestClient, database_url: str,
                                                                     tmp_path: Path) -> None:
    _lead_two_tasks(database_url, "QC-LYJ")
    token = login(app_client, "lyj")
    period_id, _ = open_period(database_url)
    template = app_client.get(f"/entry/template?period={period_id}")
    path = tmp_path / "lyj.xlsx"
    book = load_workbook(io.BytesIO(template.content))
    tasks = book[TASK_SHEET]
    assert (tasks["B2"].value, tasks["B3"].value) == ("建设林草防火监测网络", "推进国家储备林项目")
    tasks["E2"], tasks["F2"], tasks["G2"] = "推进中", 30, "完成监测点选址"
    tasks["E3"], tasks["G3"] = "滞后", "资金尚未落实"
    book.save(path)
    answer = _upload(app_client, token, path)
    assert answer.startswith("200") and "另有 2 条重点任务/重大项目进展报告" in answer
