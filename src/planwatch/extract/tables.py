"""Indicator tables: from a grid to indicators.

Plans print their indicator system as a table whose header names the columns
(序号, 领域/类别, 指标名称, 单位, base year, target years, 年均增速, 属性, 责任单位). The
header decides what each column means; each data row becomes one indicator. Real tables
are irregular: category cells appear only on a group's first row, page breaks repeat the
header, sub-indicators (``其中：``, ``#``) share the row layout, and exports sometimes
shift a row's cells left or right. Rows that do not line up with the header are read by
the kind of each cell instead of its position.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from itertools import pairwise

from planwatch.extract.periods import years_in
from planwatch.extract.records import Diagnostic, Indicator, Target
from planwatch.extract.text import cjk_count, fold, is_org_unit_name, squeeze
from planwatch.extract.values import UNITS, comparator_of, dated_parts, has_number, is_unit, read_value
from planwatch.numerals import parse_chinese_integer, to_halfwidth


class Role(Enum):
    INDEX = "index"
    CATEGORY = "category"
    NAME = "name"
    UNIT = "unit"
    ATTRIBUTE = "attribute"
    RESPONSIBLE = "responsible"
    BASELINE = "baseline"
    TARGET = "target"
    GROWTH = "growth"
    OTHER = "other"


VALUE_ROLES = (Role.BASELINE, Role.TARGET, Role.GROWTH)
ATTRIBUTES = ("预期性", "约束性")
_PAST = ("完成", "实际", "现状", "基期", "基数", "基准", "基础", "预计")
_FUTURE = ("目标", "预期", "规划", "计划", "预测")
# Past results, estimates and project lists are tables with years but without targets.
_PAST_CAPTIONS = ("完成情况", "实施情况", "完成值", "测算", "估算")
# Lists of projects; but “主要指标一览表” is an indicator table.
_LIST_CAPTIONS = ("清单", "明细", "一览表", "投资", "项目表")
_REVIEW_WORDS = ("完成情况", "是否完成", "完成率", "实现程度", "评价")
_PROJECT_WORDS = ("投资", "项目名称", "建设内容", "建设规模", "建设性质", "建设地点", "资金")
_HEADER_WORDS = ("序号", "编号", "类别", "领域", "类型", "分类", "指标", "名称", "单位", "属性", "性质",
                 "目标", "现状", "基期", "预期", "规划", "增速", "责任", "牵头", "部门", "备注", "绝对值",
                 "主要", "内容", "年")
_PURE_VALUE = re.compile(r"^[<>≥≤＜＞≧≦]?\s*[-+]?\d+(\.\d+)?\s*%?$")
_TRAILING_UNIT = re.compile(r"[（(]([^（）()]{1,12})[）)]\s*$")
_MEASURE_IN_VALUE = re.compile(r"^(?:力争|确保|实现)?([\u4e00-\u9fff]{2,8}?)(?:达到|达|突破|超过|[≥≧≤≦><])\s*\d")
_SUB_ROW = re.compile(r"^(?:其中|[#＃※])")
_GROUP_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[）)])\s*")
_NAME_PREFIX = re.compile(r"^(其中[：:]?|[#＃*※]+|\d+[.、．]|[（(]\d+[）)])\s*")


@dataclass(frozen=True, slots=True)
class Column:
    role: Role
    year: int | None = None
    header: str = ""
    unit: str | None = None  # printed in the header: 目标值（万元）, 2030年（%）


@dataclass(slots=True)
class TableContext:
    """What the surrounding document tells about a table."""

    file: str
    plan: str | None
    start_year: int | None
    end_year: int | None
    domain: str | None = None  # heading above the table, used when the table has no category column


@dataclass(slots=True)
class _RowState:
    category: str | None = None
    attribute: str | None = None
    unit: str | None = None  # of the last main row, for its 其中 sub-rows
    columns: list[Column] = field(default_factory=list)


def _nonempty(cells: list[str]) -> list[str]:
    return [c for c in cells if c.strip()]


def is_header_row(cells: list[str]) -> bool:
    texts = _nonempty(cells)
    if len(texts) < 2:
        return False
    if any(t in ATTRIBUTES for t in texts):
        return False
    if any(_PURE_VALUE.match(to_halfwidth(t)) and not re.fullmatch(r"(19|20)\d{2}", t.strip())
           for t in texts):
        return False
    hits = sum(1 for t in texts if any(w in t for w in _HEADER_WORDS))
    return hits >= max(1, len(texts) // 2)


def _column(header: str, ctx: TableContext) -> Column:
    h = fold(header)
    if not h:
        return Column(Role.OTHER)
    if "序号" in h or "编号" in h:
        return Column(Role.INDEX, header=h)
    if "属性" in h or "性质" in h:
        return Column(Role.ATTRIBUTE, header=h)
    if any(w in h for w in ("责任", "牵头", "部门", "配合")):
        return Column(Role.RESPONSIBLE, header=h)
    if h in ("单位", "计量单位") or (h.endswith("单位") and len(h) <= 4) or re.match(r"(?:计量)?单位[（(]", h):
        return Column(Role.UNIT, header=h)
    column = _value_column(h, ctx)
    if column is not None:
        unit = _TRAILING_UNIT.search(h)
        return Column(column.role, column.year, h, unit.group(1) if unit and is_unit(unit.group(1)) else None)
    if any(w in h for w in ("年均增", "增速", "增幅", "年均增长")) and "指标" not in h:
        return Column(Role.GROWTH, header=h)
    if any(w in h for w in ("类别", "领域", "分类", "类型", "方面", "维度", "板块", "类目")) and "名称" not in h:
        return Column(Role.CATEGORY, header=h)
    if any(w in h for w in ("指标", "名称", "项目", "内容")):
        return Column(Role.NAME, header=h)
    return Column(Role.OTHER, header=h)


def _value_column(h: str, ctx: TableContext) -> Column | None:
    """A column of figures by its header: a year, a target word (目标值, 指标值, 期末) or a past one (现状)."""
    bracket = _TRAILING_UNIT.search(h)
    bare = h[: bracket.start()] if bracket and is_unit(bracket.group(1)) else h
    if any(w in bare for w in ("年均增", "增速", "增幅", "年均增长")) and "指标" not in bare:
        return Column(Role.GROWTH, header=h)
    if any(w in bare for w in ("类别", "领域", "分类", "类型", "名称")):
        return None
    years = years_in(bare)
    if years:
        year = max(years)
        past = any(w in bare for w in _PAST) and not any(w in bare for w in ("目标", "预期目标"))
        if past or (ctx.start_year is not None and year < ctx.start_year):
            return Column(Role.BASELINE, year, h)
        return Column(Role.TARGET, year, h)
    if any(w in bare for w in _FUTURE) or "期末" in bare or bare.endswith(("指标值", "目标数")):
        return Column(Role.TARGET, ctx.end_year, h)
    if any(w in bare for w in _PAST):
        return Column(Role.BASELINE, header=h)  # 基期值, 现状值: the plan's base year
    return None


def column_role(header: str) -> Role:
    """The role a header cell gives its column, whatever the plan's period."""
    return _column(header, TableContext("", None, None, None)).role


