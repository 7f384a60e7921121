"""The long table as an Excel workbook, for the office that works in Excel or WPS.

The same rows and order as the long CSV, with Chinese column titles, readable states,
sex and area, a frozen header and an auto filter; every text cell a string cell (no
formula injection), numbers as numbers where the value is one.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from planwatch.monitor.exchange.rows import ExchangeRow
from planwatch.numerals import parse_number
from planwatch.spreadsheet_safety import text_row

__all__ = ["XLSX_COLUMNS", "write_xlsx_long"]

XLSX_COLUMNS = ("指标代码", "指标名称", "单位代码", "单位名称", "报告期", "性别", "城乡", "年龄组", "数值", "填报值",
                "计量单位", "数据来源", "备注", "状态")
_WIDTHS = (9, 36, 12, 20, 9, 6, 6, 8, 12, 12, 10, 20, 20, 8)
_SEX = {"": "合计", "male": "男", "female": "女"}
_AREA = {"": "合计", "urban": "城镇", "rural": "乡村"}
_STATE = {"draft": "草稿", "submitted": "已报送", "approved": "已审核", "returned": "已退回"}


def write_xlsx_long(rows: Iterable[ExchangeRow], output: Path | BinaryIO, title: str = "监测数据") -> int:
    """Write the rows; returns how many. 数值 is the number read from the value (blank when the
    value is not one), 填报值 the value as entered (1.2万, 95%)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    text_row(sheet, XLSX_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        number = parse_number(row.value.rstrip("%‰")) if row.value else None
        text_row(sheet, [row.indicator, row.indicator_name, row.org_unit, row.org_unit_name, row.period,
                         _SEX.get(row.sex, row.sex), _AREA.get(row.area, row.area), row.age_group or "合计",
                         number, row.value, row.unit, row.source, row.note, _STATE.get(row.state, row.state)])
        count += 1
    for n, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(XLSX_COLUMNS))}{count + 1}"
    book.save(output)
    return count
