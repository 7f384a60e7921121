"""Tables without vertical rules: three-line tables (三线表) and borderless tables of aligned columns.

Plans printed from Word often set their indicator table with horizontal rules only (a top
rule, a rule under the header, a bottom rule) or with no rule at all, the columns kept
apart by white space. Such a table is found by its header: a printed line of at least
three words set apart by wide gaps, two of them words that name table columns (序号,
指标名称, 单位, 2025年 …). Ordinary text never has that: paragraphs are set solid, two-column
text has two words a line, and contents entries run into their page numbers by dot leaders.

Below the header the table goes on while its lines keep to the columns (a line whose
words would bridge the gap between two columns — a paragraph — ends it) and, where the
table has rules, until the rule after which nothing fits. Columns are the x-extents of
the words, widened as rows are read; rows start at a rule between rows, or, between two
lines that open rows (text in the number column 序号; where there is none or it is empty,
words in two columns one of which is a value or an attribute), at the widest gap, so that
a cell wrapped over two lines — set at the top or the middle of its row — stays one cell. A table that runs down to the foot of its page
goes on atop the next with the same columns, whether its header is printed again (then it
is found by it) or not. The result is the grid a ruled table gives
(:class:`~planwatch.ingest.pdf.tables.RuledTable`), so that reading cells, joining
tables over page breaks and extraction work unchanged.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

from planwatch.ingest.pdf.lines import text_line
from planwatch.ingest.pdf.page import Glyph, Rule, is_page_number
from planwatch.ingest.pdf.tables import RuledTable, Segment, merge_segments
from planwatch.ingest.pdf_tolerances import TOLERANCES

_WORD_GAP = TOLERANCES.word_gap
_COLUMN_GAP = TOLERANCES.column_gap
_ROW_GAP = TOLERANCES.row_gap
_HEADER_GAP = TOLERANCES.header_gap
_WRAPPED_GAP = TOLERANCES.wrapped_gap
_OVERLAP = TOLERANCES.overlap
_CENTRED = TOLERANCES.centred
_TIE = TOLERANCES.tie
_HEAD_LINES = TOLERANCES.head_lines
_HEADER_LINES = TOLERANCES.header_lines
_SPREAD_NAME = TOLERANCES.spread_name
# What a table prints on every row, never wrapped: a value (≥90, <0.019, 7.5*, 【120】, 100%, 50左右) or
# an indicator's attribute.
_FIGURE = r"[<>≥≤＜＞≧≦]?[【\[]?[-+]?\d[\d.,]*[】\]]?[%％‰*]?"
# ... or several, a list, a ratio or a range (0.2%、17.2%; 6.5:2.5:1; 60%—85%).
ROW_WORD = re.compile(rf"^(?:{_FIGURE}(?:[、/:：～~—\-]{_FIGURE})*(?:左右|以上|以下)?|约束性|预期性)$")
_NUMBER_COLUMN = re.compile(r"^(序号|编号)$")
# Columns whose cell is merged over a group of rows, its text printed once (at the group's middle).
_GROUP_COLUMN = re.compile(r"^(?:指标)?(?:类别|类型|领域|分类|板块|方面|维度)$|^一级指标$")
_INDEX = re.compile(r"^(?:\d{1,3}|[一二三四五六七八九十]{1,3})[、.．]?$")
_HEADER_WORD = re.compile(
    r"^(?:序号|编号|类别|类型|领域|分类|一级指标|二级指标|指标|指标名称|具体指标|主要指标|指标内容|名称|"
    r"单位|计量单位|属性|指标属性|性质|目标值?|预期值?|规划值?|基期值?|基准值?|现状值?|备注|"
    r"责任单位|牵头单位|责任部门|年均增长|年均增速|[（(](?:19|20)\d{2}年[）)]|"
    r"(?:19|20)\d{2}年(?:目标值?|预期值?|规划值?|基期值?|现状值?|基准值?|预计值?|完成值?|实际值?)?|"
    r"[“\"]?十[一二三四五六七八九]五[”\"]?(?:时期|期末)?(?:规划|预期)?(?:目标值?|预期值?|完成值?|现状值?|规划值?))$")


Named = list[tuple[tuple[float, float], str]]  # a header's words (x0, x1) and their texts


class _Line:
    """A printed line's characters and its words: the runs of characters set apart by wide gaps.

    Every line of a page is split into words to look for header rows; its height is needed only near one.
    """

    def __init__(self, glyphs: list[Glyph]) -> None:
        glyphs.sort(key=_left)
        self.glyphs = glyphs
        self.size = max(g.size for g in glyphs)
        gap = _WORD_GAP * self.size
        words: list[tuple[float, float]] = []
        start, end = glyphs[0].x0, glyphs[0].x1
        for glyph in glyphs:
            if glyph.x0 - end > gap:
                words.append((start, end))
                start, end = glyph.x0, glyph.x1
            elif glyph.x1 > end:
                end = glyph.x1
        words.append((start, end))
        self.words = words

    @cached_property
    def top(self) -> float:
        return min(g.top for g in self.glyphs)

    @cached_property
    def bottom(self) -> float:
        return max(g.bottom for g in self.glyphs)


def _left(glyph: Glyph) -> float:
    return glyph.x0


@dataclass(frozen=True, slots=True)
class Layout:
    """The columns of a table that runs down to its page's foot, to read its rest atop the next page
    when the header is not printed again."""

    extents: list[tuple[float, float]]
    size: float
    number_column: tuple[float, float] | None
    group_columns: tuple[tuple[float, float], ...] = ()  # columns a category is printed once a group in


def find_open_tables(rows: Sequence[list[Glyph]], rules: Sequence[Rule],
                     carried: Layout | None = None) -> tuple[list[RuledTable], Layout | None]:
    """Tables of at least three columns under a header row, without vertical rules, top to bottom; and
    the layout of the last one if it runs down to the foot of the page.

    ``rows``: the characters of each printed line outside ruled tables (:func:`~planwatch.ingest.pdf.lines.glyph_rows`,
    which the reader makes text lines of too). ``carried``: the layout of the previous page's table that
    ran down to its foot; the lines atop this page that keep to its columns are its rest.
    """
    lines = [_Line(row) for row in rows]
    # A row's border is often drawn cell by cell: collinear pieces that touch are one rule.
    horizontal = [Rule(s.start, s.at, s.end, s.at) for s in merge_segments([Segment(r.top, r.x0, r.x1)
                                                                           for r in rules if r.horizontal])]
    tables: list[RuledTable] = []
    layout: Layout | None = None
    after = 0  # the first line after the last table
    rest = _rest(lines, carried, horizontal) if carried is not None else None
    if rest is not None:
        grid, after, layout = rest
        tables.append(grid)
    k = after
    while k < len(lines):
        header = _header_at(lines, k, horizontal)
        table = _table(lines, k, *header, horizontal) if header is not None else None
        if table is None:
            k += 1
            continue
        grid, after, layout = table
        tables.append(grid)
        k = after
    return tables, layout if _at_foot(lines, after) else None


def _at_foot(lines: list[_Line], after: int) -> bool:
    """Whether nothing but the page number follows line ``after``."""
    return all(len(line.words) == 1 and is_page_number(_word_texts(line)[0]) for line in lines[after:])


def _word_texts(line: _Line) -> list[str]:
    return [text_line([g for g in line.glyphs if x0 <= g.x0 and g.x1 <= x1]).text.replace(" ", "")
            for x0, x1 in line.words]


def _named_words(line: _Line) -> list[tuple[tuple[float, float], str]]:
    """The line's words and their texts, a column name whose characters are spread over its cell (序　号,
    Word's distributed alignment) joined again."""
    words = list(zip(line.words, _word_texts(line), strict=True))
    joined: list[tuple[tuple[float, float], str]] = []
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + _SPREAD_NAME), i + 1, -1):
            run = words[i:j]
            text = "".join(t for _, t in run)
            if all(len(t) == 1 for _, t in run) and _HEADER_WORD.match(text):
                joined.append(((run[0][0][0], run[-1][0][1]), text))
                i = j
                break
        else:
            joined.append(words[i])
            i += 1
    return joined


