"""The per-unit Excel fill-in template (填报模板) and the import of a filled one.

Clerks work in Excel or WPS. The template lists the unit's indicators for one period with
what the clerk needs beside each (baseline, target, last year's value, what to enter),
everything but the three input columns locked, a numeric check on the value column, the
instructions in Chinese on their own sheet, and a hidden sheet saying which plan, unit and
period the file is for: the upload reads the plan from it, and a template filled for
another unit or year is refused.

Further sheets (the ledger's tasks and projects) plug in as :class:`TemplateSheet`
objects passed to :func:`write_template` and :func:`read_template`: each writes its sheet
and reads it back, and its problems join the indicator sheet's, so one bad cell anywhere
refuses the whole file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from planwatch.errors import InputError
from planwatch.evaluate.models import Verdict, read_verdict
from planwatch.ingest.containers import OpenedWorkbook, open_workbook
from planwatch.monitor.exchange.rows import CellProblem, ExchangeError, ExchangeRow
from planwatch.numerals import parse_number
from planwatch.spreadsheet_safety import text_row
from planwatch.text_cleaning import normalise_text

__all__ = ["DATA_SHEET", "HEADER", "META_SHEET", "TEMPLATE_VERSION", "VERDICTS", "FilledTemplate", "TemplateIdentity",
           "TemplateIndicator", "TemplateSheet", "column_of", "read_template", "write_template"]

DATA_SHEET = "填报"
HELP_SHEET = "填报说明"
META_SHEET = "_planwatch"
TEMPLATE_VERSION = "2"
# The running total of an amount over the period comes last, so that templates filled before it
# was added (no column O) still read: the input columns keep their letters.
HEADER = ("指标代码", "领域", "指标名称", "计量单位", "属性", "基期年份", "基期值", "目标年份", "目标值",
          "上年数值", "填报要求", "本期数值", "数据来源", "备注", "规划期已累计")
LEVEL_HINT = "填本期实际值。"
VERDICTS = tuple(v.label_zh for v in Verdict)  # what a target without a number is judged: 达到, 未达到, 无法判断
_VALUE, _SOURCE, _NOTE = "本期数值", "数据来源", "备注"
_FIRST_ROW = 4  # title, period line, header, then data
_WIDTHS = (10, 14, 32, 10, 8, 9, 12, 9, 14, 12, 36, 12, 18, 20, 16)
_SUFFIXES = ("%", "％", "‰", "万", "亿")


def column_of(header: str) -> str:
    """The column letter of a header of the indicator sheet (A for 指标代码, L for 本期数值)."""
    return chr(ord("A") + HEADER.index(header))


@dataclass(frozen=True, slots=True)
class TemplateIdentity:
    """Which plan (by key, so a re-imported plan still matches), unit and period a file is for."""

    plan_key: str
    plan_title: str
    org_unit_code: str
    org_unit_name: str
    period: str
    deadline: str = ""


@dataclass(frozen=True, slots=True)
class TemplateIndicator:
    code: str
    name: str
    unit: str = ""
    domain: str = ""
    attribute: str = ""
    last_value: str = ""
    entry_hint: str = ""  # what to enter when it is not a plain level (a growth rate, an increment, a verdict)
    baseline_year: int | None = None
    baseline: str = ""
    target_year: int | None = None
    target: str = ""
    running_total: str = ""  # an amount over the period: what earlier periods added up to (3（2026—2027年）)
    judged: bool = False  # a target without a number: the value is a verdict (达到/未达到/无法判断)


class TemplateSheet(Protocol):
    """A further sheet of the template: written after the indicator sheet, read back with it.

    ``read`` returns what it read (kept in :attr:`FilledTemplate.extras` under ``name``) and
    the problems of its cells; the file is refused when any sheet has one.
    """

    name: str

    def write(self, book: Workbook, identity: TemplateIdentity) -> None: ...

    def read(self, book: Workbook, identity: TemplateIdentity) -> tuple[object, list[CellProblem]]: ...


@dataclass(frozen=True, slots=True)
class FilledTemplate:
    identity: TemplateIdentity
    rows: list[ExchangeRow]
    extras: dict[str, object] = field(default_factory=dict)
    # Formula cells read as empty: "填报表!L5（=B5*2）" each, for the clerk to be told.
    ignored: tuple[str, ...] = ()


def write_template(path: Path | BinaryIO, identity: TemplateIdentity, indicators: Sequence[TemplateIndicator],
                   sheets: Sequence[TemplateSheet] = ()) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    deadline = identity.deadline or "见通知"
    text_row(sheet, [f"{identity.plan_title} 监测数据填报表"])
    sheet["A1"].font = Font(bold=True, size=14)
    text_row(sheet, [f"填报单位：{identity.org_unit_name}（{identity.org_unit_code}）    报告期：{identity.period}"
                     f"    截止时间：{deadline}"])
    text_row(sheet, HEADER)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for ind in indicators:
        text_row(sheet, [ind.code, ind.domain, ind.name, ind.unit, ind.attribute, ind.baseline_year, ind.baseline,
                         ind.target_year, ind.target, ind.last_value, ind.entry_hint or LEVEL_HINT, None, None, None,
                         ind.running_total])
    last = _FIRST_ROW + len(indicators) - 1
    value_column = column_of(_VALUE)
    inputs = (value_column, column_of(_SOURCE), column_of(_NOTE))
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    for row in range(_FIRST_ROW, last + 1):
        for column in inputs:
            sheet[f"{column}{row}"].protection = Protection(locked=False)
            sheet[f"{column}{row}"].fill = input_fill
        sheet[f"{column_of('填报要求')}{row}"].alignment = Alignment(wrap_text=True, vertical="top")
    for row, ind in enumerate(indicators, start=_FIRST_ROW):
        if ind.entry_hint:
            sheet[f"{value_column}{row}"].comment = Comment(normalise_text(ind.entry_hint), "PlanWatch", width=320,
                                                            height=90)
    _value_checks(sheet, indicators)
    for number, width in enumerate(_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + number)].width = width
    sheet.freeze_panes = f"A{_FIRST_ROW}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    _help_sheet(book, identity, indicators)
    for extra in sheets:
        extra.write(book, identity)
    meta = book.create_sheet(META_SHEET)
    for key, value in (("template_version", TEMPLATE_VERSION), ("plan_key", identity.plan_key),
                       ("plan", identity.plan_title), ("org_unit", identity.org_unit_code),
                       ("org_unit_name", identity.org_unit_name), ("period", identity.period),
                       ("deadline", identity.deadline), ("rows", str(len(indicators)))):
        text_row(meta, [key, value])
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    book.save(path)


def _value_checks(sheet: Worksheet, indicators: Sequence[TemplateIndicator]) -> None:
    """A number in each figure's cell; a choice of 达到/未达到/无法判断 in each verdict's."""
    value_column = column_of(_VALUE)
    rows = list(enumerate(indicators, start=_FIRST_ROW))
    figures = [f"{value_column}{row}" for row, ind in rows if not ind.judged]
    verdicts = [f"{value_column}{row}" for row, ind in rows if ind.judged]
    if figures:
        # the formula is written for the first cell of the list; Excel shifts it for the others
        first = figures[0]
        numeric = DataValidation(type="custom", allow_blank=True, showErrorMessage=True, showInputMessage=True,
                                 formula1=f'OR(ISNUMBER({first}),ISNUMBER(--SUBSTITUTE(SUBSTITUTE({first},"%",""),"‰","")))')
        numeric.promptTitle, numeric.prompt = _VALUE, "填写数字，可带 %、‰ 或 万，如 95、95%、1.2万"
        numeric.errorTitle, numeric.error = "数值格式不对", "请填写数字，如 95、95%、1.2万、3‰"
        sheet.add_data_validation(numeric)
        for cell in figures:
            numeric.add(cell)
    if verdicts:
        choice = DataValidation(type="list", formula1='"' + ",".join(VERDICTS) + '"', allow_blank=True,
                                showErrorMessage=True, showInputMessage=True)
        choice.promptTitle, choice.prompt = "定性评估", "选择达到、未达到或无法判断，并在备注中写明评估依据"
        choice.errorTitle, choice.error = "请从列表中选择", "定性目标只能填“达到”“未达到”或“无法判断”"
        sheet.add_data_validation(choice)
        for cell in verdicts:
            choice.add(cell)


def _help_sheet(book: Workbook, identity: TemplateIdentity, indicators: Sequence[TemplateIndicator]) -> None:
    sheet = book.create_sheet(HELP_SHEET)
    deadline = identity.deadline or "见通知"
    lines = [
        "填报说明",
        f"1. 本表为「{identity.plan_title}」报告期 {identity.period} 的监测数据填报表（{identity.org_unit_name}），"
        "只填写黄色单元格：本期数值、数据来源、备注。",
        "2. 本期数值填写数字，可带单位符号：95、95%、1.2万、3‰；不要填写“约”“左右”等文字。",
        "3. 计量单位以“计量单位”列为准；百分比指标可填 95 或 95%。基期值、目标值和上年数值供对照，不需修改。",
        "4. 暂无数据的指标留空，并在备注中说明原因。",
        "5. 表头和指标列已锁定，请勿增删行列或修改指标代码；本表只能由本单位导入。",
        f"6. 请于截止时间（{deadline}）前提交：登录监测平台，在「数据填报」页面选择本表上传；"
        "或由管理员运行命令 planwatch submit 文件名.xlsx --as 登录名。"
        "任何单元格有误时整表不保存，页面列出每个出错的单元格。",
    ]
    rates = [ind for ind in indicators if ind.entry_hint and not ind.running_total and not ind.judged]
    amounts = [ind for ind in indicators if ind.running_total]
    judged = [ind for ind in indicators if ind.judged]
    for heading, listed in (
            ("以下指标填比率，不填总量（“填报要求”列和本期数值单元格的批注也有说明）：",
             [f"    {ind.code} {ind.name}：{ind.entry_hint}" for ind in rates]),
            ("以下指标的目标是规划期内累计完成的数量：本期数值填本年度新完成（新增）的数量，不填累计数；"
             "“规划期已累计”列是此前各年经审核的数量之和，系统把本年数量加上去与目标比较：",
             [f"    {ind.code} {ind.name}：已累计 {ind.running_total}，目标 {ind.target}" for ind in amounts]),
            ("以下指标是定性目标（没有数值）：本期数值从下拉列表选择“达到”“未达到”或“无法判断”，备注写明评估依据"
             "（对照的数据或情况），数据来源写明佐证材料（文件名、文号或链接）；没有依据的评估不能报送：",
             [f"    {ind.code} {ind.name}：{ind.target}" for ind in judged])):
        if listed:
            lines.append(f"{sum(1 for line in lines if line[:1].isdigit()) + 1}. {heading}")
            lines.extend(listed)
    for line in lines:
        text_row(sheet, [line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 100


def read_template(path: Path, *, expected_org_unit: str | None = None, expected_period: str | None = None,
                  sheets: Sequence[TemplateSheet] = ()) -> FilledTemplate:
    """The filled values of a template and its identity; every problem is reported with its cell."""
    opened = _open(path)
    book = opened.book
    if META_SHEET not in book.sheetnames or DATA_SHEET not in book.sheetnames:
        raise ExchangeError(path, [CellProblem(0, "", "不是 PlanWatch 填报模板（请用数据填报页面或 planwatch template "
                                                      "生成的表）")])
    meta = {str(row[0]): str(row[1] or "") for row in book[META_SHEET].iter_rows(values_only=True) if row[0]}
    identity = TemplateIdentity(meta.get("plan_key", ""), meta.get("plan", ""), meta.get("org_unit", ""),
                                meta.get("org_unit_name", ""), meta.get("period", ""), meta.get("deadline", ""))
    if meta.get("template_version") != TEMPLATE_VERSION:
        raise ExchangeError(path, [CellProblem(0, "", f"这是第 {meta.get('template_version') or '?'} 版填报模板，"
                                                      f"本系统读取第 {TEMPLATE_VERSION} 版：请重新下载填报表")])
    problems = []
    if expected_org_unit is not None and identity.org_unit_code != expected_org_unit:
        problems.append(CellProblem(0, "", f"这是单位 {identity.org_unit_code} 的模板，不是 {expected_org_unit} 的"))
    if expected_period is not None and identity.period != expected_period:
        problems.append(CellProblem(0, "", f"这是报告期 {identity.period} 的模板，不是 {expected_period} 的"))
    if problems:
        raise ExchangeError(path, problems)
    rows, problems = _indicator_rows(book, identity)
    extras: dict[str, object] = {}
    for extra in sheets:
        extras[extra.name], found = extra.read(book, identity)
        problems += found
    if problems:
        raise ExchangeError(path, problems)
    return FilledTemplate(identity, rows, extras, tuple(f"{f.sheet}!{f.cell}（{f.formula}）" for f in opened.formulas))


def _open(path: Path) -> OpenedWorkbook:
    try:
        return open_workbook(path)
    except InputError as exc:
        raise ExchangeError(path, [CellProblem(0, "", f"不是有效的 .xlsx 文件（{exc.problem}）")]) from None


def _indicator_rows(book: Workbook, identity: TemplateIdentity) -> tuple[list[ExchangeRow], list[CellProblem]]:
    sheet = book[DATA_SHEET]
    at = {name: n for n, name in enumerate(HEADER)}
    value_column = column_of(_VALUE)
    rows, problems = [], []
    for number, values in enumerate(sheet.iter_rows(min_row=_FIRST_ROW, max_col=len(HEADER), values_only=True),
                                    start=_FIRST_ROW):
        code, name, value = values[at["指标代码"]], str(values[at["指标名称"]] or ""), values[at[_VALUE]]
        if value is None or str(value).strip() == "":
            continue
        text = _value_text(value)
        if not code:
            problems.append(CellProblem(number, "指标代码", "为空：请勿修改指标列", sheet=DATA_SHEET,
                                        cell=f"A{number}", indicator=name))
            continue
        cell = f"{value_column}{number}"
        # a verdict goes to the service, which refuses it for an indicator that takes a figure
        if parse_number(_strip_suffix(text)) is None and read_verdict(text) is None:
            problems.append(CellProblem(number, _VALUE, f"「{text}」不是数值（可填写 95、95%、1.2万、3‰）",
                                        sheet=DATA_SHEET, cell=cell, indicator=name))
            continue
        rows.append(ExchangeRow(indicator=str(code), indicator_name=name, org_unit=identity.org_unit_code,
                                period=identity.period, value=text, unit=str(values[at["计量单位"]] or ""),
                                source=str(values[at[_SOURCE]] or ""), note=str(values[at[_NOTE]] or ""),
                                cell=f"{DATA_SHEET}!{cell}"))
    return rows, problems


def _value_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _strip_suffix(text: str) -> str:
    for suffix in _SUFFIXES:
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text