def header_roles(headers: list[str]) -> list[Role]:
    """The roles of a header's cells, whatever the plan's period."""
    ctx = TableContext("", None, None, None)
    return [col.role for col in _columns(headers, ctx)]


def _columns(headers: list[str], ctx: TableContext) -> list[Column]:
    """Each header cell's column; a column printed before the 序号 is a group of rows (板块, 类目 …)
    whatever its label says."""
    columns = [_column(h, ctx) for h in headers]
    first_index = next((c for c, col in enumerate(columns) if col.role is Role.INDEX), 0)
    return [Column(Role.CATEGORY, header=col.header or fold(headers[c]))
            if c < first_index and col.role is Role.OTHER and headers[c].strip() else col
            for c, col in enumerate(columns)]


def read_header(rows: list[list[str]], ctx: TableContext) -> list[Column]:
    """Combine stacked header rows column by column and give each column its role."""
    width = max(len(r) for r in rows)
    texts = ["".join(r[c] if c < len(r) else "" for r in rows) for c in range(width)]
    columns = _columns(texts, ctx)
    # A header cell spanning two columns (指标名称 over a category and a name) leaves the
    # second one blank: it belongs to the name.
    for c in range(1, width):
        if columns[c].role is Role.OTHER and not texts[c] and columns[c - 1].role is Role.NAME:
            columns[c] = Column(Role.NAME, header=columns[c - 1].header)
    if not any(col.role is Role.NAME for col in columns):
        # 名称 missing: the first text column after index/category holds the names.
        for c, col in enumerate(columns):
            if col.role is Role.OTHER:
                columns[c] = Column(Role.NAME, header=col.header)
                break
    return columns


