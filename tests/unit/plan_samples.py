"""One fictional plan written as .txt, .docx, .pdf and .html by real writers.

The same content in every container lets the reader tests ask the question users care
about: does a plan published as Word, PDF or a web page yield the same indicators as
its text version?
"""

from __future__ import annotations

import html
from pathlib import Path

from tests.unit.extract_helpers import NOTICE

TITLE = "生态环境保护规划（2021—2025年）"

# (heading level or None, text) items and one indicator table, in reading order.
BEFORE_TABLE: list[tuple[int | None, str]] = [
    (1, "一、总体要求"),
    (None, "坚持生态优先、绿色发展，推动云溪区生态环境质量持续改善。"),
    (1, "二、发展目标"),
    (2, "（一）主要目标"),
    (None, "到2025年，全区森林覆盖率达到55%以上，城市生活污水集中收集率达到75%。"),
    (None, "到2025年，细颗粒物（PM2.5）年均浓度控制在33微克/立方米以下。"),
    (2, "（二）主要指标"),
    (None, "表1  云溪区“十四五”生态环境保护主要指标"),
]
TABLE: list[list[str]] = [
    ["类别", "指标名称", "单位", "2020年", "2025年", "属性"],
    ["环境质量", "空气质量优良天数比例", "%", "88.5", "≥90", "约束性"],
    ["环境质量", "地表水国控断面水质优良比例", "%", "80", "100", "约束性"],
    ["绿色发展", "单位地区生产总值能耗降低", "%", "—", "下降14%", "约束性"],
    ["绿色发展", "新能源公交车占比", "%", "60", "90左右", "预期性"],
]
AFTER_TABLE: list[tuple[int | None, str]] = [
    (1, "三、主要任务"),
    (None, "加强大气污染综合治理。（牵头单位：区生态环境局）"),
]
# What every container must yield, read from the table and the goal sentences.
EXPECTED_NAMES = {"森林覆盖率", "城市生活污水集中收集率", "细颗粒物（PM2.5）年均浓度", "空气质量优良天数比例",
                  "地表水国控断面水质优良比例", "单位地区生产总值能耗降低", "新能源公交车占比"}
CATEGORY_ROWS = (1, 2)
# What a scraper puts above a government page's text: a YAML header and a quoted note.
SCRAPED_HEADER = """---
标题: 云溪区人民政府关于印发生态环境保护规划的通知
文号: 云府发〔2021〕8号
发布单位: 云溪区人民政府
官方链接: https://www.example.gov.cn/zhengce/detail?id=8
---

> 本文正文由脚本自官方公开页面提取，仅供检索查阅；以[官方链接](https://www.example.gov.cn/zhengce/detail?id=8)发布版本为准。

"""  # rows whose 类别 cell is one merged cell in Word, PDF and HTML


def notice_lines() -> list[str]:
    return NOTICE.format(title=TITLE).strip().splitlines()


def write_txt(path: Path) -> Path:
    lines = [*notice_lines(), ""]
    lines += [text for _, text in BEFORE_TABLE]
    lines += ["\t".join(row) for row in TABLE]
    lines += [text for _, text in AFTER_TABLE]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    for text in notice_lines():
        document.add_paragraph(text)
    for level, text in BEFORE_TABLE:
        document.add_heading(text, level) if level else document.add_paragraph(text)
    table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    table.style = "Table Grid"
    for r, row in enumerate(TABLE):
        for c, text in enumerate(row):
            if not (c == 0 and r == CATEGORY_ROWS[1]):
                table.cell(r, c).text = text
    table.cell(CATEGORY_ROWS[0], 0).merge(table.cell(CATEGORY_ROWS[1], 0))
    for level, text in AFTER_TABLE:
        document.add_heading(text, level) if level else document.add_paragraph(text)
    document.save(str(path))
    return path