def _header_at(lines: list[_Line], k: int, rules: list[Rule]) -> tuple[int, Named] | None:
    """The header row starting at line ``k``: the index of its last line and its column names, if at least
    three columns and two of them name columns (序号, 指标名称, 2025年 …).

    A header cell's name may wrap (指标属/性, “十四五”预期目/标), each cell set at the middle of the row,
    and a header may have two rows, a cell over two columns (指标值 over 2020年 and 2025年), so that a
    header prints as two or three lines stacked closer than a paragraph's, none of which need hold every
    column: see :func:`_stacked_header`.
    """
    first = lines[k]
    last = k
    while last + 1 < len(lines) and last - k < _HEADER_LINES - 1 \
            and abs(lines[last + 1].size - first.size) <= 0.2 * first.size \
            and lines[last + 1].top - lines[last].bottom <= _WRAPPED_GAP * first.size:
        last += 1
    band = lines[k:last + 1]
    if sum(len(line.words) for line in band) < 3 or all(len(line.words) < 2 for line in band):
        return None
    if len(first.words) >= 3 and (named := _named_words(first)) and _names_columns(named):
        return k, named  # one line
    if last == k:
        return None
    stacked = _stacked_header(band, rules)
    return (last, stacked) if len(stacked) >= 3 and _names_columns(stacked) else None