def _is_index(text: str) -> bool:
    t = text.strip().rstrip("、.．")
    return bool(re.fullmatch(r"\d{1,3}", t)) or (len(t) <= 3 and parse_chinese_integer(t) is not None)


def _looks_like_name(text: str) -> bool:
    t = text.strip()
    return cjk_count(t) >= 2 and t not in ATTRIBUTES and not _is_index(t) and (
        read_value(t) is None or cjk_count(t) >= 4)


def split_name_unit(raw: str) -> tuple[str, str | None]:
    """``地区生产总值（亿元）`` → (地区生产总值, 亿元); prefixes such as 其中： and # are dropped."""
    name = squeeze(raw)
    name = _NAME_PREFIX.sub("", name)
    unit = None
    m = _TRAILING_UNIT.search(name)
    if m and (m.group(1) in UNITS or cjk_count(m.group(1)) <= 4 or "/" in m.group(1)) \
            and not re.search(r"\d+\s*[—\-~～]\s*\d+|含|以上|以下", m.group(1)):
        unit = m.group(1).strip()
        name = name[: m.start()].strip()
    return name, unit


def _unit_cell(text: str) -> str | None:
    t = squeeze(text)
    if not t or t in ("—", "-", "--"):
        return None
    return t.split()[-1] if " " in text.strip() else t


@dataclass(slots=True)
class _Row:
    index: str = ""
    categories: list[str] = field(default_factory=list)
    name: str = ""
    name_line: int = 0
    unit: str = ""
    attribute: str = ""
    responsible: str = ""
    values: dict[int, str] = field(default_factory=dict)  # column index → text


def _positional(cells: list[tuple[str, int]], columns: list[Column]) -> _Row | None:
    row = _Row()
    name_cols = [c for c, col in enumerate(columns) if col.role is Role.NAME]
    for c, col in enumerate(columns):
        if c >= len(cells):
            break
        text, line = cells[c]
        if col.role is Role.INDEX:
            row.index = text
        elif col.role is Role.CATEGORY:
            row.categories.append(text)
        elif col.role is Role.NAME:
            if c == name_cols[-1] or not text:
                if text:
                    row.name, row.name_line = text, line
            elif any(cells[k][0] for k in name_cols if k > c and k < len(cells)):
                row.categories.append(text)  # the first of two name columns is a sub-category
            else:
                row.name, row.name_line = text, line
        elif col.role is Role.UNIT:
            row.unit = text
        elif col.role is Role.ATTRIBUTE:
            row.attribute = text
        elif col.role is Role.RESPONSIBLE:
            row.responsible = text
        elif col.role in VALUE_ROLES:
            row.values[c] = text
    if row.name and not _looks_like_name(row.name):
        return None
    extra = [t for t, _ in cells[len(columns):] if t]
    return None if extra else row


