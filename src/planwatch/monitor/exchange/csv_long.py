"""Long CSV, as Open SDG and most statistics tools read it: one value per row, a blank
disaggregation cell meaning the total.

Written with a UTF-8 byte-order mark so that Excel on a Chinese Windows PC opens it
without garbling; read from UTF-8 (with or without the mark) or GB18030, with English or
Chinese column names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from planwatch.monitor.exchange.rows import CellProblem, ExchangeError, ExchangeRow, check_row
from planwatch.spreadsheet_safety import csv_row, read_csv_field

__all__ = ["COLUMNS", "read_csv", "write_csv"]

COLUMNS = ("indicator", "indicator_name", "org_unit", "org_unit_name", "period", "sex", "area", "age_group",
           "value", "unit", "source", "note", "state")
_ALIASES = {
    "indicator": ("指标代码", "指标编码"),
    "indicator_name": ("指标名称", "指标"),
    "org_unit": ("单位代码", "填报单位代码"),
    "org_unit_name": ("单位名称", "填报单位"),
    "period": ("期间", "年份", "报告期", "year"),
    "sex": ("性别",),
    "area": ("城乡",),
    "age_group": ("年龄组",),
    "value": ("数值", "值", "本期数值"),
    "unit": ("计量单位",),
    "source": ("数据来源",),
    "note": ("备注",),
    "state": ("状态",),
}
_REQUIRED = ("indicator", "org_unit", "period", "value")


def write_csv(rows: Iterable[ExchangeRow], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(csv_row(getattr(row, c) for c in COLUMNS))
            count += 1
    return count


def _decode(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExchangeError(path, [CellProblem(0, "", "无法解码：应为 UTF-8 或 GB18030 编码的 CSV")])


def read_csv(path: Path) -> list[ExchangeRow]:
    """Rows of a long CSV; every bad cell is reported at once and nothing is returned then."""
    if not path.is_file():
        raise ExchangeError(path, [CellProblem(0, "", "文件不存在")])
    reader = csv.reader(io.StringIO(_decode(path)))
    try:
        table = list(reader)
    except csv.Error as exc:  # a field over csv.field_size_limit(), a NUL byte
        raise ExchangeError(path, [CellProblem(reader.line_num, "", f"不是有效的 CSV：{exc}")]) from None
    if not table:
        raise ExchangeError(path, [CellProblem(0, "", "文件为空；第一行应为列名：" + ", ".join(COLUMNS))])
    header = [h.strip() for h in table[0]]
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        field = name.lower() if name.lower() in COLUMNS else next(
            (f for f, aliases in _ALIASES.items() if name in aliases), None)
        if field is not None and field not in index:
            index[field] = position
    missing = [f for f in _REQUIRED if f not in index]
    if missing:
        raise ExchangeError(path, [CellProblem(1, f, "缺少此列（列名可用英文或中文，如 指标代码、单位代码、期间、数值）")
                                   for f in missing])
    rows: list[ExchangeRow] = []
    problems: list[CellProblem] = []
    for number, raw in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(header):
            problems.append(CellProblem(number, "", f"有 {len(raw)} 列，表头有 {len(header)} 列"))
            continue
        row = ExchangeRow(**{f: read_csv_field(raw[k].strip()) for f, k in index.items()})
        problems += check_row(row, number)
        rows.append(row)
    if problems:
        raise ExchangeError(path, problems)
    return rows
