"""Tables printed without vertical rules: three-line tables (三线表) and borderless tables.

The fictional plan below prints one indicator table drawn four ways on a reportlab
canvas — every border drawn (the ruled reader's case, the reference), only the three
horizontal rules of a 三线表, a rule under every row, and no rule at all — with a name
wrapped over two lines whose other cells sit at the middle of the row, and a category
printed once at the middle of its group. Each must yield the same indicators. Paragraphs,
two-column text, contents with dot leaders and page heads and feet must stay text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest

from planwatch.extract import extract_file
from planwatch.ingest import Block, SourceText, read_source

FONT = "STSong-Light"
SIZE = 10.5
LEADING = 14.0
PADDING = 8.0
WIDTHS = [56.0, 34.0, 150.0, 40.0, 56.0, 56.0, 56.0]
LEFT = 72.0
HEADER = [["类别"], ["序号"], ["指标名称"], ["单位"], ["2025年", "基期值"], ["2030年", "目标值"], ["属性"]]
# (category printed once for its group, number, name lines, unit, base, target, attribute)
ROWS: list[tuple[str, str, list[str], str, str, str, str]] = [
    ("经济发展", "1", ["地区生产总值年均增长"], "%", "6.2", "6左右", "预期性"),
    ("", "2", ["常住人口城镇化率"], "%", "61.5", "66", "预期性"),
    ("", "", ["其中：户籍人口城镇化率"], "%", "45.3", "52", "预期性"),  # a sub-indicator, no number of its own
    ("生态环境", "3", ["单位地区生产总值能源消耗", "降低"], "%", "—", "13.5", "约束性"),
    ("", "4", ["森林覆盖率"], "%", "54.2", "56", "约束性"),
    ("", "5", ["地表水达到或好于Ⅲ类", "水体比例"], "%", "85", "90", "约束性"),
    ("民生福祉", "6", ["城镇调查失业率"], "%", "5.2", "＜5.5", "预期性"),
    ("", "7", ["每千人口拥有执业（助理）", "医师数"], "人", "2.9", "3.4", "预期性"),
]
NAMES = ["地区生产总值年均增长", "常住人口城镇化率", "其中：户籍人口城镇化率", "单位地区生产总值能源消耗降低", "森林覆盖率",
         "地表水达到或好于Ⅲ类水体比例", "城镇调查失业率", "每千人口拥有执业（助理）医师数"]
TITLE = "青川区国民经济和社会发展第十五个五年规划纲要"
BEFORE = ["第一章 发展目标", "到2030年，全区经济实力、科技实力和综合竞争力明显提升，人民生活品质持续改善。",
          "表1 青川区“十五五”经济社会发展主要指标"]
AFTER = "注：地区生产总值增速按可比价格计算。各项指标由区发展改革局会同有关部门负责监测。"


def _canvas(path: Path) -> object:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    page = canvas.Canvas(str(path), pagesize=A4)
    page.setFont(FONT, SIZE)
    return page


def _centred_row(page: object, centres: list[float], y: float, cells: list[str]) -> None:
    """A table row without rules: each cell centred on its column, empty cells left out."""
    for x, text in zip(centres, cells, strict=True):
        if text:
            page.drawCentredString(x, y, text)  # type: ignore[attr-defined]


def _new_page(page: object, number: int) -> float:
    """Finish a page with its foot (a page number) and start the next."""
    page.setFont(FONT, SIZE)  # type: ignore[attr-defined]
    page.drawCentredString(297, 40, f"— {number} —")  # type: ignore[attr-defined]
    page.showPage()  # type: ignore[attr-defined]
    page.setFont(FONT, SIZE)  # type: ignore[attr-defined]
    return 760.0


def _draw_table(page: object, top: float, rows: list[list[list[str]]], rules: str,
                groups: dict[int, tuple[str, int]], page_break: int | None = None, repeat_header: bool = True,
                spread: bool = False) -> float:
    """Draw a table, every cell centred in its column and its row; returns its bottom.

    ``rules``: "grid" (every border), "three" (top, under the header, bottom), "rows" (a rule under every
    row) or "none". ``groups`` maps a row to the category printed once at the middle of the rows it spans.
    ``page_break``: the row before which the page ends, the header printed again on the next page if
    ``repeat_header`` (Word's 重复标题行), else the rest of a three-line table under a rule of its own.
    """
    edges = [LEFT]
    for width in WIDTHS:
        edges.append(edges[-1] + width)
    heights = [LEADING * max(len(c) for c in row) + PADDING for row in rows]
    page_number = 1

    def rule(at: float, width: float = 0.5, start: float = edges[0]) -> None:
        page.setLineWidth(width)  # type: ignore[attr-defined]
        page.line(start, at, edges[-1], at)  # type: ignore[attr-defined]

    def header(y: float) -> float:
        if rules in ("three", "grid"):
            rule(y, 1.5)
        bottom = _draw_row(page, edges, y, rows[0], heights[0], spread)
        if rules != "none":
            rule(bottom)
        return bottom

    y = header(top)
    page_top = top
    for r in range(1, len(rows)):
        if r == page_break:
            if rules == "grid":
                for x in edges:
                    page.line(x, page_top, x, y)  # type: ignore[attr-defined]
            page_number += 1
            y = page_top = _new_page(page, page_number)
            if repeat_header:
                y = header(y)
            elif rules == "three":
                rule(y, 1.5)
        if r in groups:
            category, span = groups[r]
            middle = y - sum(heights[r:r + span]) / 2
            page.drawCentredString((edges[0] + edges[1]) / 2, middle - SIZE * 0.35, category)  # type: ignore[attr-defined]
        y = _draw_row(page, edges, y, rows[r], heights[r])
        inside_group = any(start <= r < start + n - 1 for start, (_, n) in groups.items())
        if rules in ("rows", "grid") and r < len(rows) - 1:
            rule(y, start=edges[1] if inside_group and rules == "grid" else edges[0])
    if rules in ("three", "grid"):
        rule(y, 1.5)
    if rules == "grid":
        for x in edges:
            page.line(x, page_top, x, y)  # type: ignore[attr-defined]
    return y


def _draw_row(page: object, edges: list[float], top: float, row: list[list[str]], height: float,
              spread: bool = False) -> float:
    """``spread``: two-character names set with their characters apart, as Word's distributed alignment does."""
    for x0, x1, cell in zip(edges, edges[1:], row, strict=False):
        first = top - height / 2 + LEADING * (len(cell) - 1) / 2 - SIZE * 0.35
        for k, text in enumerate(cell):
            if spread and len(text) == 2:
                for offset, char in zip((-1.1 * SIZE, 1.1 * SIZE), text, strict=True):
                    page.drawCentredString((x0 + x1) / 2 + offset, first - LEADING * k, char)  # type: ignore[attr-defined]
            else:
                page.drawCentredString((x0 + x1) / 2, first - LEADING * k, text)  # type: ignore[attr-defined]
    return top - height


def _table_rows() -> tuple[list[list[list[str]]], dict[int, tuple[str, int]]]:
    rows = [HEADER] + [[[], [number], name, [unit], [base], [target], [attribute]]
                       for _, number, name, unit, base, target, attribute in ROWS]
    groups: dict[int, tuple[str, int]] = {}
    for r, (category, *_) in enumerate(ROWS, start=1):
        if category:
            groups[r] = (category, 1)
        else:
            start = max(groups)
            groups[start] = (groups[start][0], groups[start][1] + 1)
    return rows, groups


def _plan(path: Path, rules: str, page_break: int | None = None, repeat_header: bool = True,
          spread: bool = False) -> Path:
    page = _canvas(path)
    y = 760.0
    page.setFont(FONT, 16)  # type: ignore[attr-defined]
    page.drawCentredString(297, y, TITLE)  # type: ignore[attr-defined]
    page.setFont(FONT, SIZE)  # type: ignore[attr-defined]
    for text in BEFORE:
        y -= 28
        page.drawString(LEFT, y, text)  # type: ignore[attr-defined]
    rows, groups = _table_rows()
    # A table cut by a page break runs down to just above the page number.
    top = y - 12 if page_break is None else 70 + sum(LEADING * max(len(c) for c in row) + PADDING
                                                     for row in rows[:page_break])
    bottom = _draw_table(page, top, rows, rules, groups, page_break, repeat_header, spread)
    page.drawString(LEFT + 2 * SIZE, bottom - 24, AFTER[:38])  # type: ignore[attr-defined]
    page.drawString(LEFT, bottom - 24 - 20, AFTER[38:])  # type: ignore[attr-defined]
    page.setFont(FONT, SIZE)  # type: ignore[attr-defined]
    page.drawCentredString(297, 40, "— 9 —")  # type: ignore[attr-defined]
    page.showPage()  # type: ignore[attr-defined]
    page.save()  # type: ignore[attr-defined]
    return path


def _table(source: SourceText) -> Block:
    [table] = [b for b in source.blocks if b.is_table]
    return table


def _indicators(path: Path) -> list[tuple[str, str | None, list[tuple[int, str]]]]:
    return [(i.name, i.unit, [(t.year, t.text) for t in i.targets]) for i in extract_file(path).indicators
            if i.kind == "table"]


@pytest.fixture(scope="module")
def ruled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _plan(tmp_path_factory.mktemp("open") / "grid.pdf", "grid")


def _rows(path: Path) -> list[list[str]]:
    return [[c.text for c in row] for row in _table(read_source(path)).rows]


@pytest.mark.parametrize(("rules", "spread"), [("three", False), ("rows", False), ("none", False), ("none", True)],
                         ids=["three-line", "row-rules", "no-rule", "no-rule-spread-header"])
def test_tables_without_vertical_rules_read_like_the_ruled_one(tmp_path: Path, ruled: Path, rules: str,
                                                               spread: bool) -> None:
    path = _plan(tmp_path / f"{rules}.pdf", rules, spread=spread)
    rows = _rows(path)
    assert rows[0] == ["类别", "序号", "指标名称", "单位", "2025年基期值", "2030年目标值", "属性"]
    assert [row[1:] for row in rows[1:]] == [[n, "".join(name), *rest] for _, n, name, *rest in ROWS]
    # Printed once, midway down its group: it belongs to every row of the group, as in the ruled table.
    assert [row[0] for row in rows[1:]] == ["经济发展"] * 3 + ["生态环境"] * 3 + ["民生福祉"] * 2
    assert rows == _rows(ruled)
    found = _indicators(path)
    assert [name for name, _, _ in found] == [name.removeprefix("其中：") for name in NAMES]
    assert found == _indicators(ruled)
    assert ("每千人口拥有执业（助理）医师数", "人", [(2030, "3.4")]) in found


@pytest.mark.parametrize("repeat_header", [True, False], ids=["header-repeated", "header-once"])
def test_three_line_table_over_a_page_break_is_one_table(tmp_path: Path, ruled: Path, repeat_header: bool) -> None:
    path = _plan(tmp_path / "split.pdf", "three", page_break=7, repeat_header=repeat_header)
    source = read_source(path)
    table = _table(source)
    assert [row[1].text for row in table.rows] == ["序号", *(number for _, number, *_ in ROWS)]
    assert [row[0].source.page for row in table.rows] == [1] * 7 + [2] * 2
    assert [b.text for b in source.blocks if not b.is_table][-1] == AFTER  # the page number is not a cell
    assert _indicators(path) == _indicators(ruled)


def test_row_cut_by_a_page_break_goes_on_atop_the_next_page(tmp_path: Path) -> None:
    """Cells set at the top of their rows: a name wrapped over the page break ends on the next page, above the
    next row and under no header."""
    path = tmp_path / "cut.pdf"
    page = _canvas(path)
    centres = [90.0, 200.0, 320.0, 380.0, 450.0]

    row = functools.partial(_centred_row, page, centres)

    page.drawCentredString(297, 760, TITLE)  # type: ignore[attr-defined]
    page.drawString(LEFT, 720, BEFORE[1])  # type: ignore[attr-defined]
    page.drawString(LEFT, 215, BEFORE[2])  # type: ignore[attr-defined]
    page.line(LEFT, 200, 480, 200)  # type: ignore[attr-defined]
    row(186, ["序号", "指标名称", "单位", "2030年", "属性"])
    page.line(LEFT, 178, 480, 178)  # type: ignore[attr-defined]
    row(162, ["1", "地区生产总值年均增长", "%", "6左右", "预期性"])
    row(140, ["2", "社会消费品零售", "%", "7", "预期性"])
    _new_page(page, 1)
    row(790, ["", "总额年均增长", "", "", ""])
    row(768, ["3", "常住人口城镇化率", "%", "66", "预期性"])
    page.line(LEFT, 758, 480, 758)  # type: ignore[attr-defined]
    page.drawString(LEFT, 730, AFTER)  # type: ignore[attr-defined]
    page.showPage()  # type: ignore[attr-defined]
    page.save()  # type: ignore[attr-defined]
    assert [row[1] for row in _rows(path)] == ["指标名称", "地区生产总值年均增长", "社会消费品零售总额年均增长", "常住人口城镇化率"]
    assert _indicators(path) == [
        ("地区生产总值年均增长", "%", [(2030, "6左右")]), ("社会消费品零售总额年均增长", "%", [(2030, "7")]),
        ("常住人口城镇化率", "%", [(2030, "66")])]


def test_cells_wrapped_together_without_a_number_column_stay_in_their_row(tmp_path: Path) -> None:
    """No 序号: a row opens where values are printed, and the name and the growth wrapped together go on
    under them in two columns."""
    path = tmp_path / "nonumber.pdf"
    page = _canvas(path)
    centres = [150.0, 260.0, 320.0, 380.0, 460.0]

    row = functools.partial(_centred_row, page, centres)

    page.drawCentredString(297, 760, TITLE)  # type: ignore[attr-defined]
    page.drawString(LEFT, 720, BEFORE[1])  # type: ignore[attr-defined]
    page.drawString(LEFT, 690, BEFORE[2])  # type: ignore[attr-defined]
    row(670, ["指标名称", "单位", "2025年", "2030年", "年均增长"])
    row(650, ["规模以上工业产值", "亿元", "408", "750", "15%"])
    row(632, ["高技术制造业产值", "%", "13.2", "32", "4.7个百分"])
    row(618, ["占比", "", "", "", "点"])
    row(600, ["森林覆盖率", "%", "54.2", "56", "—"])
    page.drawString(LEFT + 2 * SIZE, 570, AFTER[:38])  # type: ignore[attr-defined]
    page.showPage()  # type: ignore[attr-defined]
    page.save()  # type: ignore[attr-defined]
    assert [[row[0], row[4]] for row in _rows(path)] == [
        ["指标名称", "年均增长"], ["规模以上工业产值", "15%"], ["高技术制造业产值占比", "4.7个百分点"], ["森林覆盖率", "—"]]
    assert [name for name, _, _ in _indicators(path)] == ["规模以上工业产值", "高技术制造业产值占比", "森林覆盖率"]


def test_heading_under_a_table_without_rules_is_not_its_row(tmp_path: Path) -> None:
    """A short heading set at the left margin a row's height under the table keeps to its first column."""
    path = tmp_path / "heading.pdf"
    page = _canvas(path)
    rows, groups = _table_rows()
    bottom = _draw_table(page, 700, rows, "none", groups)
    page.drawString(LEFT, bottom - 16, "三、任务")  # type: ignore[attr-defined]
    page.drawString(LEFT + 2 * SIZE, bottom - 40, AFTER[:38])  # type: ignore[attr-defined]
    page.showPage()  # type: ignore[attr-defined]
    page.save()  # type: ignore[attr-defined]
    source = read_source(path)
    assert len(_table(source).rows) == len(ROWS) + 1
    assert next(b.text for b in source.blocks if not b.is_table) == "三、任务"


def test_only_a_table_down_to_the_page_foot_runs_on(tmp_path: Path) -> None:
    """Short lines atop the next page that happen to keep to the columns of a table which ended with
    text under it are text, not its rest."""
    path = tmp_path / "ended.pdf"
    page = _canvas(path)
    rows, groups = _table_rows()
    bottom = _draw_table(page, 700, rows, "none", groups)
    page.drawString(LEFT, bottom - 30, AFTER[:38])  # type: ignore[attr-defined]
    _new_page(page, 1)
    for k, (name, target) in enumerate([("加快建设现代化产业体系", "区发展改革局"), ("推进城乡融合发展", "区农业农村局")]):
        page.drawCentredString(LEFT + 165, 760 - 18 * k, name)  # type: ignore[attr-defined]
        page.drawCentredString(LEFT + 362, 760 - 18 * k, target)  # type: ignore[attr-defined]
    page.showPage()  # type: ignore[attr-defined]
    page.save()  # type: ignore[attr-defined]
    source = read_source(path)
    assert [len(b.rows) for b in source.blocks if b.is_table] == [len(ROWS) + 1]
    assert {b.source.page for b in source.blocks if not b.is_table} == {1, 2}


def _no_tables(path: Path) -> list[str]:
    source = read_source(path)
    assert not [b for b in source.blocks if b.is_table]
    return [b.text for b in source.blocks]


def test_paragraphs_naming_table_columns_stay_paragraphs(tmp_path: Path) -> None:
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    _canvas(tmp_path / "fonts.pdf")  # registers the font
    style = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=20, wordWrap="CJK", alignment=TA_JUSTIFY,
                           firstLineIndent=24)
    texts = ["指标体系按序号、指标名称、单位、2025年基期值、2030年目标值和属性列示，属性分为预期性和约束性两类，"
             "各项指标的统计口径与国家和省有关规定保持一致，由区统计局会同有关部门逐年监测。",
             "到2030年，全区地区生产总值年均增长6%左右，常住人口城镇化率达到66%，森林覆盖率达到56%。"]
    path = tmp_path / "prose.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(t, style) for t in texts])
    assert _no_tables(path) == texts


