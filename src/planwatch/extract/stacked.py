"""Tables printed one cell per line, with no tab or pipe to show where a row ends.

Web pages scraped to text and copy-pastes from Word print every table cell on a line of
its own, with or without blank lines between cells, and nothing between rows::

    类别 / 序号 / 指标 / 单位 / 属性 / 目标
    促发展 / 1 / 片区更新数量 / 个 / 预期性 / 2
    2 / 商办楼宇更新数量 / 个 / 预期性 / 25        ← the merged category is printed once

The header is a run of short lines made of header words (序号, 指标名称, 单位, 2025年目标值 …);
its length is the table's width. Rows are then found from the 序号 sequence (1, 2, 3 …),
which every indicator table of the genre carries, and where a table has no 序号 column,
from the width. Inside a row, cells are put in their columns by what they look like
(a unit, an attribute, a number, a name), because merged cells and empty cells are
simply missing from the text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from planwatch.extract.periods import years_in
from planwatch.extract.tables import ATTRIBUTES, Role, column_role, header_roles
from planwatch.extract.text import cjk_count
from planwatch.extract.values import has_number, is_unit

# A header cell is a label, never a sentence; a data cell may be a longer name or note.
_MAX_HEADER_CELL = 16
MAX_CELL = 60
_MIN_COLUMNS = 3
_MAX_WRAPPED = 2  # lines a row may have beyond its columns: cells wrapped by the export
# Captions, notes and headings after a table are not its cells.
_NOT_A_CELL = re.compile(r"^(表\s*\d|附件|附表|专栏|注[：:]|说明[：:]|资料来源|#|第[一二三四五六七八九十\d]{1,3}[篇章节]|"
                         r"[一二三四五六七八九十]{1,3}、\S{2}|[（(][一二三四五六七八九十]{1,3}[）)]\S{2})")
# A period label alone (“十五五”, 2025年) is the top half of a header cell split over two lines.
_PERIOD_ONLY = re.compile(r"^[“\"]?(?:十[一二三四五六七八九]五|(?:19|20)\d{2}\s*年?)[”\"]?(?:时期|期末|年)?$")
_SUB_HEADER = re.compile(r"^(?:(?:19|20)\d{2}\s*年?(?:目标值?|预期)?|年均增长率?|年均增速|增速|增幅|目标值|预期值|基期值|现状值)$")
_GROUP_HEADER = re.compile(r"目标|规划|预期|期末|十[一二三四五六七八九]五")
_CAPTION = re.compile(r"^(?:表\s*\d+\s*)?[^名称]*(?:主要|核心|发展|规划)指标(?:表|体系|一览表|情况)?$")
_YEARS = re.compile(r"(?:19|20)\d{2}\s*年?")
_EMPTY_MARKS = ("—", "-", "--", "/", "－", "——", "无", "…")


@dataclass(frozen=True, slots=True)
class StackedCell:
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class StackedTable:
    header: list[StackedCell]
    rows: list[list[StackedCell]]  # each row has the header's width; "" where a cell is missing
    consumed: int  # how many input cells the table took


def is_header_cell(text: str) -> bool:
    """A column label: short, no figure but a year, a word that gives the column a role."""
    t = text.strip()
    if not 0 < len(t) <= _MAX_HEADER_CELL or "。" in t or t in ATTRIBUTES:
        return False
    if re.search(r"\d", _YEARS.sub("", t)):
        return False  # 2027年60%: a value that names its year
    return bool(_PERIOD_ONLY.match(t)) or column_role(t) is not Role.OTHER or t in ("备注", "说明")


_GROUP_LABEL = re.compile(r"^[\u4e00-\u9fff]{2,6}$")


def opens_header(first: str, second: str) -> bool:
    """Where a header may begin: a header cell, or a group label (板块) printed before 序号."""
    return is_header_cell(first) or (bool(_GROUP_LABEL.match(first.strip()))
                                     and column_role(second) is Role.INDEX)


def _join_split_headers(cells: list[StackedCell]) -> list[StackedCell]:
    """“十五五” / 目标值 printed on two lines are one header cell."""
    out: list[StackedCell] = []
    for cell in cells:
        prev = out[-1] if out else None
        if prev is not None and _PERIOD_ONLY.match(prev.text) and not years_in(cell.text) \
                and column_role(cell.text) in (Role.TARGET, Role.BASELINE):
            out[-1] = StackedCell(prev.text + cell.text, prev.line)
        else:
            out.append(cell)
    return out


def header_at(cells: Sequence[StackedCell], start: int) -> list[StackedCell] | None:
    """The header run starting at ``start``, if these lines are the header of an indicator table."""
    if _CAPTION.match(cells[start].text):
        return None  # 主要指标 above the table names it; the header starts on the next line
    run: list[StackedCell] = []
    for cell in cells[start:]:
        if not (is_header_cell(cell.text) or (not run and start + 1 < len(cells)
                                               and opens_header(cell.text, cells[start + 1].text))):
            break
        run.append(cell)
    header = _join_split_headers(run)
    if len(header) < _MIN_COLUMNS:
        return None
    roles = header_roles([c.text for c in header])
    has_name = Role.NAME in roles or any("指标" in c.text for c in header)
    has_value = any(r in (Role.TARGET, Role.BASELINE) for r in roles)
    if not (has_name and has_value):
        return None
    # A list of short headings is not a header: a header has several distinct roles, or year columns.
    year_columns = sum(1 for c in header if years_in(c.text))
    return header if len({r for r in roles if r is not Role.OTHER}) >= 3 or year_columns >= 2 else None


def _kind_fit(text: str, role: Role) -> int:
    """How well a cell's text suits a column role: 2 typical, 1 possible, -3 impossible."""
    t = text.strip()
    is_index = bool(re.fullmatch(r"\d{1,3}[.、．]?", t))
    is_attribute = t in ATTRIBUTES
    unit = is_unit(t)
    is_value = (has_number(t) and cjk_count(t) <= 8) or t in _EMPTY_MARKS
    is_text = cjk_count(t) >= 2 and not is_attribute
    if role is Role.INDEX:
        return 2 if is_index else -3
    if role is Role.ATTRIBUTE:
        return 2 if is_attribute else -3
    if role is Role.UNIT:
        return 2 if unit or t in _EMPTY_MARKS else (0 if len(t) <= 5 and not has_number(t) else -3)
    if role in (Role.TARGET, Role.BASELINE, Role.GROWTH):
        if is_value:
            return 2
        return 1 if not is_attribute and not unit and len(t) <= 30 else -3  # 完成市下达目标
    if role in (Role.NAME, Role.CATEGORY):
        return 2 if is_text and not unit and not (has_number(t) and cjk_count(t) < 2) else -3
    if role is Role.RESPONSIBLE:
        return 1 if is_text else -1
    return 0