def _stacked_header(band: list[_Line], rules: list[Rule]) -> Named:
    """The columns of a header printed over several lines, left to right: the words of the lines joined
    column by column, top to bottom; a word over two columns or more (a cell spanning them, set at its
    middle, often with a rule under it) names each of them, before its own name."""
    placed = [(k, word, text) for k, line in enumerate(band) for word, text in _named_words(line)]
    labels: dict[int, list[int]] = {}
    for i, (k, word, _) in enumerate(placed):
        spanned = _spanned(placed, k, word, band, rules)
        if len(spanned) >= 2:
            labels[i] = spanned
    stacked: list[tuple[tuple[float, float], str]] = []
    for i, (_, (x0, x1), text) in enumerate(placed):
        if i in labels:
            continue
        at = next((n for n, ((a, b), _) in enumerate(stacked) if x0 < b and a < x1), None)
        if at is None:
            stacked.append(((x0, x1), text))
        else:
            (a, b), above = stacked[at]
            stacked[at] = ((min(a, x0), max(b, x1)), above + text)
    for i, spanned in sorted(labels.items()):
        for j in spanned:
            (a, b) = placed[j][1]
            at = next(n for n, ((c, d), _) in enumerate(stacked) if a < d and c < b)
            stacked[at] = (stacked[at][0], placed[i][2] + stacked[at][1])
    return sorted(stacked)


def _spanned(placed: list[tuple[int, tuple[float, float], str]], k: int, word: tuple[float, float],
             band: list[_Line], rules: list[Rule]) -> list[int]:
    """The words of lower header lines that a word of line ``k`` spans: those over which a rule under it
    runs, or, with no such rule, the two it is set between, if it is on the header's top line."""
    centre = (word[0] + word[1]) / 2
    lower = [j for j, (m, _, _) in enumerate(placed) if m > k and band[m].top >= band[k].bottom - _OVERLAP * band[k].size]
    if not lower:
        return []
    width = max(b for _, (_, b), _ in placed) - min(a for _, (a, _), _ in placed)
    for rule in rules:
        if band[k].bottom - 1.0 <= rule.top and rule.x0 - 1.0 <= centre <= rule.x1 + 1.0 \
                and rule.x1 - rule.x0 < 0.9 * width:
            under = [j for j in lower if band[placed[j][0]].top >= rule.top - 1.0
                     and rule.x0 - 1.0 <= sum(placed[j][1]) / 2 <= rule.x1 + 1.0]
            if under:
                return under
    margin = _COLUMN_GAP * band[k].size
    if k or any(a - margin <= centre <= b + margin for _, (a, b), _ in (placed[j] for j in lower)):
        return []
    line = min(placed[j][0] for j in lower)
    left = [j for j in lower if placed[j][0] == line and placed[j][1][1] < centre]
    right = [j for j in lower if placed[j][0] == line and placed[j][1][0] > centre]
    if not left or not right:
        return []
    return [max(left, key=lambda j: placed[j][1][1]), min(right, key=lambda j: placed[j][1][0])]