def _by_kind(cells: list[tuple[str, int]], columns: list[Column]) -> _Row | None:
    """Read a shifted row by what each cell looks like, keeping the header's order.

    Text cells before the first value are categories then the name (the last of them);
    numbers before any text are row numbers; cells after the values are units in charge.
    """
    row = _Row()
    value_cols = [c for c, col in enumerate(columns) if col.role in VALUE_ROLES]
    has_responsible = any(col.role is Role.RESPONSIBLE for col in columns)
    texts: list[tuple[str, int]] = []
    values: list[str] = []
    for text, line in cells:
        t = text.strip()
        if not t:
            continue
        if t in ATTRIBUTES:
            row.attribute = t
        elif texts and (read_value(t) is not None or (values and not has_responsible)):
            values.append(t)
        elif not values and not texts and _is_index(t):
            row.index = t
        elif not values and cjk_count(t) >= 1:
            texts.append((t, line))
        elif has_responsible:
            row.responsible = (row.responsible + " " + t).strip()
    names = [(t, ln) for t, ln in texts if _looks_like_name(t)]
    if not names or len(values) > len(value_cols):
        return None
    row.name, row.name_line = names[-1]
    row.categories = [t for t, _ in texts[: texts.index(names[-1])]]
    # Missing values are the leading ones (a blank baseline), so align to the right.
    for c, v in zip(value_cols[len(value_cols) - len(values):], values, strict=True):
        row.values[c] = v
    return row


def _read_row(cells: list[tuple[str, int]], columns: list[Column]) -> _Row | None:
    row = _positional(cells, columns)
    if row is not None and row.name:
        return row
    if row is not None and not any(row.values.values()):
        return row  # a category row such as “一 综合发展质效” or an empty row
    return _by_kind(cells, columns)


@dataclass(slots=True)
class TableReading:
    """The indicators a table gave, and what in it looked like a target but gave none."""

    indicators: list[Indicator] = field(default_factory=list)
    unread: list[Diagnostic] = field(default_factory=list)


def indicators_from_grid(rows: list[list[tuple[str, int]]], caption: str, ctx: TableContext) -> TableReading:
    """Every row of an indicator table that sets a numeric target for a year in the plan period."""
    reading = TableReading()
    first_line = rows[0][0][1] if rows and rows[0] else 0
    if _not_a_target_table(fold(caption)):
        if "指标" in caption:
            reading.unread.append(Diagnostic(ctx.file, first_line, "table", caption, "past_results_caption"))
        return reading
    state = _RowState()
    header_rows: list[list[str]] = []
    for k, cells in enumerate(rows):
        texts = [t for t, _ in cells]
        if len(set(_nonempty(texts))) <= 1 and not state.columns and not header_rows:
            if not caption and _nonempty(texts):
                caption = squeeze(texts[0])  # the caption printed as the grid's first row
            continue  # a caption row inside the grid (one cell, or one cell spanning all columns)
        if (is_header_row(texts) or (not state.columns and not header_rows and _header_by_content(rows, k))) \
                and (not state.columns or header_rows or _same_header(texts, state)):
            header_rows.append(texts)
            continue
        if header_rows:
            header = " | ".join(squeeze(" ".join(h)) for h in zip(*header_rows, strict=False))
            data = [[t for t, _ in r] for r in rows[k:]]
            state.columns = _by_content(read_header(header_rows, ctx), data, caption + header, ctx)
            header_rows = []
            if not _is_indicator_table(state.columns):
                _diagnose_table(reading, state.columns, caption, header, first_line, ctx)
                return reading
        if not state.columns:
            continue
        indicator = _indicator(cells, state, ctx)
        if indicator is not None:
            reading.indicators.append(indicator)
        elif _looks_like_target_row(texts):
            reading.unread.append(Diagnostic(ctx.file, cells[0][1], "table_row", " | ".join(_nonempty(texts)),
                                             "row_without_target"))
    if _allocation_table(reading.indicators):
        return TableReading()
    return reading


_TOTALS = ("合计", "小计", "总计")


def _allocation_table(indicators: list[Indicator]) -> bool:
    """Rows named by departments and towns (区林业局 16.43, 草街街道办事处 14.49, 合计): an
    allocation of money or data among units, not indicators with targets."""
    named = [i.name for i in indicators if i.name not in _TOTALS]
    return len(named) >= 3 and sum(map(is_org_unit_name, named)) >= _CONTENT_SHARE * len(named)