def test_two_column_text_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "columns.pdf"
    page = _canvas(path)
    left = ["序号", "一、发展目标", "2025年全区经济", "总量稳步增长，", "单位能耗持续下降。"]
    right = ["指标", "二、主要任务", "2030年基本实现", "城乡融合发展，", "属性分类管理。"]
    for k, (a, b) in enumerate(zip(left, right, strict=True)):
        page.drawString(LEFT, 700 - 18 * k, a)  # type: ignore[attr-defined]
        page.drawString(320, 700 - 18 * k, b)  # type: ignore[attr-defined]
    page.showPage()  # type: ignore[attr-defined]
    page.save()  # type: ignore[attr-defined]
    assert not [b for b in read_source(path).blocks if b.is_table]


def test_contents_with_dot_leaders_stay_lines(tmp_path: Path) -> None:
    entries = [("第一章 发展基础", "1"), ("第二章 指标体系", "5"), ("表1 主要指标 单位 属性", "7"),
               ("第三章 2030年目标", "12")]
    path = tmp_path / "contents.pdf"
    page = _canvas(path)
    page.drawCentredString(297, 760, "目录")  # type: ignore[attr-defined]
    for k, (title, number) in enumerate(entries):
        y = 720 - 20 * k
        page.drawString(LEFT, y, title)  # type: ignore[attr-defined]
        page.drawRightString(523, y, number)  # type: ignore[attr-defined]
        start = LEFT + page.stringWidth(title, FONT, SIZE) + 4  # type: ignore[attr-defined]
        end = 523 - page.stringWidth(number, FONT, SIZE) - 4  # type: ignore[attr-defined]
        page.drawString(start, y, "." * int((end - start) / page.stringWidth(".", FONT, SIZE)))  # type: ignore[attr-defined]
    page.showPage()  # type: ignore[attr-defined]
    page.save()  # type: ignore[attr-defined]
    texts = _no_tables(path)
    assert [t.rstrip("0123456789").rstrip(". ") for t in texts] == ["目录", *(title.replace(" ", "") for title, _ in entries)]


