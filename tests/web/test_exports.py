"""Bulk export from the web: every data format and report, as the office downloads them."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from planwatch.monitor.exchange.xlsx_long import XLSX_COLUMNS
from tests.web.client import login


def _plan_id(client: TestClient) -> int:
    found = re.search(r'name="plan" value="(\d+)"', client.get("/exports").text)
    assert found
    return int(found.group(1))


def _filename(response: object) -> str:
    disposition = response.headers["content-disposition"]  # type: ignore[attr-defined]
    return unquote(disposition.split("filename*=utf-8''")[1])


def test_every_data_format_downloads_the_plans_values(app_client: TestClient) -> None:
    login(app_client, "tongji")
    page = app_client.get("/exports")
    assert page.status_code == 200 and 'id="export-data"' in page.text and 'id="export-reports"' in page.text
    plan = _plan_id(app_client)
    approved = app_client.get("/exports/data", params={"plan": plan, "format": "csv", "scope": "approved"})
    assert approved.status_code == 200 and approved.content.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM
    assert _filename(approved).endswith("_全部报告期_已审核数据.csv")
    rows = list(csv.DictReader(io.StringIO(approved.content.decode("utf-8-sig"))))
    assert rows and {r["state"] for r in rows} == {"approved"}
    everything = app_client.get("/exports/data", params={"plan": plan, "format": "csv", "scope": "all"})
    all_rows = list(csv.DictReader(io.StringIO(everything.content.decode("utf-8-sig"))))
    assert len(all_rows) > len(rows) and {"submitted", "approved"} <= {r["state"] for r in all_rows}
    one_year = app_client.get("/exports/data", params={"plan": plan, "format": "csv", "scope": "all",
                                                       "period": all_rows[0]["period"]})
    assert {r["period"] for r in csv.DictReader(io.StringIO(one_year.content.decode("utf-8-sig")))} == \
           {all_rows[0]["period"]}

    excel = app_client.get("/exports/data", params={"plan": plan, "format": "xlsx", "scope": "all"})
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet is not None and tuple(c.value for c in sheet[1]) == XLSX_COLUMNS
    body = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(body) == len(all_rows) and {r[-1] for r in body} >= {"已审核", "已报送"}
    assert all(isinstance(r[8], float | int) for r in body if r[9] and str(r[9]).replace(".", "").isdigit())

    dhis2 = app_client.get("/exports/data", params={"plan": plan, "format": "dhis2", "scope": "approved"})
    assert len(json.loads(dhis2.content)["dataValues"]) == len(rows)
    sdmx = app_client.get("/exports/data", params={"plan": plan, "format": "sdmx", "scope": "approved"})
    assert sdmx.content.decode().startswith("DATAFLOW,FREQ,REF_AREA") and _filename(sdmx).endswith(".sdmx.csv")
    wrong = app_client.get("/exports/data", params={"plan": plan, "format": "pdf"})
    assert wrong.status_code == 422 and "格式" in wrong.text


def test_a_clerk_exports_its_own_units_values_only(app_client: TestClient) -> None:
    login(app_client, "wjw")
    plan = _plan_id(app_client)
    answer = app_client.get("/exports/data", params={"plan": plan, "format": "csv", "scope": "all"})
    units = {r["org_unit"] for r in csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")))}
    assert len(units) == 1


def test_the_dashboard_links_the_pdf_report(app_client: TestClient) -> None:
    login(app_client, "lingdao")
    dashboard = app_client.get("/dashboard").text
    link = re.search(r'href="(/plans/\d+/reports/annual\?year=\d+&amp;format=pdf)"', dashboard)
    assert link is not None and 'id="pdf-missing"' not in dashboard
    pdf = app_client.get(link.group(1).replace("&amp;", "&"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and _filename(pdf).endswith("年度监测报告.pdf")


def test_without_libreoffice_the_pages_say_so(app_client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a server without soffice on its PATH
    login(app_client, "lingdao")
    dashboard = app_client.get("/dashboard").text
    assert "format=pdf" not in dashboard and "未安装 LibreOffice" in dashboard
    exports = app_client.get("/exports").text
    assert 'id="pdf-missing"' in exports and "format=pdf" not in exports