def place(cells: Sequence[StackedCell], roles: Sequence[Role]) -> tuple[int, list[StackedCell | None]]:
    """Put a row's cells into its columns in order, by kind: the best placement and its fit.
    A row with more lines than columns has a cell wrapped over lines: the wrapped parts are
    joined where that fits best (与全市经济增速 / 保持同步 is one target cell)."""
    if len(cells) > len(roles):
        if len(cells) > len(roles) + _MAX_WRAPPED:
            return -99, []
        joins = [[*cells[:k], StackedCell(cells[k].text + cells[k + 1].text, cells[k].line), *cells[k + 2:]]
                 for k in range(len(cells) - 1) if _wraps(cells[k].text, cells[k + 1].text)]
        return max((place(joined, roles) for joined in joins), key=lambda found: found[0], default=(-99, []))
    best: tuple[int, list[StackedCell | None]] = (-99, [])
    for slots in itertools.combinations(range(len(roles)), len(cells)):
        score = sum(_kind_fit(c.text, roles[s]) for c, s in zip(cells, slots, strict=True))
        # a missing category or baseline is ordinary; a missing name or target is not
        score -= sum(2 for k, r in enumerate(roles) if k not in slots and r in (Role.NAME, Role.TARGET))
        if score > best[0]:
            placed: list[StackedCell | None] = [None] * len(roles)
            for c, s in zip(cells, slots, strict=True):
                placed[s] = c
            best = (score, placed)
    return best


