"""A reporting round through files: template → filled by the unit → submitted → reviewed →
exported to CSV, DHIS2 and SDMX-CSV, and the refusals that leave the database unchanged."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planwatch.monitor.exchange import (
    ExchangeError,
    ExchangeRow,
    from_data_value_set,
    read_csv,
    read_template,
)
from planwatch.monitor.exchange.xlsx_template import DATA_SHEET, HEADER
from tests.db.exchange_district import db, run_cli

__all__ = ["db"]  # the fixture


def _fill(path: Path, values: dict[str, str]) -> None:
    book = load_workbook(path)
    sheet = book[DATA_SHEET]
    for row in sheet.iter_rows(min_row=4):
        if row[0].value in values:
            row[HEADER.index("本期数值")].value = values[str(row[0].value)]
            row[HEADER.index("数据来源")].value = "林业统计年报"
    book.save(path)


def _forest_code(db: str) -> str:
    listing = run_cli(db, "assign")
    line = next(line for line in listing.splitlines() if "森林覆盖率" in line)
    return next(part.strip() for part in line.split("│") if part.strip().startswith("I"))


def test_template_fill_submit_review_export(db: str, tmp_path: Path) -> None:
    template = tmp_path / "lyj_2025.xlsx"
    assert "1 个指标" in run_cli(db, "template", "--org-unit", "区林业局", "--period", "2025", "-o", str(template))
    book = load_workbook(template)
    sheet = book[DATA_SHEET]
    assert sheet.protection.sheet and sheet["A4"].protection.locked and not sheet["L4"].protection.locked
    assert sheet.data_validations.dataValidation and "_planwatch" in book.sheetnames
    assert book["_planwatch"].sheet_state == "hidden" and "1.2万" in str(book["填报说明"]["A3"].value)
    code = str(sheet["A4"].value)
    assert sheet["C4"].value == "森林覆盖率" and code == _forest_code(db)

    _fill(template, {code: "49.6%"})
    assert "1 个数值已报送" in run_cli(db, "submit", str(template), "--as", "lyj")
    assert "49.6%" in run_cli(db, "review", "list", "--period", "2025")
    assert "不能执行" in run_cli(db, "submit", str(template), "--as", "lyj", code=2)  # already submitted
    assert "1 条数据已审核通过" in run_cli(db, "review", "approve", "--period", "2025")

    exported = tmp_path / "data.csv"
    assert "1 条数据" in run_cli(db, "export", "-o", str(exported))
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")
    (row,) = read_csv(exported)
    assert (row.indicator, row.org_unit, row.period, row.value, row.state) == (code, "QC-LYJ", "2025", "49.6%",
                                                                               "approved")
    dhis2 = tmp_path / "data.json"
    run_cli(db, "export", "--format", "dhis2", "-o", str(dhis2))
    payload = json.loads(dhis2.read_text(encoding="utf-8"))
    assert payload["dataValues"][0]["categoryOptionCombo"] == "default"
    assert from_data_value_set(dhis2)[0].value == "49.6%"
    sdmx = tmp_path / "data.sdmx.csv"
    run_cli(db, "export", "--format", "sdmx", "-o", str(sdmx))
    with sdmx.open(encoding="utf-8") as stream:
        (record,) = list(csv.DictReader(stream))
    assert (record["FREQ"], record["TIME_PERIOD"], record["OBS_VALUE"], record["OBS_STATUS"], record["SEX"]) == (
        "A", "2025", "49.6", "A", "_T")


def test_refusals_change_nothing(db: str, tmp_path: Path) -> None:
    template = tmp_path / "lyj_2025.xlsx"
    run_cli(db, "template", "--org-unit", "QC-LYJ", "--period", "2025", "-o", str(template))
    code = _forest_code(db)
    _fill(template, {code: "about fifty"})
    output = run_cli(db, "submit", str(template), "--as", "lyj", code=2)
    assert "工作表「填报」单元格 L4（指标「森林覆盖率」）本期数值" in output and "about fifty" in output
    _fill(template, {code: "49.6"})
    assert "不是 QC-WJW 的" in run_cli(db, "submit", str(template), "--as", "wjw", code=2)

    other_unit = tmp_path / "other.csv"
    other_unit.write_text(f"indicator,org_unit,period,value\n{code},QC-LYJ,2025,50\n", encoding="utf-8")
    assert "只能操作本单位数据" in run_cli(db, "submit", str(other_unit), "--as", "wjw", code=2)
    malformed = tmp_path / "bad.csv"
    malformed.write_text("指标代码,单位代码,期间,数值,性别\nI999,QC-LYJ,2025年,50,女\n", encoding="gb18030")
    output = run_cli(db, "submit", str(malformed), "--as", "lyj", code=2)
    assert "第 2 行「period」" in output and "第 2 行「sex」" in output
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("indicator,org_unit,period,value\nI999,QC-LYJ,2025,50\n", encoding="utf-8")
    assert "没有指标代码「I999」" in run_cli(db, "submit", str(unknown), "--as", "lyj", code=2)
    run_cli(db, "periods", "lock", "--year", "2025")
    good = tmp_path / "good.csv"
    good.write_text(f"indicator,org_unit,period,value\n{code},QC-LYJ,2025,50\n", encoding="utf-8")
    assert "已锁定" in run_cli(db, "submit", str(good), "--as", "lyj", code=2)
    export = tmp_path / "after.csv"
    assert "0 条数据" in run_cli(db, "export", "-o", str(export))


def test_codecs_report_every_bad_cell(tmp_path: Path) -> None:
    not_xlsx = tmp_path / "fake.xlsx"
    not_xlsx.write_text("hello", encoding="utf-8")
    with pytest.raises(ExchangeError, match=r"不是有效的 \.xlsx 文件"):
        read_template(not_xlsx)
    with pytest.raises(ExchangeError) as caught:
        from_data_value_set({"period": "2025", "dataValues": [
            {"dataElement": "I001", "orgUnit": "QC", "value": "5"},
            {"dataElement": "I002", "value": "6", "categoryOptionCombo": "gender=x"},
            {"dataElement": "I003", "orgUnit": "QC", "value": True}]})
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "orgUnit"), (2, "categoryOptionCombo"), (3, "value")]
    rows = from_data_value_set({"period": "2025Q1", "orgUnit": "QC", "dataValues": [
        {"dataElement": "I001", "value": 5, "categoryOptionCombo": "sex=female;age=0-17"}]})
    assert rows == [ExchangeRow(indicator="I001", org_unit="QC", period="2025Q1", value="5", sex="female",
                                age_group="0-17")]