BODIES = ["各部门要按照职责分工抓好落实。", "区发展改革局负责统筹协调。", "各镇街要细化工作举措。", "本规划自印发之日起施行。"]


def test_page_heads_and_feet_stay_furniture(tmp_path: Path) -> None:
    """A head of three parts spread over the width (its issue a year) and a foot on every page."""
    path = tmp_path / "heads.pdf"
    page = _canvas(path)
    for number in range(1, 5):
        page.setFont(FONT, SIZE)  # type: ignore[attr-defined]
        page.drawString(LEFT, 800, "青川区人民政府公报")  # type: ignore[attr-defined]
        page.drawCentredString(297, 800, "2025年")  # type: ignore[attr-defined]
        page.drawRightString(523, 800, "第3期")  # type: ignore[attr-defined]
        page.drawString(LEFT + 24, 740, BODIES[number - 1])  # type: ignore[attr-defined]
        page.drawCentredString(297, 40, f"第 {number} 页 共 4 页")  # type: ignore[attr-defined]
        page.showPage()  # type: ignore[attr-defined]
    page.save()  # type: ignore[attr-defined]
    assert _no_tables(path) == BODIES


Row = Callable[[float, list[str]], None]


def _table_over_a_break(path: Path, centres: list[float], header: Callable[[object, Row, float, int], None],
                        first: list[list[str]], second: list[list[str]]) -> Path:
    """A three-line table over a page break, its header printed again atop the second page:
    ``header(page, row, top, page number)`` draws it; ``first`` and ``second`` are the rows of each page."""
    page = _canvas(path)
    row = functools.partial(_centred_row, page, centres)
    page.drawCentredString(297, 760, TITLE)  # type: ignore[attr-defined]
    page.drawString(LEFT, 720, BEFORE[1])  # type: ignore[attr-defined]
    header(page, row, 232, 1)
    for k, cells in enumerate(first):
        row(180 - 22 * k, cells)
    _new_page(page, 1)
    header(page, row, 800, 2)
    for k, cells in enumerate(second):
        row(752 - 22 * k, cells)
    bottom = 742 - 22 * (len(second) - 1)
    page.line(LEFT, bottom, 500, bottom)  # type: ignore[attr-defined]
    page.drawString(LEFT, bottom - 30, AFTER)  # type: ignore[attr-defined]
    page.showPage()  # type: ignore[attr-defined]
    page.save()  # type: ignore[attr-defined]
    return path


