"""Reading an uploaded table of codes and names (org units, assignments): a CSV in UTF-8 or
GB18030, or an XLSX file's first sheet, as text cells.

Such a table is imported whole or not at all, so every bad row is reported at once
(:class:`RowErrors`): a control character in a cell, a formula, an undecodable CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from planwatch.errors import InputError
from planwatch.ingest.containers import open_workbook
from planwatch.text_cleaning import first_control, show_char

__all__ = ["RowErrors", "read_table"]


class RowErrors(InputError):
    """Every bad row of an uploaded table at once, so the user fixes them in one go."""

    def __init__(self, path: str | Path, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(path, "；".join(self.problems))


def read_table(path: Path) -> list[list[str]]:
    """The cells of a CSV (UTF-8 or GB18030) or the first sheet of an XLSX file, as text.

    Every cell of these tables (units, assignments) is a code or a name, so a control
    character in one is refused, each named by its row and column."""
    if not path.is_file():
        raise InputError(path, "no such file")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        table = _csv_rows(path) if suffix == ".csv" else _xlsx_rows(path)
        _refuse_controls(path, table)
        return table
    raise InputError(path, f"unsupported file type {suffix or '(none)'}; expected .csv or .xlsx")


def _refuse_controls(path: Path, table: list[list[str]]) -> None:
    header = table[0] if table else []
    problems = []
    for number, row in enumerate(table, start=1):
        for column, cell in enumerate(row):
            char = first_control(cell.strip())
            if char is not None:
                name = header[column].strip() if column < len(header) and number > 1 else f"第 {column + 1} 列"
                problems.append(f"第 {number} 行「{name}」含有控制字符 {show_char(char)}")
    if problems:
        raise RowErrors(path, problems)


def _csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(path, "无法解码：应为 UTF-8 或 GB18030 编码的 CSV")
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as exc:  # a field over csv.field_size_limit(), a NUL byte
        raise InputError(path, f"第 {reader.line_num} 行不是有效的 CSV：{exc}") from None


def _xlsx_rows(path: Path) -> list[list[str]]:
    """The first sheet's cells as text; a formula cell is refused by row and column (its
    cached result could say anything, and a table is imported whole or not at all)."""
    workbook = open_workbook(path, read_only=True).book
    sheet = workbook.worksheets[0]
    rows: list[list[str]] = []
    formulas: list[str] = []
    for cells in sheet.iter_rows():
        row = []
        for cell in cells:
            if cell.data_type == "f":
                formulas.append(f"{getattr(cell, 'coordinate', '?')}（{cell.value}）")
            row.append("" if cell.value is None else str(cell.value))
        rows.append(row)
    workbook.close()
    if formulas:
        raise RowErrors(path, [f"单元格 {'、'.join(formulas[:20])} 是公式：公式不导入，请改为直接填写文字"
                               "（在 Excel 中复制后“选择性粘贴 → 数值”）"])
    return rows