def _wraps(first: str, rest: str) -> bool:
    """Two lines that may be one cell wrapped: text going on in text, never a number, unit or attribute."""
    return cjk_count(first) >= 2 and cjk_count(rest) >= 2 and first not in ATTRIBUTES and rest not in ATTRIBUTES \
        and not is_unit(rest) and not re.fullmatch(r"[\d.%％<>≥≤＞＜]+", rest) and len(first + rest) <= MAX_CELL


def _index_value(text: str) -> int | None:
    t = text.strip().rstrip(".、．")
    return int(t) if re.fullmatch(r"\d{1,3}", t) else None


def _rows_by_index(cells: Sequence[StackedCell], roles: Sequence[Role]) -> list[tuple[int, int]]:
    """Row spans (start, end) found from the 序号 sequence 1, 2, 3 …; a numbered row may be
    followed by its unnumbered sub-rows (其中 公园绿地 | 58.46 | 17.5)."""
    index_col = roles.index(Role.INDEX)
    after = len(roles) - index_col - 1  # cells a row has after its number
    spans: list[tuple[int, int]] = []
    # the first row: its leading cells (categories) come before the first “1”
    first = next((k for k in range(min(len(cells), index_col + 2)) if _index_value(cells[k].text) == 1), None)
    if first is None:
        return []
    start, at, number = 0, first, 1
    while True:
        nxt = _next_index(cells, at, number + 1, after, index_col, len(roles))
        parts = _sub_row_starts(cells, at, nxt if nxt is not None else len(cells))
        bounds = [start, *parts]
        spans.extend(itertools.pairwise(bounds))
        last = bounds[-1]
        if nxt is None:  # the last row: as long as its cells fit their columns
            ends = range(min(len(cells), max(at, last) + after + 1 + _MAX_WRAPPED), last, -1)
            spans.append((last, max(ends, key=lambda e: place(cells[last:e], roles)[0])))
            return spans
        # cells between the end of this row and the next number are the next row's categories,
        # or the wrapped end of one of this row's cells
        row_end = max(range(last + 1, nxt + 1),
                      key=lambda e: place(cells[last:e], roles)[0] + _leading_fit(cells[e:nxt], index_col))
        spans.append((last, row_end))
        start, at, number = row_end, nxt, number + 1


_SUB_ROW = re.compile(r"^(?:其中|[#＃※]|含)")


def _sub_row_starts(cells: Sequence[StackedCell], at: int, stop: int) -> list[int]:
    """Where unnumbered sub-rows begin inside a numbered row's cells."""
    return [k for k in range(at + 2, stop) if _SUB_ROW.match(cells[k].text) and cjk_count(cells[k].text) >= 3]


def _leading_fit(cells: Sequence[StackedCell], index_col: int) -> int:
    """How well cells before a row's number read as that row's category cells."""
    if len(cells) > index_col:
        return -99
    return sum(_kind_fit(c.text, Role.CATEGORY) for c in cells)


def _next_index(cells: Sequence[StackedCell], at: int, number: int, after: int, index_col: int,
                width: int) -> int | None:
    """Where the number ``number`` opens the next row: nearest to a full row after ``at``
    (a cell wrapped over lines makes a row longer by a line or two, a sub-row by a row)."""
    nominal = at + after + 1
    limit = nominal + index_col + 1 + _MAX_WRAPPED
    limit += width * len(_sub_row_starts(cells, at, min(len(cells), limit)))
    candidates = [k for k in range(at + 2, min(len(cells), limit)) if _index_value(cells[k].text) == number]
    if not candidates:
        return None
    # prefer the full-width position (+ leading categories), then the nearest shorter row
    return min(candidates, key=lambda k: (0 if nominal <= k <= nominal + index_col else 1, abs(k - nominal)))


def _rows_by_width(cells: Sequence[StackedCell], roles: Sequence[Role]) -> list[tuple[int, int]]:
    """Without 序号: a full row, or one without its leading category cells (merged above)."""
    width = len(roles)
    leading = 0
    while leading < width and roles[leading] is Role.CATEGORY:
        leading += 1
    spans = []
    at = 0
    while at < len(cells):
        full = place(cells[at: at + width], roles)[0] if at + width <= len(cells) else -99
        short = place(cells[at: at + width - leading], roles[leading:])[0] \
            if leading and at + width - leading <= len(cells) else -99
        if full < 0 and short < 0:
            break
        size = width if full >= short else width - leading
        spans.append((at, at + size))
        at += size
    return spans