def test_header_printed_again_with_its_spanning_label_cut_otherwise_is_dropped(tmp_path: Path) -> None:
    """A label over two value columns (指标值 over 2020年 and 2025年) is set at the middle of its cell, over
    the border between them; the border is read midway between the columns' texts, which differ from page to
    page, so the label's characters fall on either side otherwise on the next page. The header printed
    again there is still the header, and the row the page break cut goes on under it."""
    def header(page: object, row: Row, top: float, number: int) -> None:
        page.line(LEFT, top, 500, top)  # type: ignore[attr-defined]
        row(top - 20, ["类别", "主要指标", "", "", "指标属性"])
        page.drawCentredString(375.0 if number == 1 else 364.0, top - 13, "指标值")  # type: ignore[attr-defined]
        page.line(320, top - 16, 430, top - 16)  # type: ignore[attr-defined]
        row(top - 28, ["", "", "2020年", "2025年", ""])
        page.line(LEFT, top - 34, 500, top - 34)  # type: ignore[attr-defined]

    path = _table_over_a_break(
        tmp_path / "label.pdf", [100.0, 230.0, 345.0, 405.0, 465.0], header,
        [["保障程度", "城乡居民医疗费用报销比例", "65左右", "70", "预期性"], ["精细管理", "按病种付费的住院", "—", "70", "预期性"]],
        [["", "费用占比", "", "", ""], ["", "药品集中带量采购品种", "127", ">500", "预期性"]])
    assert [row[1] for row in _rows(path)] == ["主要指标", "城乡居民医疗费用报销比例", "按病种付费的住院费用占比",
                                               "药品集中带量采购品种"]


