"""The 重点任务 and 重大项目 sheets of a unit's fill-in template, and reading them back.

A unit reports its tasks and projects in the same workbook as its indicator values: one
row per task (status from a dropdown, percentage, what was done, the values its quantified
targets reached) and one per project (the investment completed in the period and in all,
the milestones reached). Only the input cells are unlocked. Reading names every bad cell
by sheet and address (重点任务!E5) so that the clerk can fix them all at once; this module
only reads cells, :mod:`planwatch.services.ledger_exchange` turns rows into reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from planwatch.errors import FieldRefused
from planwatch.fields import read_amount, read_number, read_percentage
from planwatch.monitor.exchange.rows import CellProblem
from planwatch.spreadsheet_safety import text_row

__all__ = ["PROJECT_SHEET", "TASK_SHEET", "LedgerSheetRow", "SheetProject", "SheetTask", "read_ledger_rows",
           "write_ledger_sheets"]

TASK_SHEET = "重点任务"
PROJECT_SHEET = "重大项目"
TASK_HEADER = ("任务代码", "任务名称", "量化目标", "完成时限", "进展状态", "完成百分比", "进展情况", "目标完成值")
PROJECT_HEADER = ("项目代码", "项目名称", "本年计划投资（万元）", "里程碑", "进展状态", "本期完成投资（万元）",
                  "累计完成投资（万元）", "达到的里程碑", "进展情况")
_TASK_INPUTS = "EFGH"
_PROJECT_INPUTS = "EFGHI"
_FIRST_ROW = 2
_LIST_SPLIT = re.compile(r"[；;\n]+")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")


@dataclass(frozen=True, slots=True)
class SheetTask:
    code: str  # T<id>
    title: str
    targets: Sequence[str]  # each target as shown, in the order its value is entered
    deadline: str = ""


@dataclass(frozen=True, slots=True)
class SheetProject:
    code: str  # P<id>
    name: str
    planned_this_year: float | None
    milestones: Sequence[str]  # "完成招标（2025-09）"


@dataclass(frozen=True, slots=True)
class LedgerSheetRow:
    """One filled row; ``where`` maps a field to its cell (重点任务!E5) for the service's errors."""

    sheet: str
    row: int
    code: str
    status: str
    percent: float | None = None
    progress: str = ""
    target_values: tuple[float | None, ...] = ()
    investment_period: float | None = None
    investment_cumulative: float | None = None
    milestones: tuple[str, ...] = ()

    def cell(self, column: str) -> str:
        return f"{self.sheet}!{column}{self.row}"


def write_ledger_sheets(book: Workbook, tasks: Sequence[SheetTask], projects: Sequence[SheetProject],
                        statuses: Sequence[str]) -> None:
    """Add the two sheets to a template workbook; ``statuses`` are the dropdown's labels."""
    task_sheet = _sheet(book, TASK_SHEET, TASK_HEADER, (10, 36, 36, 10, 10, 10, 40, 20))
    for task in tasks:
        text_row(task_sheet, [task.code, task.title, "；".join(task.targets), task.deadline, None, None, None, None])
    _inputs(task_sheet, _TASK_INPUTS, len(tasks), statuses, percent_column="F")
    for row, task in enumerate(tasks, start=_FIRST_ROW):
        if task.targets:
            task_sheet[f"H{row}"].number_format = "@"
    project_sheet = _sheet(book, PROJECT_SHEET, PROJECT_HEADER, (10, 36, 14, 36, 10, 14, 14, 30, 40))
    for project in projects:
        text_row(project_sheet, [project.code, project.name, project.planned_this_year, "；".join(project.milestones),
                                 None, None, None, None, None])
    _inputs(project_sheet, _PROJECT_INPUTS, len(projects), statuses, percent_column=None)


def _sheet(book: Workbook, title: str, header: Sequence[str], widths: Sequence[int]) -> Worksheet:
    sheet: Worksheet = book.create_sheet(title)
    text_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for n, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + n)].width = width
    sheet.freeze_panes = f"A{_FIRST_ROW}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    return sheet