def _names_columns(words: list[tuple[tuple[float, float], str]]) -> bool:
    return sum(1 for _, text in words if _HEADER_WORD.match(text)) >= 2


def _header_columns(line: _Line) -> list[tuple[tuple[float, float], str]] | None:
    """The line's words, if it is a table's header row: two of them at least name columns."""
    words = _named_words(line)
    return words if _names_columns(words) else None


def _all_header_words(line: _Line) -> bool:
    return all(_HEADER_WORD.match(text) for _, text in _named_words(line))


class _Columns:
    """Column x-extents, widened by every word that falls in one; a word bridging two does not fit.

    A header's words only start the columns off: the first word of the body that falls in a column sets
    where its text is printed, as a header cell may span columns the body keeps apart — a name cell over
    the number and name columns (指标名称 over 序号 too), a caption printed in the header's first cell, a
    name over a parent's and its parts' columns (新增资源量 | 煤层气).
    """

    def __init__(self, words: list[tuple[float, float]], size: float, printed: bool = False) -> None:
        self.size = size
        self.margin = _COLUMN_GAP * size
        self.extents: list[tuple[float, float]] = []
        for x0, x1 in sorted(words):  # a header's stacked lines (2025年 over 目标值) name one column
            if self.extents and x0 < self.extents[-1][1] + self.margin:
                self.extents[-1] = (self.extents[-1][0], max(self.extents[-1][1], x1))
            else:
                self.extents.append((x0, x1))
        # the columns whose extent is still their header's (``printed``: extents read from a body already)
        self._headed = [not printed] * len(self.extents)

    def fit(self, words: list[tuple[float, float]]) -> bool:
        columns = list(zip(self.extents, self._headed, strict=True))
        for x0, x1 in words:
            hit = [i for i, ((a, b), _) in enumerate(columns) if x0 < b + self.margin and a - self.margin < x1]
            if len(hit) > 1:
                return False
            if hit:
                (a, b), headed = columns[hit[0]]
                columns[hit[0]] = ((x0, x1) if headed else (min(a, x0), max(b, x1)), False)
            else:
                columns.append(((x0, x1), False))
            columns.sort()
            if any(b + self.margin > c for ((_, b), _), ((c, _), _) in pairwise(columns)):
                return False
        self.extents = [extent for extent, _ in columns]
        self._headed = [headed for _, headed in columns]
        return True

    def index(self, word: tuple[float, float]) -> int:
        """The column a word is in; a header's word (a column's name) in the column nearest to it, which
        the body may have printed narrower than its name or apart from it."""
        return next((i for i, (a, b) in enumerate(self.extents) if word[0] < b + self.margin and a - self.margin < word[1]),
                    min(range(len(self.extents)), key=lambda i: abs(sum(self.extents[i]) - sum(word))))

    def borders(self) -> list[float]:
        inner = [(b + c) / 2 for (_, b), (c, _) in pairwise(self.extents)]
        return [self.extents[0][0] - 1.0, *inner, max(b for _, b in self.extents) + 1.0]


def _covering(rules: list[Rule], left: float, right: float, size: float) -> list[float]:
    """Heights of the rules that span from ``left`` to ``right`` (a table's rules run across all its columns)."""
    return sorted(r.top for r in rules if r.x0 <= left + size and r.x1 >= right - size)


