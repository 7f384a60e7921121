"""The one row shape every exchange format reads into and writes from.

Codes, not database ids: files travel between offices and tools, so an indicator is its
plan code (I001), an org unit its code (QC-LYJ) and a period its DHIS2 code (2025,
2025Q1, 202503). Values stay text as written ("1.2万", "95%"); the reporting service
parses them against the indicator's unit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from planwatch.errors import InputError
from planwatch.text_cleaning import first_control, show_char

__all__ = ["AREAS", "SEXES", "STATES", "CellProblem", "ExchangeError", "ExchangeRow", "check_row", "period_kind"]

SEXES = ("", "male", "female")
AREAS = ("", "urban", "rural")
STATES = ("", "draft", "submitted", "approved", "returned")
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2]))?$")


@dataclass(frozen=True, slots=True)
class ExchangeRow:
    indicator: str
    org_unit: str
    period: str
    value: str
    indicator_name: str = ""
    org_unit_name: str = ""
    sex: str = ""
    area: str = ""
    age_group: str = ""
    unit: str = ""
    source: str = ""
    note: str = ""
    state: str = ""
    cell: str = ""  # the spreadsheet cell of the value (填报!L5), so the service's problems name it


@dataclass(frozen=True, slots=True)
class CellProblem:
    row: int  # 1-based row of the file (or index of the record), 0 for the whole file
    column: str
    message: str
    sheet: str = ""  # a spreadsheet's: the sheet, the cell (L5) and the indicator of that row
    cell: str = ""
    indicator: str = ""

    def __str__(self) -> str:
        if self.cell:
            of = f"（指标「{self.indicator}」）" if self.indicator else ""
            return f"工作表「{self.sheet}」单元格 {self.cell}{of}{self.column}：{self.message}"
        where = f"第 {self.row} 行" if self.row else "文件"
        return f"{where}「{self.column}」{self.message}" if self.column else f"{where}：{self.message}"


class ExchangeError(InputError):
    """A file with bad cells; lists every problem so a clerk can fix them all at once."""

    def __init__(self, path: str | Path, problems: Sequence[CellProblem]) -> None:
        self.problems = list(problems)
        shown = "；".join(str(p) for p in self.problems[:20])
        more = f"；另有 {len(self.problems) - 20} 处问题" if len(self.problems) > 20 else ""
        super().__init__(path, f"{len(self.problems)} 处问题，未导入任何数据：{shown}{more}")


def period_kind(code: str) -> str | None:
    """"A", "Q" or "M" for a DHIS2 period code, None when it is not one."""
    match = _PERIOD.match(code)
    if match is None:
        return None
    return "Q" if match["quarter"] else "M" if match["month"] else "A"


def check_row(row: ExchangeRow, number: int) -> list[CellProblem]:
    """Problems of one row that no database is needed to see."""
    problems = []
    for column in ("indicator", "org_unit", "value"):
        if not getattr(row, column).strip():
            problems.append(CellProblem(number, column, "不能为空"))
    for column in ("indicator", "org_unit", "period", "value"):  # codes: a control character is a paste accident
        char = first_control(getattr(row, column).strip())
        if char is not None:
            problems.append(CellProblem(number, column, f"含有控制字符 {show_char(char)}，请删除后重试"))
    if period_kind(row.period) is None:
        problems.append(CellProblem(number, "period", f"应为 2025、2025Q1 或 202503 这样的期间代码，实际为「{row.period}」"))
    if row.sex not in SEXES:
        problems.append(CellProblem(number, "sex", f"应为 male、female 或留空（合计），实际为「{row.sex}」"))
    if row.area not in AREAS:
        problems.append(CellProblem(number, "area", f"应为 urban、rural 或留空（合计），实际为「{row.area}」"))
    if row.state not in STATES:
        problems.append(CellProblem(number, "state", f"应为 draft/submitted/approved/returned 或留空，实际为「{row.state}」"))
    return problems