def _inputs(sheet: Worksheet, columns: str, count: int, statuses: Sequence[str], *,
            percent_column: str | None) -> None:
    last = _FIRST_ROW + count - 1
    for row in range(_FIRST_ROW, last + 1):
        for column in columns:
            sheet[f"{column}{row}"].protection = Protection(locked=False)
            sheet[f"{column}{row}"].fill = _INPUT_FILL
    if count == 0:
        return
    status = DataValidation(type="list", formula1=f'"{",".join(statuses)}"', allow_blank=True,
                            showErrorMessage=True, showInputMessage=True)
    status.promptTitle, status.prompt = "进展状态", "从下拉列表中选择：" + "、".join(statuses)
    status.errorTitle, status.error = "进展状态", "请从下拉列表中选择"
    sheet.add_data_validation(status)
    status.add(f"E{_FIRST_ROW}:E{last}")
    if percent_column is not None:
        share = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                               showErrorMessage=True)
        share.errorTitle, share.error = "完成百分比", "请填写 0 到 100 之间的数"
        sheet.add_data_validation(share)
        share.add(f"{percent_column}{_FIRST_ROW}:{percent_column}{last}")


def read_ledger_rows(book: Workbook, statuses: Sequence[str]) -> tuple[list[LedgerSheetRow], list[CellProblem]]:
    """The filled rows of both sheets (none when the workbook has no such sheets), and every bad
    cell with its sheet and address."""
    problems: list[CellProblem] = []
    rows: list[LedgerSheetRow] = []
    if TASK_SHEET in book.sheetnames:
        for number, values in _filled(book[TASK_SHEET], len(TASK_HEADER), "EFGH"):
            code, _, _, _, status, percent, progress, reached = values
            cells = _Cells(TASK_SHEET, number, problems)
            rows.append(LedgerSheetRow(
                TASK_SHEET, number, str(code or ""), cells.status(status, statuses),
                percent=cells.read(read_percentage, percent, "F", "完成百分比"), progress=_text(progress),
                target_values=tuple(cells.read(read_number, v, "H", "目标完成值") for v in _items(reached))))
    if PROJECT_SHEET in book.sheetnames:
        for number, values in _filled(book[PROJECT_SHEET], len(PROJECT_HEADER), "EFGHI"):
            code, _, _, _, status, period, cumulative, milestones, progress = values
            cells = _Cells(PROJECT_SHEET, number, problems)
            rows.append(LedgerSheetRow(
                PROJECT_SHEET, number, str(code or ""), cells.status(status, statuses), progress=_text(progress),
                investment_period=cells.read(read_amount, period, "F", "本期完成投资"),
                investment_cumulative=cells.read(read_amount, cumulative, "G", "累计完成投资"),
                milestones=tuple(_items(milestones))))
    return rows, problems


def _filled(sheet: Worksheet, width: int, inputs: str) -> list[tuple[int, tuple[object, ...]]]:
    """Rows with anything typed in an input column."""
    offsets = [ord(c) - ord("A") for c in inputs]
    return [(number, values) for number, values in enumerate(
        sheet.iter_rows(min_row=_FIRST_ROW, max_col=width, values_only=True), start=_FIRST_ROW)
        if any(_text(values[i]) for i in offsets)]


@dataclass
class _Cells:
    sheet: str
    row: int
    problems: list[CellProblem]

    def status(self, value: object, statuses: Sequence[str]) -> str:
        text = _text(value)
        if text not in statuses:
            where = f"进展状态（{self.sheet}!E{self.row}）"
            self.problems.append(CellProblem(self.row, where, f"「{text}」不是可选的状态：应为 {'、'.join(statuses)} 之一"
                                             if text else "为空：请从下拉列表中选择"))
        return text

    def read(self, reader: Callable[[object, str], float | None], value: object, column: str,
             label: str) -> float | None:
        """The cell read as its kind of field (:mod:`planwatch.fields`), the same as the form
        reads it; a refusal is kept as the cell's problem and read as blank."""
        where = f"{label}（{self.sheet}!{column}{self.row}）"
        try:
            return reader(value, where)
        except FieldRefused as refused:
            self.problems.append(CellProblem(self.row, where, refused.problem))
            return None


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _items(value: object) -> list[str]:
    return [item.strip() for item in _LIST_SPLIT.split(_text(value)) if item.strip()]