def _header_by_content(rows: list[list[tuple[str, int]]], k: int) -> bool:
    """A first row of short labels above rows of figures is a header, whatever its words."""
    texts = _nonempty([t for t, _ in rows[k]])
    below = [[t for t, _ in r] for r in rows[k + 1: k + 4]]
    return len(texts) >= 3 and len(below) >= 2 and all(
        len(t) <= 12 and not re.search(r"\d", re.sub(r"(?:19|20)\d{2}\s*年?", "", t)) for t in texts) \
        and all(sum(1 for t in r if has_number(t) and not _is_index(t)) >= 1 for r in below)


_CONTENT_SHARE = 0.6  # of a column's filled cells, to give it a role by what it holds
_NAMES_HEADER = re.compile(r"指标|名称|项目|内容")


def _by_content(columns: list[Column], data: list[list[str]], context: str, ctx: TableContext) -> list[Column]:
    """Columns by what they hold where the header's words say nothing or say it otherwise: a column
    of 预期性/约束性 is the attribute, of units the unit, of figures a value; the last column of
    figures under an unnamed header is the target (in the plan's end year) when the table is about
    targets, and the figures before it are the baseline."""
    out = list(columns)
    filled = [[row[c].strip() for row in data if c < len(row) and row[c].strip()] for c in range(len(out))]

    def share(c: int, test: Callable[[str], bool]) -> float:
        cells = filled[c]
        return sum(1 for t in cells if test(t)) / len(cells) if cells else 0.0

    for c, col in enumerate(out):
        if col.role is Role.NAME and not _NAMES_HEADER.search(col.header) \
                and share(c, has_number) >= _CONTENT_SHARE:
            out[c] = Column(Role.OTHER, header=col.header)  # taken for names by its place, but holds figures
    for c, col in enumerate(out):
        if col.role in (Role.OTHER, Role.CATEGORY) and share(c, lambda t: t in ATTRIBUTES) >= _CONTENT_SHARE:
            out[c] = Column(Role.ATTRIBUTE, header=col.header)
        elif col.role is Role.OTHER and share(c, is_unit) >= _CONTENT_SHARE:
            out[c] = Column(Role.UNIT, header=col.header)
    figures = [c for c, col in enumerate(out) if col.role is Role.OTHER and filled[c] and not _numbering(filled[c])
               and share(c, lambda t: has_number(t) or t in _NO_TARGET) >= _CONTENT_SHARE]
    has_target = any(col.role is Role.TARGET and col.year is not None for col in out)
    goalish = any(w in context for w in ("目标", "指标", "规划", "预期")) and not any(
        w in context for w in _PAST_CAPTIONS)
    if figures and not has_target and goalish and ctx.end_year is not None:
        *before, last = figures
        out[last] = Column(Role.TARGET, ctx.end_year, out[last].header)
        for c in before:
            out[c] = Column(Role.BASELINE, header=out[c].header)
    elif figures and has_target:  # figures before the first target are where the plan starts from
        first = next(c for c, col in enumerate(out) if col.role is Role.TARGET)
        for c in (c for c in figures if c < first):
            out[c] = Column(Role.BASELINE, header=out[c].header)
    if not any(col.role is Role.NAME for col in out):
        texts = [c for c, col in enumerate(out) if col.role in (Role.OTHER, Role.CATEGORY) and filled[c]
                 and share(c, lambda t: cjk_count(t) >= 2 and not has_number(t)) >= _CONTENT_SHARE]
        if texts:  # the names are the longest texts
            name = max(texts, key=lambda c: sum(len(t) for t in filled[c]) / len(filled[c]))
            out[name] = Column(Role.NAME, header=out[name].header)
    return out