def _table(lines: list[_Line], k: int, end: int, named: list[tuple[tuple[float, float], str]],
           rules: list[Rule]) -> tuple[RuledTable, int, Layout] | None:
    """The table whose header row is printed on lines ``k`` to ``end``, the index of the first line after
    it, and its layout."""
    header = lines[k]
    size = header.size
    heights = _covering(rules, named[0][0][0], named[-1][0][1], size)
    top_rule = max((y for y in heights if header.top - _HEADER_GAP * size <= y <= header.top), default=None)
    first = k
    while first > 0 and (lines[first - 1].top > top_rule if top_rule is not None
                         else header.top - lines[first - 1].bottom <= _WORD_GAP * size
                         and _all_header_words(lines[first - 1])):
        first -= 1
    header = lines[end]
    below = [y for y in heights if y >= header.bottom]
    header_rule = next((y for y in below if y - header.bottom <= _HEADER_GAP * size), None)
    last = end
    while last + 1 < len(lines) and (lines[last + 1].bottom < header_rule if header_rule is not None
                                     else lines[last + 1].top - lines[last].bottom <= _WORD_GAP * size
                                     and _all_header_words(lines[last + 1])):
        last += 1
    heads = [w for w, _ in _stacked_header(lines[first:last + 1], rules)]
    columns = _Columns(heads, size)
    if len({columns.index(word) for word, _ in named}) < 3:
        return None
    number_column = next((word for word, text in named if _NUMBER_COLUMN.match(text)), None)
    row_rules = [y for y in below if header_rule is None or y > header_rule + 1.0]
    body = _body(lines, last + 1, lines[last], columns, row_rules)
    if not any(len(line.words) >= 2 for line in body):
        return None
    number_column = number_column or _index_column(body, columns)
    groups = tuple(word for word, text in named if _GROUP_COLUMN.match(text))
    layout = Layout(columns.extents, size, number_column, groups)
    top = lines[first].top - 0.5
    after = last + 1 + len(body)
    return _grid(top, [(lines[last].bottom + body[0].top) / 2], body, row_rules, layout, _at_foot(lines, after),
                 heads), after, layout


def _rest(lines: list[_Line], carried: Layout, rules: list[Rule]) -> tuple[RuledTable, int, Layout] | None:
    """The rest of the previous page's table atop this page: lines keeping to its columns, from the first
    holding words in two columns and the lines close above it that keep to them too (a running head over
    the text is passed over)."""
    start = next((k for k, line in enumerate(lines[:_HEAD_LINES + 1]) if len(line.words) >= 2), None)
    if start is None or _header_at(lines, start, rules) is not None:
        return None  # the header printed again: the table is found by it
    columns = _Columns(carried.extents, carried.size, printed=True)
    if not columns.fit(lines[start].words):
        return None
    while start > 0 and lines[start].top - lines[start - 1].bottom <= _ROW_GAP * carried.size \
            and columns.fit(lines[start - 1].words):
        start -= 1  # the rest of a row the page break cut, its wrapped name alone on its lines
    left, right = carried.extents[0][0], carried.extents[-1][1]
    row_rules = _covering(rules, left, right, carried.size)
    body = [lines[start], *_body(lines, start + 1, lines[start], columns, row_rules)]
    layout = Layout(columns.extents, carried.size, carried.number_column, carried.group_columns)
    after = start + len(body)
    return _grid(body[0].top - 0.5, [], body, row_rules, layout, _at_foot(lines, after)), after, layout


def _body(lines: list[_Line], start: int, above: _Line, columns: _Columns, rules: list[float]) -> list[_Line]:
    """The lines from ``start`` that go on with the table whose line above is ``above``."""
    size = columns.size
    body: list[_Line] = []
    for end in range(start, len(lines)):
        line = lines[end]
        previous = body[-1] if body else above
        crossed = any(previous.bottom <= y <= line.top for y in rules)
        if (line.top - previous.bottom > _ROW_GAP * size or abs(line.size - size) > 0.2 * size
                or (crossed and not _band_has_row(lines, end, rules)) or not columns.fit(line.words)
                or (len(line.words) >= 3 and _header_columns(line) is not None)
                or (len(line.words) == 1 and is_page_number(_word_texts(line)[0]))):
            break
        body.append(line)
    # A line of one word under the last row is a heading or a note unless set as close as a cell's wrapped line.
    while body and len(body[-1].words) == 1 \
            and body[-1].top - (body[-2] if len(body) > 1 else above).bottom > _WRAPPED_GAP * size:
        body.pop()
    return body