def stacked_table(cells: Sequence[StackedCell], start: int) -> StackedTable | None:
    """The table whose header starts at ``start`` in a run of one-cell lines, or None."""
    header = header_at(cells, start)
    if header is None:
        return None
    label = 0 if is_header_cell(cells[start].text) else 1  # a group label (板块) before 序号
    raw_header_len = label + next(k for k in range(len(cells) - start - label + 1)
                                  if k == len(cells) - start - label
                                  or not is_header_cell(cells[start + label + k].text))
    body_start = start + raw_header_len
    body: list[StackedCell] = []
    groups: dict[int, StackedCell] = {}  # group rows (一、环境质量), by the body position they stand before
    numbered = Role.INDEX in header_roles([c.text for c in header])
    for k, cell in enumerate(cells[body_start:], start=body_start):
        if _GROUP_ROW.match(cell.text) and k + 1 < len(cells) and _opens_row(cells[k + 1].text, numbered):
            groups[len(body)] = cell  # a group's title above its first row, not the heading after the table
            continue
        if len(cell.text) > MAX_CELL or _NOT_A_CELL.match(cell.text) or (
                cell.text.endswith("。") and len(cell.text) > 30):
            break
        body.append(cell)
    best: tuple[tuple[int, int], list[StackedCell], list[list[StackedCell]], int] | None = None
    for candidate in _header_readings(header):
        roles = header_roles([c.text for c in candidate])
        rows, used, fit = _rows(body, roles, groups)
        if rows and (best is None or (len(rows), fit) > best[0]):
            best = ((len(rows), fit), candidate, rows, used)
    if best is None:
        return None
    _, header, rows, used = best
    return StackedTable(header, rows, raw_header_len + used + sum(1 for at in groups if at < used))


def _opens_row(text: str, numbered: bool) -> bool:
    """The cell a row starts with: its number, or (in a table without 序号) its name."""
    if numbered:
        return _index_value(text) is not None
    return cjk_count(text) >= 2 and len(text) <= MAX_CELL and not _NOT_A_CELL.match(text) and not text.endswith("。")


_GROUP_ROW = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[）)])\s*[\u4e00-\u9fff“”]{2,16}$")


def _rows(body: Sequence[StackedCell], roles: list[Role], groups: dict[int, StackedCell]
          ) -> tuple[list[list[StackedCell]], int, int]:
    """The rows the body gives under these columns, how many cells they take, and how well they fit;
    a group's title becomes a row of its own, in the category column or else the name column."""
    spans = _rows_by_index(body, roles) if Role.INDEX in roles else _rows_by_width(body, roles)
    group_column = roles.index(Role.CATEGORY) if Role.CATEGORY in roles else roles.index(Role.NAME) \
        if Role.NAME in roles else 0
    rows: list[list[StackedCell]] = []
    total = 0
    used = 0
    for a, b in spans:
        fit, placed = place(body[a:b], roles)
        if fit < 0 or not placed:
            break
        if a in groups:
            title = groups[a]
            rows.append([title if c == group_column else StackedCell("", title.line) for c in range(len(roles))])
        total += fit
        used = b
        rows.append([c if c is not None else StackedCell("", body[a].line) for c in placed])
    return rows, used, total


def _header_readings(header: list[StackedCell]) -> list[list[StackedCell]]:
    """The header as printed, and read as two levels when it ends in sub-headers of a group cell:
    类别 | 指标 | 2025年 | “十五五”目标 | 属性 | 2030年 | 年均增长 — the last two belong under the group."""
    tail = 0
    while tail < len(header) and _SUB_HEADER.match(header[len(header) - 1 - tail].text):
        tail += 1
    if tail < 2:
        return [header]
    top = header[: len(header) - tail]
    group = next((k for k in range(len(top) - 1, -1, -1) if _GROUP_HEADER.search(top[k].text)
                  and not years_in(re.sub(r"[“\"]?十[一二三四五六七八九]五[”\"]?", "", top[k].text))), None)
    if group is None:
        return [header]
    under = [StackedCell(top[group].text + sub.text, sub.line) for sub in header[len(top):]]
    return [header, [*top[:group], *under, *top[group + 1:]]]