def _numbering(cells: list[str]) -> bool:
    """A column counting its rows (1, 2, 3 …, restarting at 1 in each group): the 序号 an unnamed
    header leaves, never a column of figures. A page break may spill a few names into it, and a table
    read from the page a break leaves it on counts on from where the page before stopped (6, 7, 8 …)."""
    numbers = [int(t) for t in cells if t.isdigit() and len(t) <= 3]
    if len(numbers) < 2 or len(numbers) < _CONTENT_SHARE * len(cells):
        return False
    if numbers[0] != 1:
        return len(numbers) >= _COUNTED_ON and all(b == a + 1 for a, b in pairwise(numbers))
    return all(b in (a + 1, 1) for a, b in pairwise(numbers))


_COUNTED_ON = 4  # rows counting on, one by one, from a number other than 1


def _diagnose_table(reading: TableReading, columns: list[Column], caption: str, header: str, line: int,
                    ctx: TableContext) -> None:
    """A table with an indicator-like header or caption that was not read: say why."""
    if not any(w in caption + header for w in ("指标", "目标")):
        return
    if any(w in "".join(c.header for c in columns) for w in _PROJECT_WORDS):
        return  # a list of projects, not of indicators
    code = "review_table" if _is_review_table(columns) else "no_target_column"
    reading.unread.append(Diagnostic(ctx.file, line, "table", caption or header, code))


def _looks_like_target_row(texts: list[str]) -> bool:
    """A row naming something and printing a figure (not only its 序号)."""
    cells = _nonempty(texts)
    figures = cells[1:] if cells and _is_index(cells[0]) else cells
    return any(_looks_like_name(t) for t in cells) and any(has_number(t) and not _looks_like_name(t)
                                                           for t in figures)


def _not_a_target_table(caption: str) -> bool:
    return any(w in caption for w in _PAST_CAPTIONS) or (
        any(w in caption for w in _LIST_CAPTIONS) and "指标" not in caption)


def _same_header(texts: list[str], state: _RowState) -> bool:
    """A header repeated after a page break."""
    return fold("".join(texts)) == fold("".join(c.header for c in state.columns))


def _is_indicator_table(columns: list[Column]) -> bool:
    headers = "".join(c.header for c in columns)
    if any(w in headers for w in _PROJECT_WORDS) or _is_review_table(columns):
        return False
    return any(c.role is Role.NAME for c in columns) and any(
        c.role is Role.TARGET and c.year is not None for c in columns)


def _is_review_table(columns: list[Column]) -> bool:
    """The previous plan's targets beside what was achieved (规划目标 | 实际完成 | 完成情况): past results.

    A base-year column (2020年实际) before the targets is not a review; an outcome column is."""
    if any(any(w in c.header for w in _REVIEW_WORDS) for c in columns):
        return True
    targets = [c.year for c in columns if c.role is Role.TARGET and c.year is not None]
    achieved = [c for c in columns if c.role is Role.BASELINE and any(w in c.header for w in ("实际", "完成"))]
    return bool(targets) and any(c.year is None or c.year >= max(targets) for c in achieved)


