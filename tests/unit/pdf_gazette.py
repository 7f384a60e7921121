"""A fictional gazette printed to PDF with reportlab as offices print them from Word: a running
head and page numbers, a title over two lines, justified paragraphs, two documents on a page and an
indicator table whose two header rows repeat on every page."""

from __future__ import annotations

from pathlib import Path

HEAD = "云溪区人民政府公报"


FIRST_TITLE = "云溪区人民政府关于印发云溪区农村人居环境整治提升五年行动实施方案（2021—2025年）的通知"


FIRST_NUMBER = "云溪府发〔2025〕7号"


FIRST_BODY = ("各镇人民政府、街道办事处要把农村人居环境整治提升作为实施乡村振兴战略的重要任务，"
              "统筹推进农村厕所革命、生活污水垃圾治理和村容村貌提升，健全长效管护机制，"
              "确保各项目标任务如期完成，让农民群众的获得感成色更足。")


SECOND_TITLE = "云溪区人民政府关于印发云溪区城乡供水一体化发展规划（2021—2025年）的通知"


SECOND_NUMBER = "云溪府发〔2025〕8号"


CAPTION = "表1云溪区城乡供水一体化主要指标"


HEADER = [["序号", "指标名称", "2020年", "2025年目标", "属性"],
          ["", "", "基期值", "目标值", ""]]


NAMES = ["农村自来水普及率（%）", "城乡供水水质综合合格率（%）", "规模化供水工程覆盖农村人口比例（%）",
         "农村供水工程水费收缴率（%）", "城市公共供水管网漏损率（%）", "乡镇集中式饮用水水源地水质达标率（%）"]


ROWS = 48  # enough rows to carry the table over two page breaks


def gazette_pdf(path: Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=20, wordWrap="CJK",
                          alignment=TA_JUSTIFY, firstLineIndent=24)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=26, alignment=TA_CENTER, firstLineIndent=0)
    centred = ParagraphStyle("centred", parent=body, alignment=TA_CENTER, firstLineIndent=0)
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT, firstLineIndent=0)
    cell = ParagraphStyle("cell", parent=body, fontSize=10.5, leading=14, alignment=TA_CENTER, firstLineIndent=0)

    def notice(title_text: str, number: str, text: str) -> list[object]:
        return [Paragraph(title_text, title), Spacer(1, 8), Paragraph(number, centred), Spacer(1, 8),
                Paragraph("各镇人民政府、街道办事处，区政府各部门：", ParagraphStyle("to", parent=body, firstLineIndent=0)),
                Paragraph(text, body), Spacer(1, 12), Paragraph("云溪区人民政府", right),
                Paragraph("2025年3月18日", right), Spacer(1, 18)]

    rows: list[list[object]] = [list(r) for r in HEADER]
    for n in range(ROWS):
        rows.append([str(n + 1), Paragraph(NAMES[n % len(NAMES)], cell), "80", f"{90 + n % 9}", "约束性"])
    table = Table(rows, colWidths=[36, 130, 70, 80, 60], repeatRows=2, style=TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("FONTSIZE", (0, 0), (-1, -1), 10.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("SPAN", (0, 0), (0, 1)), ("SPAN", (1, 0), (1, 1)), ("SPAN", (4, 0), (4, 1))]))
    flow = [*notice(FIRST_TITLE, FIRST_NUMBER, FIRST_BODY),
            *notice(SECOND_TITLE, SECOND_NUMBER, "现将《云溪区城乡供水一体化发展规划（2021—2025年）》印发给你们，请认真贯彻执行。"),
            Paragraph(CAPTION, centred), table,
            Paragraph("各有关部门要按照职责分工，加强协调配合，确保规划目标如期实现。", body)]

    def furniture(canvas: object, doc: object) -> None:
        canvas.setFont("STSong-Light", 10.5)  # type: ignore[attr-defined]
        canvas.drawCentredString(A4[0] / 2, A4[1] - 40, HEAD)  # type: ignore[attr-defined]
        canvas.setFont("STSong-Light", 14)  # type: ignore[attr-defined]
        canvas.drawCentredString(A4[0] / 2, 40, f"— {canvas.getPageNumber()} —")  # type: ignore[attr-defined]

    SimpleDocTemplate(str(path), pagesize=A4).build(flow, onFirstPage=furniture, onLaterPages=furniture)
    return path
