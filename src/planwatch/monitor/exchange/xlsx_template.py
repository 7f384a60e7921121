"""The per-unit Excel fill-in template (填报模板) and the import of a filled one.

Clerks work in Excel or WPS. The template lists the unit's indicators for one period with
everything but the three input columns locked, a numeric check on the value column, the
instructions in Chinese on their own sheet, and a hidden sheet saying which unit, period
and plan the file is for, so that a template filled for another unit or year is refused.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from planwatch.errors import InputError
from planwatch.ingest.containers import check_zip_container
from planwatch.monitor.exchange.rows import CellProblem, ExchangeError, ExchangeRow
from planwatch.numerals import parse_number
from planwatch.spreadsheet_safety import text_row

__all__ = ["DATA_SHEET", "TEMPLATE_VERSION", "TemplateIndicator", "read_template", "write_template"]

DATA_SHEET = "填报"
HELP_SHEET = "填报说明"
META_SHEET = "_planwatch"
TEMPLATE_VERSION = "1"
HEADER = ("指标代码", "领域", "指标名称", "计量单位", "属性", "上期数值", "本期数值", "数据来源", "备注")
_INPUT_COLUMNS = ("G", "H", "I")
_FIRST_ROW = 4  # title, period line, header, then data
_SUFFIXES = ("%", "％", "‰", "万", "亿")


@dataclass(frozen=True, slots=True)
class TemplateIndicator:
    code: str
    name: str
    unit: str = ""
    domain: str = ""
    attribute: str = ""
    last_value: str = ""
    entry_hint: str = ""  # what to enter when it is not a plain level (a growth rate, a reduction)


def write_template(path: Path, *, plan_title: str, org_unit: tuple[str, str], period: str,
                   indicators: Sequence[TemplateIndicator], deadline: str = "",
                   extra_sheets: Callable[[Workbook], None] | None = None) -> None:
    """``extra_sheets`` adds sheets after the indicators' (the unit's tasks and projects)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    text_row(sheet, [f"{plan_title} 监测数据填报表"])
    sheet["A1"].font = Font(bold=True, size=14)
    text_row(sheet, [f"填报单位：{org_unit[1]}（{org_unit[0]}）    报告期：{period}    截止时间：{deadline or '见通知'}"])
    text_row(sheet, HEADER)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for ind in indicators:
        text_row(sheet, [ind.code, ind.domain, ind.name, ind.unit, ind.attribute, ind.last_value, None, None, None])
    last = _FIRST_ROW + len(indicators) - 1
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    for row in range(_FIRST_ROW, last + 1):
        for column in _INPUT_COLUMNS:
            sheet[f"{column}{row}"].protection = Protection(locked=False)
            sheet[f"{column}{row}"].fill = input_fill
    for row, ind in enumerate(indicators, start=_FIRST_ROW):
        if ind.entry_hint:
            sheet[f"G{row}"].comment = Comment(ind.entry_hint, "PlanWatch", width=320, height=90)
    check = DataValidation(type="custom", allow_blank=True, showErrorMessage=True, showInputMessage=True,
                           formula1=f'OR(ISNUMBER(G{_FIRST_ROW}),ISNUMBER(--SUBSTITUTE(SUBSTITUTE(G{_FIRST_ROW},"%",""),"‰","")))')
    check.promptTitle, check.prompt = "本期数值", "填写数字，可带 %、‰ 或 万，如 95、95%、1.2万"
    check.errorTitle, check.error = "数值格式不对", "请填写数字，如 95、95%、1.2万、3‰"
    sheet.add_data_validation(check)
    if indicators:
        check.add(f"G{_FIRST_ROW}:G{last}")
    for column, width in zip("ABCDEFGHI", (10, 14, 36, 10, 8, 12, 12, 18, 20), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = f"A{_FIRST_ROW}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    if extra_sheets is not None:
        extra_sheets(book)
    _help_sheet(book, period, deadline, indicators)
    meta = book.create_sheet(META_SHEET)
    for key, value in (("template_version", TEMPLATE_VERSION), ("org_unit", org_unit[0]), ("period", period),
                       ("plan", plan_title), ("rows", str(len(indicators)))):
        text_row(meta, [key, value])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    book.save(path)


def _help_sheet(book: Workbook, period: str, deadline: str, indicators: Sequence[TemplateIndicator]) -> None:
    sheet = book.create_sheet(HELP_SHEET)
    lines = [
        "填报说明",
        f"1. 本表为报告期 {period} 的监测数据填报表，只填写黄色单元格：本期数值、数据来源、备注。",
        "2. 本期数值填写数字，可带单位符号：95、95%、1.2万、3‰；不要填写“约”“左右”等文字。",
        "3. 计量单位以“计量单位”列为准；百分比指标可填 95 或 95%。",
        "4. 暂无数据的指标留空，并在备注中说明原因。",
        "5. 表头和指标列已锁定，请勿增删行列或修改指标代码；本表只能由本单位导入。",
        f"6. 请于截止时间（{deadline or '见通知'}）前上传到监测数据网上报送系统，或交区统计局监测组。",
    ]
    rates = [ind for ind in indicators if ind.entry_hint]
    if rates:
        lines.append("7. 以下指标填比率，不填总量（本期数值单元格的批注也有说明）：")
        lines.extend(f"    {ind.code} {ind.name}：{ind.entry_hint}" for ind in rates)
    for line in lines:
        text_row(sheet, [line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 100


def read_template(path: Path, *, expected_org_unit: str | None = None,
                  expected_period: str | None = None) -> list[ExchangeRow]:
    """The filled values of a template; every problem is reported with its cell."""
    data = path.read_bytes() if path.is_file() else b""
    try:
        check_zip_container(path, data, suffix=".xlsx", main_part="xl/workbook.xml")
    except InputError as exc:
        raise ExchangeError(path, [CellProblem(0, "", f"不是有效的 .xlsx 文件（{exc.problem}）")]) from None
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ExchangeError(path, [CellProblem(0, "", f"不是有效的 .xlsx 文件（{exc.__class__.__name__}）")]) from None
    if META_SHEET not in book.sheetnames or DATA_SHEET not in book.sheetnames:
        raise ExchangeError(path, [CellProblem(0, "", "不是 PlanWatch 填报模板（请用 planwatch template 生成的表）")])
    meta = {str(row[0]): str(row[1]) for row in book[META_SHEET].iter_rows(values_only=True) if row[0]}
    problems = []
    if expected_org_unit is not None and meta.get("org_unit") != expected_org_unit:
        problems.append(CellProblem(0, "", f"这是单位 {meta.get('org_unit')} 的模板，不是 {expected_org_unit} 的"))
    if expected_period is not None and meta.get("period") != expected_period:
        problems.append(CellProblem(0, "", f"这是报告期 {meta.get('period')} 的模板，不是 {expected_period} 的"))
    if problems:
        raise ExchangeError(path, problems)
    sheet = book[DATA_SHEET]
    rows = []
    for number, values in enumerate(sheet.iter_rows(min_row=_FIRST_ROW, max_col=len(HEADER), values_only=True),
                                    start=_FIRST_ROW):
        code, _, name, unit, _, _, value, source, note = (v for v in values)
        if value is None or str(value).strip() == "":
            continue
        text = _value_text(value)
        if not code:
            problems.append(CellProblem(number, "指标代码", "为空：请勿修改指标列"))
            continue
        if parse_number(_strip_suffix(text)) is None:
            problems.append(CellProblem(number, f"本期数值（G{number}）",
                                        f"「{text}」不是数值（可填写 95、95%、1.2万、3‰）"))
            continue
        rows.append(ExchangeRow(indicator=str(code), indicator_name=str(name or ""), org_unit=meta["org_unit"],
                                period=meta["period"], value=text, unit=str(unit or ""),
                                source=str(source or ""), note=str(note or "")))
    if problems:
        raise ExchangeError(path, problems)
    return rows


def _value_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _strip_suffix(text: str) -> str:
    for suffix in _SUFFIXES:
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text
