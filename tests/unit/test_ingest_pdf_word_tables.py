"""Ruled tables as Word and WPS export them: the caption printed as the grid's first row (one cell over
every column), a header cell over two columns, a category cell merged over its group with its text in
the middle, and the caption and header rows repeated atop every page the table runs over.

The fictional table below is drawn by reportlab with those spans; it must read as the same grid a
Word reader gives, the caption a paragraph above it, so that extraction finds every target.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.extract import extract_source
from planwatch.ingest import read_source

FONT = "STSong-Light"
CAPTION = "表1 青川区“十五五”生态环境主要指标"
GROUPS = [("绿色低碳", ["单位地区生产总值能源消耗降低", "非化石能源占能源消费总量比重", "新能源汽车保有量"]),
          ("环境质量", ["细颗粒物年均浓度", "地表水达到或好于Ⅲ类水体比例", "森林覆盖率", "受污染耕地安全利用率"]),
          ("生态保护", ["生态保护红线面积", "湿地保护率"])]


def _rows() -> list[tuple[str, str, str, str, str]]:
    rows = []
    number = 0
    for category, names in GROUPS:
        for name in names:
            number += 1
            rows.append((category, str(number), name, f"{40 + number}.5", "约束性" if number % 2 else "预期性"))
    return rows


def _plan(path: Path, height: float) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=20, wordWrap="CJK", firstLineIndent=24)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=10.5, leading=14, wordWrap="CJK")
    data: list[list[object]] = [[CAPTION, "", "", "", ""], ["类别", "指标", "", "2030年目标", "属性"]]
    spans = [("SPAN", (0, 0), (-1, 0)), ("SPAN", (1, 1), (2, 1))]
    for category, number, name, target, attribute in _rows():
        data.append([category, number, Paragraph(name, cell), target, attribute])
    start = 2
    for _, names in GROUPS:
        spans.append(("SPAN", (0, start), (0, start + len(names) - 1)))
        start += len(names)
    table = Table(data, colWidths=[60, 30, 100, 70, 60], repeatRows=2, style=TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 10.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"), *spans]))
    story = [Paragraph("青川区生态环境保护“十五五”规划", body),
             Paragraph("到2030年，全区生态环境质量持续改善，绿色低碳发展水平明显提高，生态安全屏障更加牢固。", body),
             Spacer(1, 12), table]
    SimpleDocTemplate(str(path), pagesize=(420, height), leftMargin=40, rightMargin=40, topMargin=40,
                      bottomMargin=40).build(story)
    return path


@pytest.mark.parametrize("height", [640, 300], ids=["one-page", "over-page-breaks"])
def test_a_word_table_reads_as_its_grid(tmp_path: Path, height: float) -> None:
    source = read_source(_plan(tmp_path / "plan.pdf", height))
    [table] = [b for b in source.blocks if b.is_table]
    if height < 400:
        assert len({row[0].source.page for row in table.rows}) > 1  # the table runs over the page break
    texts = [[c.text for c in row] for row in table.rows]
    # The caption is the paragraph right above the grid, not a row glued to the header; the header
    # cell over two columns is repeated in both, marked as such.
    caption = [b for b in source.blocks if not b.is_table and b.source.line < table.source.line][-1]
    assert caption.text == CAPTION.replace(" ", "")
    assert texts[0] == ["类别", "指标", "指标", "2030年目标", "属性"] and table.rows[0][2].merged
    # Every row once (the repeated caption and header dropped), its category merged over its group.
    assert [row[1:] for row in texts[1:]] == [[n, name, target, attribute] for _, n, name, target, attribute in _rows()]
    assert [row[0] for row in texts[1:]] == [category for category, *_ in _rows()]
    found = {i.name: i.targets[-1].text for i in extract_source(source).indicators if i.kind == "table"}
    assert found == {name: target for _, _, name, target, _ in _rows()}