def test_header_printed_again_over_the_number_column_too_is_dropped(tmp_path: Path) -> None:
    """A name cell over the number and name columns (指标名称 set at the middle of both) is read as one
    header cell over both on the page that prints it so, and over the name column alone on a page that
    prints it there: the header printed again is still the header, its merged cell's text counted once."""
    def header(page: object, row: Row, top: float, number: int) -> None:
        page.line(LEFT, top, 500, top)  # type: ignore[attr-defined]
        row(top - 16, ["类别", "", "", "2030年", "属性"])
        page.drawCentredString(260.0 if number == 1 else 190.0, top - 16, "指标名称（单位）")  # type: ignore[attr-defined]
        page.line(LEFT, top - 24, 500, top - 24)  # type: ignore[attr-defined]

    path = _table_over_a_break(
        tmp_path / "spanned.pdf", [90.0, 150.0, 260.0, 380.0, 450.0], header,
        [["经济发展", "1", "城镇调查失业率（%）", "＜5.5", "预期性"], ["", "2", "常住人口城镇化率（%）", "66", "预期性"]],
        [["", "3", "森林覆盖率（%）", "56", "约束性"], ["", "4", "地表水优良水体比例（%）", "90", "约束性"]])
    assert [row[2] for row in _rows(path)] == ["指标名称（单位）", "城镇调查失业率（%）", "常住人口城镇化率（%）",
                                               "森林覆盖率（%）", "地表水优良水体比例（%）"]
