"""Plan tables printed from a web page by Chromium, read back from the PDF.

Plans published on a government site reach users as the browser's print of the page: a three-line
table, every cell set at the middle of its row, the category of a group printed once at the middle
of the rows it spans (a ``rowspan``), names wrapped in a narrow column. The fictional plan below is
printed by Debian's Chromium (Playwright, as the PDF development set does) and read back.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest

from planwatch.extract import extract_file
from planwatch.ingest import read_source
from planwatch.report.render import FONTCONFIG_FILE

CHROMIUM = Path("/usr/bin/chromium")
CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "仿宋_GB2312", serif; font-size: 16pt; line-height: 1.75; margin: 0; }
p { margin: 0; text-indent: 2em; }
table { border-collapse: collapse; table-layout: fixed; width: 100%; font-size: 12pt; line-height: 1.4;
        border-top: 1.5pt solid #000; border-bottom: 1.5pt solid #000; }
thead tr:last-child th { border-bottom: 0.75pt solid #000; }
th { font-family: "黑体", sans-serif; font-weight: normal; padding: 3pt 4pt; }
td { padding: 3pt 4pt; text-align: center; vertical-align: middle; }
"""


def print_html(markup: str, out: Path) -> Path:
    """The page printed to PDF by Chromium, or the test skipped where it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    environment = {**os.environ, "FONTCONFIG_FILE": str(FONTCONFIG_FILE)}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), env=environment,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            page = browser.new_page()
            page.set_content(markup, wait_until="load")
            page.pdf(path=str(out), format="A4", prefer_css_page_size=True)
        finally:
            browser.close()
    return out


def html_table(header: list[str], widths: list[int], groups: list[tuple[str, list[list[str]]]]) -> str:
    """A three-line table whose first column is a category spanning its group's rows."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    cols = "".join(f"<col style='width:{w}%'>" for w in widths)
    body = []
    for category, rows in groups:
        for r, row in enumerate(rows):
            span = f"<td rowspan='{len(rows)}'>{html.escape(category)}</td>" if r == 0 else ""
            body.append("<tr>" + span + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
    return (f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def document(*parts: str) -> str:
    return f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><style>{CSS}</style></head><body>" \
        + "".join(parts) + "</body></html>"


def test_category_wrapped_beside_a_wrapped_name_leaves_the_name_in_its_row(tmp_path: Path) -> None:
    """A category wrapped over two lines at the middle of its group can print its second line beside the
    first line of the next row's name, itself wrapped over four lines in a narrow column: the gap above
    that name then looks as narrow as a wrapped cell's. Rows part by the gaps of the other columns."""
    groups = [
        ("城市环境建设", [
            ["6", "“美丽河道”建设", "预期性", "条", "12", "20"],
            ["7", "夜景照明建设", "预期性", "处", "4", "6"],
            ["8", "主要道路两侧、重点公共建筑的夜景照明集中控制覆盖率", "预期性", "%", "90.5", "96以上"],
        ]),
        ("市容管理", [["9", "《门前责任书》签订率", "约束性", "%", "100", "100"]]),
    ]
    markup = document(
        "<p>第一章 发展目标</p><p>到2030年，全区城市环境品质持续提升。</p>",
        "<p>表1 青川区“十五五”城市环境主要指标表</p>",
        html_table(["板块", "序号", "指标名称", "属性", "单位", "“十四五”现状", "“十五五”目标"],
                   [14, 7, 23, 11, 13, 16, 16], groups))
    source = read_source(print_html(markup, tmp_path / "plan.pdf"))
    [table] = [b for b in source.blocks if b.is_table]
    names = [row[2].text for row in table.rows[1:]]
    assert names == ["“美丽河道”建设", "夜景照明建设", "主要道路两侧、重点公共建筑的夜景照明集中控制覆盖率",
                     "《门前责任书》签订率"]
    assert [row[0].text for row in table.rows[1:]] == ["城市环境建设"] * 3 + ["市容管理"]


def test_header_cell_over_two_columns_of_the_body_names_both(tmp_path: Path) -> None:
    """Columns are where the body prints its texts; a header cell may span several: the caption printed in
    the header's first cell over a parent's and its parts' columns (新增资源量 | 石墨), a name cell over
    the number and name columns. The parts are read as names of their own, the parent as their group."""
    head = ("<thead><tr><th colspan='2'>专栏2 矿产资源主要指标 指标名称</th><th>单位</th><th>2025年</th>"
            "<th>指标属性</th></tr></thead>")
    rows = [["新发现矿产地", "", "处", "3", "预期性"], ["新增资源量", "石墨", "万吨", "120", ""],
            ["", "萤石", "万吨", "30", ""], ["年开采总量", "建筑用花岗岩", "万立方米", "260", "约束性"],
            ["", "饰面用大理岩", "万立方米", "45", ""], ["矿山数量", "", "个", "21", "约束性"]]
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    table = (f"<table><colgroup><col style='width:26%'><col style='width:16%'><col style='width:20%'>"
             f"<col style='width:18%'><col style='width:20%'></colgroup>{head}<tbody>{body}</tbody></table>")
    markup = document("<p>第三章 规划目标</p><p>到2025年，全区矿产资源保障能力明显增强。</p>", table)
    path = print_html(markup, tmp_path / "plan.pdf")
    [block] = [b for b in read_source(path).blocks if b.is_table]
    assert [c.text for c in block.rows[0]][:2] == ["专栏2矿产资源主要指标指标名称"] * 2
    assert [[c.text for c in row[:2]] for row in block.rows[2:4]] == [["新增资源量", "石墨"], ["", "萤石"]]
    found = {(i.name, i.targets[-1].text) for i in extract_file(path).indicators}
    assert {("石墨", "120"), ("萤石", "30"), ("建筑用花岗岩", "260"), ("矿山数量", "21")} <= found


def test_row_printed_a_column_off_keeps_its_wrapped_name_in_one_row(tmp_path: Path) -> None:
    """A row that lacks a cell (its number) is printed a column off: its name, wrapped in the narrow number
    column, is no row number, so its lines make one row with the value beside them."""
    rows = "".join([
        "<tr><td rowspan='3'>社会参与</td><td>7</td><td>社区议事会成员中青年比例(%)</td><td>≥30</td><td>预期性</td></tr>",
        "<tr><td>8</td><td>志愿服务组织中青年骨干比例(%)</td><td>≥45</td><td>预期性</td></tr>",
        "<tr><td>楼组长队伍中青年比例(%)</td><td>35左右</td><td>预期性</td></tr>",
        "<tr><td>公共服务</td><td>9</td><td>青年驿站覆盖率(%)</td><td>100</td><td>约束性</td></tr>"])
    table = ("<table><colgroup><col style='width:16%'><col style='width:15%'><col style='width:37%'>"
             "<col style='width:16%'><col style='width:16%'></colgroup><thead><tr><th>类别</th><th>序号</th>"
             f"<th>指标名称（单位）</th><th>2030年目标值</th><th>指标属性</th></tr></thead><tbody>{rows}</tbody></table>")
    markup = document("<p>第二章 发展目标</p><p>到2030年，青年发展环境持续优化。</p>", table)
    [block] = [b for b in read_source(print_html(markup, tmp_path / "plan.pdf")).blocks if b.is_table]
    assert [[c.text for c in row[1:4]] for row in block.rows[1:]] == [
        ["7", "社区议事会成员中青年比例(%)", "≥30"], ["8", "志愿服务组织中青年骨干比例(%)", "≥45"],
        ["楼组长队伍中青年比例(%)", "35左右", "预期性"], ["9", "青年驿站覆盖率(%)", "100"]]