def _grid(top: float, borders: list[float], body: list[_Line], rules: list[float], layout: Layout,
          open_end: bool, heads: Sequence[tuple[float, float]] = ()) -> RuledTable:
    """The table as a ruled table's grid: column borders midway between columns, row borders as read, a
    category printed once for its group merged over the group's rows, a header cell (``heads``: the words
    of the header row, the first row) over the columns its name spans. ``open_end``: the table runs down
    to the page's foot (and may go on atop the next)."""
    columns = _Columns(layout.extents, layout.size, printed=True)
    anchor = columns.index(layout.number_column) if layout.number_column is not None else None
    groups = frozenset(columns.index(extent) for extent in layout.group_columns)
    ys = [top, *borders, *_row_borders(body, rules, columns, anchor, groups), body[-1].bottom + 0.5]
    extents, spans = _headed(columns, heads)
    xs = _Columns(extents, layout.size, printed=True).borders()
    region = {(r, c): (r, c) for r in range(len(ys) - 1) for c in range(len(xs) - 1)}
    for spanned in spans:
        for c in spanned[1:]:
            region[0, c] = (0, spanned[0])
    for extent in layout.group_columns:
        column = columns.index(extent)
        for first, last in _groups(_blocks_in(body, columns, column), ys[len(borders):], columns.size, open_end):
            for r in range(first, last + 1):
                region[len(borders) + r, column] = (len(borders) + first, column)
    return RuledTable(xs, ys, region)


def _headed(columns: _Columns, heads: Sequence[tuple[float, float]]) -> tuple[list[tuple[float, float]], list[list[int]]]:
    """The columns widened by the header's words over them, so that a name wider than its column's texts
    (指标属性 over 预期性) stays whole in its cell; and the columns each header word spans that the body
    prints apart (指标名称 over the number and name columns), whose header cells are one."""
    extents = list(columns.extents)
    spans = []
    for x0, x1 in heads:
        over = [i for i, (a, b) in enumerate(extents) if x0 < b - columns.margin and a + columns.margin < x1]
        if len(over) > 1:
            spans.append(over)
        first, last = (over[0], over[-1]) if over else (columns.index((x0, x1)),) * 2
        if first == 0 or extents[first - 1][1] + columns.margin < x0:
            extents[first] = (min(extents[first][0], x0), extents[first][1])
        if last + 1 == len(extents) or x1 + columns.margin < extents[last + 1][0]:
            extents[last] = (extents[last][0], max(extents[last][1], x1))
    return extents, spans


def _blocks_in(body: list[_Line], columns: _Columns, column: int) -> list[tuple[float, float]]:
    """The extents (top, bottom) of the texts of one column, the lines a text wraps over joined."""
    blocks: list[tuple[float, float]] = []
    for line in body:
        if any(columns.index(word) == column for word in line.words):
            if blocks and line.top - blocks[-1][1] <= _WRAPPED_GAP * columns.size:
                blocks[-1] = (blocks[-1][0], line.bottom)
            else:
                blocks.append((line.top, line.bottom))
    return blocks