def write_pdf(path: Path, split_table: bool = False) -> Path:
    """A4 pages in the CID font every PDF reader knows; ``split_table`` puts a page break inside the table."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=20)
    flow: list[object] = [Paragraph(html.escape(t), body) for t in notice_lines()]
    flow.append(PageBreak())
    before = [Paragraph(html.escape(t), body) for _, t in BEFORE_TABLE]
    flow += before
    rows = [[("" if (c == 0 and r == CATEGORY_ROWS[1]) else text) for c, text in enumerate(row)]
            for r, row in enumerate(TABLE)]
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("SPAN", (0, CATEGORY_ROWS[0]), (0, CATEGORY_ROWS[1]))])
    table = Table(rows, style=style, repeatRows=1)
    if split_table:
        document = SimpleDocTemplate(str(path), pagesize=A4)
        used = sum(p.wrap(document.width, document.height)[1] for p in before)
        table.wrap(document.width, document.height)
        header_and_two_rows = sum(table._rowHeights[:3])  # type: ignore[attr-defined]
        flow.append(Spacer(1, document.height - used - header_and_two_rows - 14))
    flow.append(table)
    flow += [Paragraph(html.escape(t), body) for _, t in AFTER_TABLE]

    def page_number(canvas: object, doc: object) -> None:
        canvas.setFont("STSong-Light", 14)  # type: ignore[attr-defined]
        canvas.drawCentredString(A4[0] / 2, 40, f"— {canvas.getPageNumber()} —")  # type: ignore[attr-defined]

    SimpleDocTemplate(str(path), pagesize=A4).build(flow, onFirstPage=page_number, onLaterPages=page_number)
    return path


def write_html(path: Path, encoding: str = "gb2312") -> Path:
    def para(level: int | None, text: str) -> str:
        tag = f"h{level + 1}" if level else "p"
        return f"<{tag}>{html.escape(text)}</{tag}>"

    table = ["<table border='1'><tbody>"]
    for r, row in enumerate(TABLE):
        cells = []
        for c, text in enumerate(row):
            if c == 0 and r == CATEGORY_ROWS[0]:
                cells.append(f"<td rowspan='2'>{html.escape(text)}</td>")
            elif not (c == 0 and r == CATEGORY_ROWS[1]):
                cells.append(f"<td>{html.escape(text)}</td>")
        table.append("<tr>" + "".join(cells) + "</tr>")
    table.append("</tbody></table>")
    page = [
        f"<html><head><meta charset='{encoding}'><title>云溪区人民政府</title><script>var x = '首页';</script></head>",
        "<body><div class='nav-bar'><a href='/'>首页</a> <a href='/zwgk'>政务公开</a> <a>政策文件</a></div>",
        "<table width='100%'><tr><td><table><tr><td>索引号：11500000</td></tr></table>",
        "<div class='article'><div class='TRS_Editor'>",
        "<br>".join(html.escape(t) for t in notice_lines()),
        *(para(level, text) for level, text in BEFORE_TABLE),
        *table,
        *(para(level, text) for level, text in AFTER_TABLE),
        "</div></div></td></tr></table>",
        "<div class='footer'>版权所有：云溪区人民政府办公室　网站标识码：5001990001</div></body></html>",
    ]
    path.write_bytes("\n".join(page).encode("gb18030" if encoding.startswith("gb") else encoding))
    return path


def large_plan(sections: int) -> bytes:
    """A fictional district plan of ``sections`` sections, each with two goals (2 MB at 3000)."""
    lines = [*notice_lines(), "", *(text for _, text in BEFORE_TABLE), *("\t".join(row) for row in TABLE)]
    for k in range(sections):
        lines += [f"（{k}）第{k}片区建设",
                  f"到2025年，第{k}片区公共服务设施覆盖率达到{50 + k % 40}%，绿地率达到{30 + k % 9}%以上。"
                  "（牵头单位：区住房城乡建设局）",
                  "坚持稳中求进工作总基调，统筹发展和安全，推动生态环境质量持续改善，加快建设美丽云溪。" * 4]
    return "\n".join(lines).encode()
