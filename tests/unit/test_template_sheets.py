"""Further sheets plug into the fill-in template: written with it, read back with it, and a
bad cell on any sheet refuses the whole file."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from planwatch.monitor.exchange import (
    CellProblem,
    ExchangeError,
    TemplateIdentity,
    TemplateIndicator,
    read_template,
    write_template,
)
from planwatch.monitor.exchange.xlsx_template import DATA_SHEET, HEADER

IDENTITY = TemplateIdentity("青川区规划", "青川区规划", "QC-LYJ", "区林业局", "2025", "2026-03-01")


class ProgressSheet:
    """A stand-in for the ledger's task sheet: one progress figure in B2."""

    name = "任务进展"

    def write(self, book: Workbook, identity: TemplateIdentity) -> None:
        sheet = book.create_sheet(self.name)
        sheet.append(["任务", "完成百分比"])
        sheet.append([f"{identity.org_unit_name}的任务", None])

    def read(self, book: Workbook, identity: TemplateIdentity) -> tuple[object, list[CellProblem]]:
        value = book[self.name]["B2"].value
        if isinstance(value, int | float):
            return float(value), []
        return None, [CellProblem(2, "完成百分比", f"「{value}」不是数值", sheet=self.name, cell="B2")]


def _filled(path: Path, progress: object, value: object) -> Path:
    write_template(path, IDENTITY, [TemplateIndicator("I001", "森林覆盖率", "%", target="≥50", target_year=2025)],
                   [ProgressSheet()])
    book = load_workbook(path)
    book[ProgressSheet.name]["B2"] = progress
    book[DATA_SHEET].cell(row=4, column=HEADER.index("本期数值") + 1, value=value)
    book.save(path)
    return path


def test_a_further_sheet_is_written_and_read_back_with_the_template(tmp_path: Path) -> None:
    filled = read_template(_filled(tmp_path / "t.xlsx", 40, 49.5), sheets=[ProgressSheet()])
    assert filled.identity == IDENTITY
    assert [(r.indicator, r.value, r.cell) for r in filled.rows] == [("I001", "49.5", "填报!L4")]
    assert filled.extras == {"任务进展": 40.0}


def test_a_bad_cell_on_any_sheet_refuses_the_file_with_every_problem(tmp_path: Path) -> None:
    with pytest.raises(ExchangeError) as refused:
        read_template(_filled(tmp_path / "t.xlsx", "四成", "n/a"), sheets=[ProgressSheet()])
    assert [(p.sheet, p.cell) for p in refused.value.problems] == [("填报", "L4"), ("任务进展", "B2")]
    assert "工作表「任务进展」单元格 B2" in str(refused.value)


def test_a_template_of_another_version_is_refused(tmp_path: Path) -> None:
    path = _filled(tmp_path / "t.xlsx", 40, 49.5)
    book = load_workbook(path)
    book["_planwatch"]["B1"] = "1"
    book.save(path)
    with pytest.raises(ExchangeError, match=r"第 1 版填报模板.*请重新下载"):
        read_template(path, sheets=[ProgressSheet()])