def _groups(blocks: list[tuple[float, float]], ys: list[float], size: float, open_end: bool) -> list[tuple[int, int]]:
    """The rows (first, last) each category text of a group column is printed for, counted from the first
    row under ``ys[0]``.

    A merged cell sets its text at the middle of its group (Word's and WPS's 居中); the groups are read
    from the top so that each text is at the middle of its own, the rows above the first group (a group
    that began on the page before, its text printed there) being a group of their own, without text.
    The last group of a table running on to the next page may have its text anywhere (a printer sets the
    text of a cell cut by the page break in the part it can). Where the texts fit no such groups, they
    are at their groups' tops, each group running down to the next text.
    """
    rows = len(ys) - 1
    if not blocks or rows < 2:
        return []

    def row_of(y: float) -> int:
        return min(max(bisect_right(ys, y) - 1, 0), rows - 1)

    groups = next((found for start in range(row_of(blocks[0][0]) + 1)
                   if (found := _centred(blocks, ys, row_of, size, start, open_end)) is not None), None)
    if groups is None:
        starts = sorted({row_of(top) for top, _ in blocks})
        groups = [(s, e - 1) for s, e in pairwise([*starts, rows])]
    if groups[0][0] > 0:
        groups.insert(0, (0, groups[0][0] - 1))
    return groups


def _centred(blocks: list[tuple[float, float]], ys: list[float], row_of: Callable[[float], int], size: float,
             start: int, open_end: bool) -> list[tuple[int, int]] | None:
    """Groups from row ``start`` down, each as far as puts its text at its middle; None if a text is not
    at the middle of any group its neighbours leave room for."""
    rows = len(ys) - 1
    groups: list[tuple[int, int]] = []
    for j, (top, bottom) in enumerate(blocks):
        middle = (top + bottom) / 2
        final = j + 1 == len(blocks)
        if row_of(top) < start:
            return None
        last = rows - 1 if final else row_of(blocks[j + 1][0]) - 1
        ends = [last] if final else range(max(row_of(bottom), start), last + 1)
        if not ends:
            return None
        end = min(ends, key=lambda e: abs((ys[start] + ys[e + 1]) / 2 - middle))
        if abs((ys[start] + ys[end + 1]) / 2 - middle) > _CENTRED * size and not (final and open_end):
            return None
        groups.append((start, end))
        start = end + 1
    return groups


def _index_column(body: list[_Line], columns: _Columns) -> tuple[float, float] | None:
    """The column of row numbers (1, 2 …; 一, 二 … on group rows) when its header does not name it: the
    name cell spanning the number and name columns (指标名称 over both) leaves it without a header. It is
    one of the first two columns, and most of what it holds is numbers."""
    held: dict[int, list[str]] = {}
    for line in body:
        for word, text in zip(line.words, _word_texts(line), strict=True):
            held.setdefault(columns.index(word), []).append(text)
    for column in range(min(2, len(columns.extents))):
        texts = held.get(column, [])
        if len(texts) >= 2 and sum(1 for t in texts if _INDEX.match(t)) >= 0.8 * len(texts):
            return columns.extents[column]
    return None


def _band_has_row(lines: list[_Line], start: int, rules: list[float]) -> bool:
    """Whether the lines from ``start`` to the next rule hold a row's words in two columns at least: below
    a table's bottom rule a note or a paragraph follows, one block of text a line."""
    for k in range(start, len(lines)):
        if k > start and any(lines[k - 1].bottom <= y <= lines[k].top for y in rules):
            return False
        if len(lines[k].words) >= 2:
            return True
    return False


def _row_borders(body: list[_Line], rules: list[float], columns: _Columns, anchor: int | None,
                 groups: frozenset[int] = frozenset()) -> list[float]:
    """Heights between rows: the rules between rows, and the widest gap between two lines that open a
    row (text in the number column, or in two columns at least), measured between the texts of the
    columns other than the ``groups`` (see :func:`_parting_gap`)."""
    borders: list[float] = []
    band: list[_Line] = []
    bands: list[list[_Line]] = []
    for line in body:
        if band and any(band[-1].bottom <= y <= line.top for y in rules):
            bands.append(band)
            band = []
        band.append(line)
    bands.append(band)
    for b, band_lines in enumerate(bands):
        if b:
            borders.append((bands[b - 1][-1].bottom + band_lines[0].top) / 2)
        lines = _overlapping_joined(band_lines, columns.size)
        opening = [i for i, line in enumerate(lines) if _opens_row(line, columns, anchor, True)] \
            or [i for i, line in enumerate(lines) if _opens_row(line, columns, anchor, False)]
        first = opening[0] if opening else 0
        if first:
            # Lines set apart above the first row: the rest of a row cut by the page break (the first
            # lines of a name set at the middle of its row run close into the row's other cells).
            gap = max(range(first), key=lambda n: lines[n + 1].top - lines[n].bottom)
            if lines[gap + 1].top - lines[gap].bottom > _WRAPPED_GAP * columns.size:
                borders.append((lines[gap].bottom + lines[gap + 1].top) / 2)
        spans = [_span(line, columns, groups) for line in lines]
        for i, j in pairwise(opening):
            gap = _parting_gap(lines, spans, i, j)
            borders.append((lines[gap].bottom + lines[gap + 1].top) / 2)
    return borders


