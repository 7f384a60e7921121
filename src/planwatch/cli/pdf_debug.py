"""``planwatch debug-pdf``: a picture of what the PDF reader read on one page, and its tolerances."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from planwatch.cli import app
from planwatch.cli.common import out, reported


@app.command("debug-pdf")
def debug_pdf(
    file: Annotated[Path, typer.Argument(help="要检查的 PDF 文件。", exists=True, dir_okay=False)],
    page: Annotated[int, typer.Option("--page", min=1, help="页码（从 1 开始）。")] = 1,
    output: Annotated[Path, typer.Option("-o", "--output", dir_okay=False, help="输出的 PNG 图片。")]
    = Path("page.png"),
    scale: Annotated[float, typer.Option("--scale", min=0.5, max=8.0, help="每磅的像素数（2 约为 144 dpi）。")]
    = 2.0,
) -> None:
    """把 PDF 读取器在某一页上读到的内容画在页面上：字符框、表格线、单元格、行和列的分界、表格外的文字行；
    并列出读取器的容差设置。用于查明某张表格或某段文字为什么读错。"""
    from planwatch.ingest.pdf_debug import COLOURS, draw_page
    from planwatch.ingest.pdf_tolerances import TOLERANCES

    with reported():
        drawing = draw_page(file, page, output, scale)
    out.print(f"已写入 {output}（{drawing.width}×{drawing.height} 像素）：第 {page} 页"
              f"{'（扫描页，已用 OCR 识别）' if drawing.scanned and drawing.chars else '（扫描页，未读到文字）' if drawing.scanned else ''}，"
              f"字符 {drawing.chars} 个，表格线 {drawing.rules} 条，有线表格 {drawing.ruled_tables} 个，"
              f"无线表格 {drawing.open_tables} 个（单元格 {drawing.cells} 个，{drawing.rows} 行，{drawing.columns} 列），"
              f"表格外文字行 {drawing.lines} 行。", highlight=False)
    legend = Table("颜色", "标示", title="图例")
    for (red, green, blue, _), meaning in COLOURS.values():
        legend.add_row(f"[rgb({red},{green},{blue})]■■[/]", meaning)
    out.print(legend)
    tolerances = Table("名称", "值", "单位", "含义", title="读取器的容差（src/planwatch/ingest/pdf_tolerances.py）")
    for row in TOLERANCES.rows():
        tolerances.add_row(*row)
    out.print(tolerances)