def _indicator(cells: list[tuple[str, int]], state: _RowState, ctx: TableContext) -> Indicator | None:
    columns = state.columns
    row = _read_row(cells, columns)
    if row is None:
        return None
    category = squeeze(" ".join(c for c in row.categories if c.strip())) if any(
        c.strip() for c in row.categories) else None
    has_values = any(has_number(v) for v in row.values.values())
    if category:
        state.category = _GROUP_NUMBER.sub("", category)
    if row.attribute.strip():
        state.attribute = squeeze(row.attribute)
    if not row.name:
        return None
    if not has_values and not row.unit and not row.attribute and not any(v.strip() for v in row.values.values()):
        # A group row (一、综合发展质效) names the category of the rows below it.
        state.category = _GROUP_NUMBER.sub("", squeeze(row.name))
        return None
    name, bracket_unit = split_name_unit(row.name)
    targets: list[Target] = []
    baseline: str | None = None
    baseline_year: int | None = None
    value_unit: str | None = None
    for c, text in sorted(row.values.items()):
        col = columns[c]
        printed = text.strip()
        if col.role is Role.BASELINE and has_number(printed):
            baseline, baseline_year = printed, col.year
        elif col.role is Role.TARGET and col.year is not None and has_number(printed):
            for year, part in dated_parts(printed):
                reading = read_value(part)
                if reading is None:
                    continue
                value_unit = value_unit or reading.unit
                targets.append(Target(year or col.year, part, reading.value, reading.comparator,
                                      reading.value_high, reading.annual_average, reading.cumulative))
    if not targets or (len(targets) == 1 and _relative_to_another(targets[0].text)):
        targets = _qualitative_targets(row, columns)
    if not targets:
        return None
    measure = _MEASURE_IN_VALUE.match(squeeze(targets[-1].text))
    if measure and not name.endswith(measure.group(1)):
        name += measure.group(1)  # 南溪组团 | 力争产值规模达300亿: the row's quantity is 南溪组团产值规模
    header_unit = next((columns[c].unit for c in sorted(row.values) if columns[c].role is Role.TARGET
                        and columns[c].unit), None)
    unit = _unit_cell(row.unit) or bracket_unit or header_unit or _plain_unit(value_unit)
    if _SUB_ROW.match(squeeze(row.name)):
        unit = unit or state.unit  # 其中 公园绿地: a part of the row above, in its unit
    else:
        state.unit = unit
    return Indicator(
        file=ctx.file,
        line=row.name_line or cells[0][1],
        plan=ctx.plan,
        name=name,
        unit=unit,
        domain=state.category if any(c.role is Role.CATEGORY for c in columns) or state.category else ctx.domain,
        attribute=state.attribute if state.attribute in ATTRIBUTES else None,
        baseline_year=baseline_year,
        baseline=baseline,
        targets=tuple(sorted(targets, key=lambda t: t.year)),
        kind="table",
        source_text="\t".join(t for t, _ in cells),
        responsible=tuple(_split_units(row.responsible)),
    )


# 高于全区税收年均增速3个百分点以上: a margin over another quantity that the plan does not quantify.
_OVER_ANOTHER = re.compile(r"^(?:高于|低于|快于|慢于|超过|不低于|不高于)[\u4e00-\u9fff“”（）()]{3,}\s*\d")
_NO_TARGET = ("—", "-", "--", "/", "－", "——", "…", "无", "不适用")
# What a target in words says: a direction, a level kept, a reference met (not a list of things).
_DIRECTION_WORDS = re.compile(r"提高|提升|降低|下降|减少|增加|增长|保持|稳定|达到|完成|同步|高于|低于|不低于|不高于|控制|"
                              r"趋于|巩固|消除|实现|扩大|缩小|改善|优化|适应|平衡|覆盖|逐年|逐步|持续")


def _relative_to_another(printed: str) -> bool:
    return bool(_OVER_ANOTHER.match(squeeze(to_halfwidth(printed))))


def _qualitative_targets(row: _Row, columns: list[Column]) -> list[Target]:
    """A target cell in words (完成市下达目标, 与全市经济增速保持同步, 高于全市平均水平): a target
    monitored by judgement, kept with its text so that nobody has to add it by hand."""
    out = []
    for c, text in sorted(row.values.items()):
        col, printed = columns[c], squeeze(text)
        if col.role is Role.TARGET and col.year is not None and cjk_count(printed) >= 2 \
                and printed not in _NO_TARGET and _DIRECTION_WORDS.search(printed) and printed.count("、") < 2 \
                and (not has_number(printed) or _relative_to_another(printed)):
            out.append(Target(col.year, printed, None, comparator_of(printed), qualitative=True))
    return out


def _plain_unit(unit: str | None) -> str | None:
    return None if unit in (None, "个百分点", "百分点") else unit


_ORG_SPLIT = re.compile(r"[、，,；;\s]+|(?<=[委局办院会府队部处所站中心])(?=区)")


def _split_units(text: str) -> list[str]:
    """``区发展改革委区卫生健康委`` → two units: exports glue adjacent unit names together."""
    return [p for p in _ORG_SPLIT.split(squeeze(text)) if p]