def _span(line: _Line, columns: _Columns, groups: frozenset[int]) -> tuple[float, float] | None:
    """The top and bottom of the line's text outside the group columns; None if it holds only a category."""
    if not groups:
        return line.top, line.bottom
    kept = [g for word in line.words if columns.index(word) not in groups
            for g in line.glyphs if word[0] <= g.x0 and g.x1 <= word[1]]
    return (min(g.top for g in kept), max(g.bottom for g in kept)) if kept else None


def _parting_gap(lines: list[_Line], spans: list[tuple[float, float] | None], i: int, j: int) -> int:
    """The line after which the row opened by line ``i`` ends and the one opened by line ``j`` begins:
    the widest gap between the texts of the other columns than the groups' — a category printed once at
    the middle of its group, wrapped over lines, sits anywhere between the rows it spans (its second line
    beside a name's first leaves the gap above that name as narrow as a wrapped cell's); where such gaps
    tie (a line holding a category only), the widest gap between the lines themselves, the last of those:
    a category printed once midway between its group's first two rows goes with the first."""
    def parting(n: int) -> float:
        above = next((s for s in reversed(spans[i:n + 1]) if s is not None), (0.0, lines[n].bottom))
        below = next((s for s in spans[n + 1:j + 1] if s is not None), (lines[n + 1].top, 0.0))
        return below[0] - above[1]

    ranked = {n: parting(n) for n in range(i, j)}
    widest = max(ranked.values())
    tied = [n for n, g in ranked.items() if g >= widest - _TIE]
    gaps = {n: lines[n + 1].top - lines[n].bottom for n in tied}
    return max(n for n, g in gaps.items() if g >= max(gaps.values()) - _TIE)


def _overlapping_joined(lines: list[_Line], size: float) -> list[_Line]:
    """Lines that overlap one another as one: a cell of one line set at the middle of a row beside a cell of
    two (小学生近视率 / （％） beside <30) sits half a line lower than the first and overlaps both, where
    the lines of one cell, and of two rows, keep apart."""
    runs: list[list[_Line]] = []
    for line in lines:
        if runs and line.top < max(other.bottom for other in runs[-1]) - _OVERLAP * size:
            runs[-1].append(line)
        else:
            runs.append([line])
    return [run[0] if len(run) == 1 else _Line([g for line in run for g in line.glyphs]) for run in runs]


def _opens_row(line: _Line, columns: _Columns, anchor: int | None, valued: bool) -> bool:
    """A row number in the number column; or, where there is none or it is empty (the sub-indicators under an
    indicator, 其中 rows), text in two columns or more, one of which is a value or an attribute if ``valued``
    (the rest of cells wrapped together is words; a table without values is read without this). Words
    wrapped in the number column (a row printed a column off, its name there) are no row number."""
    texts = _word_texts(line)
    used = {columns.index(word) for word in line.words}
    if any(columns.index(word) == anchor and (_INDEX.match(text) or ROW_WORD.match(text))
           for word, text in zip(line.words, texts, strict=True)):
        return True
    return len(used) >= 2 and (not valued or any(ROW_WORD.match(text) for text in texts[1:]))
