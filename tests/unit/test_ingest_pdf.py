"""The PDF reader on gazettes as offices print them, written here with reportlab.

The fictional gazette has what Word-to-PDF printing puts on paper: a running head and a
page number on every page, a centred title wrapped over two lines, justified paragraphs
with an indented first line, two documents on one page, and an indicator table with two
header rows that Word repeats on every page, whose cells wrap over several lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planwatch.errors import InputError
from planwatch.ingest import Block, SourceText, read_source
from tests.unit.pdf_gazette import (
    CAPTION,
    FIRST_BODY,
    FIRST_NUMBER,
    FIRST_TITLE,
    HEAD,
    HEADER,
    NAMES,
    ROWS,
    SECOND_NUMBER,
    SECOND_TITLE,
    gazette_pdf,
)


@pytest.fixture(scope="module")
def gazette(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return gazette_pdf(tmp_path_factory.mktemp("pdf") / "gazette.pdf")


def _texts(source: SourceText) -> list[str]:
    return [b.text for b in source.blocks if not b.is_table]


def _table(source: SourceText) -> Block:
    [table] = [b for b in source.blocks if b.is_table]
    return table


def test_running_heads_and_page_numbers_are_dropped(gazette: Path) -> None:
    source = read_source(gazette)
    pages = {b.source.page for b in source.blocks} | {row[0].source.page for b in source.blocks for row in b.rows}
    assert len(pages) >= 3  # the head is printed on every page
    texts = _texts(source)
    assert not [t for t in texts if HEAD in t or t.strip("— ").isdigit()]


def test_labels_atop_a_few_pages_are_not_running_heads(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "annexes.pdf"
    page = canvas.Canvas(str(path), pagesize=A4)
    for number in range(1, 11):
        page.setFont("STSong-Light", 10.5)
        page.drawCentredString(A4[0] / 2, A4[1] - 40, HEAD)
        page.setFont("STSong-Light", 12)
        if number % 3 == 0:
            page.drawString(72, A4[1] - 80, f"附件{number // 3}")
        page.drawString(72, A4[1] - 110, NAMES[number % len(NAMES)])
        page.showPage()
    page.save()
    texts = _texts(read_source(path))
    assert texts[:3] == [NAMES[1], NAMES[2], "附件1"] and len(texts) == 13 and HEAD not in texts


def test_wrapped_title_and_paragraph_are_one_block_each(gazette: Path) -> None:
    texts = _texts(read_source(gazette))
    assert FIRST_TITLE in texts and SECOND_TITLE in texts
    assert FIRST_BODY in texts
    assert FIRST_NUMBER in texts  # the number under a title is not run into it


def test_two_documents_on_one_page_keep_their_order(gazette: Path) -> None:
    source = read_source(gazette)
    texts = _texts(source)
    order = [texts.index(t) for t in (FIRST_TITLE, FIRST_NUMBER, FIRST_BODY, "2025年3月18日", SECOND_TITLE,
                                       SECOND_NUMBER, CAPTION)]
    assert order == sorted(order)
    pages = {b.text: b.source.page for b in source.blocks if not b.is_table}
    assert pages[FIRST_TITLE] == pages[SECOND_TITLE] == 1


def test_table_over_a_page_break_is_one_table_without_repeated_headers(gazette: Path) -> None:
    table = _table(read_source(gazette))
    assert len({row[0].source.page for row in table.rows}) > 1
    numbers = [row[0].text for row in table.rows[len(HEADER):]]
    assert numbers == [str(n + 1) for n in range(ROWS)]
    assert [row[0].text for row in table.rows[:len(HEADER)]] == ["序号", "序号"]


def test_merged_header_cells_are_repeated_and_marked(gazette: Path) -> None:
    header = _table(read_source(gazette)).rows[:len(HEADER)]
    assert [(c.text, c.merged) for c in header[0]] == [(t, False) for t in HEADER[0]]
    assert [(c.text, c.merged) for c in header[1]] == [("序号", True), ("指标名称", True), ("基期值", False),
                                                       ("目标值", False), ("属性", True)]


def test_cells_wrapped_over_lines_are_one_cell(gazette: Path) -> None:
    table = _table(read_source(gazette))
    assert [row[1].text for row in table.rows[len(HEADER):]] == [NAMES[n % len(NAMES)] for n in range(ROWS)]


def _ruled(page: object, left: float, top: float, widths: list[float], rows: list[list[list[str]]]) -> float:
    """Draw a ruled table on a reportlab canvas, each cell a list of printed lines; returns its bottom."""
    leading, y = 14.0, top
    edges = [left]
    for width in widths:
        edges.append(edges[-1] + width)
    page.line(left, y, edges[-1], y)  # type: ignore[attr-defined]
    for row in rows:
        height = leading * max(len(cell) for cell in row) + 6
        for x, cell in zip(edges, row, strict=False):
            for k, text in enumerate(cell):
                page.drawString(x + 3, y - leading * (k + 1), text)  # type: ignore[attr-defined]
        y -= height
        page.line(left, y, edges[-1], y)  # type: ignore[attr-defined]
    for x in edges:
        page.line(x, top, x, y)  # type: ignore[attr-defined]
    return y


def test_row_cut_by_a_page_break_is_rejoined(tmp_path: Path) -> None:
    """A tall row that a page break cut: its rest on the next page has no category of its own, and the category
    above it is empty too (a merged category cell printed on its group's first row only)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "split.pdf"
    page = canvas.Canvas(str(path), pagesize=A4)
    page.setFont("STSong-Light", 10.5)
    widths = [70.0, 150.0, 80.0]
    _ruled(page, 80, 200, widths, [[["类别"], ["指标名称"], ["目标值"]],
                                   [["供水保障"], ["农村自来水普及率（%）"], ["90"]],
                                   [[""], ["城乡供水水质综合"], ["95"]],
                                   [[""], ["新建改造农村供水", "管网长度（公里），"], ["120"]]])
    page.showPage()
    page.setFont("STSong-Light", 10.5)
    bottom = _ruled(page, 80, A4[1] - 72, widths, [[[""], ["含加压泵站和入户管线"], [""]]])  # boxed on its own
    page.drawString(80, bottom - 30, "各有关单位要按照职责分工抓好落实。")
    page.showPage()
    page.save()
    source = read_source(path)
    assert [[c.text for c in row] for row in _table(source).rows] == [
        ["类别", "指标名称", "目标值"], ["供水保障", "农村自来水普及率（%）", "90"], ["", "城乡供水水质综合", "95"],
        ["", "新建改造农村供水管网长度（公里），含加压泵站和入户管线", "120"]]
    assert _texts(source) == ["各有关单位要按照职责分工抓好落实。"]


def test_new_row_under_merged_cells_at_a_page_top_stays_a_row(tmp_path: Path) -> None:
    """Rows of a group share a category and a number printed once: the first row on the next page has
    neither, like the rest of a cut row, but it has nothing less than the row above it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "group.pdf"
    page = canvas.Canvas(str(path), pagesize=A4)
    widths = [70.0, 40.0, 150.0, 80.0]
    for rows, top in (([[["类别"], ["序号"], ["指标名称"], ["目标值"]], [["供水保障"], ["3"], ["管网覆盖率（%）"], [""]],
                        [[""], [""], ["其中：城镇"], [""]]], 200.0),
                      ([[[""], [""], ["其中：农村"], [""]], [["水源保护"], ["4"], ["水源地水质达标率（%）"], ["100"]]],
                       A4[1] - 72)):
        page.setFont("STSong-Light", 10.5)
        _ruled(page, 80, top, widths, rows)
        page.showPage()
    page.save()
    names = [row[2].text for row in _table(read_source(path)).rows]
    assert names == ["指标名称", "管网覆盖率（%）", "其中：城镇", "其中：农村", "水源地水质达标率（%）"]


def test_raised_and_lowered_characters_stay_in_their_line(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=20, wordWrap="CJK")
    path = tmp_path / "scripts.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([
        Paragraph("到2025年，细颗粒物（PM<sub>2.5</sub>）年均浓度控制在33微克/m<super>3</super>以下。", style),
        Paragraph("新增污水处理能力5万m<super>3</super>/日。", style)])
    assert _texts(read_source(path)) == ["到2025年，细颗粒物（PM2.5）年均浓度控制在33微克/m3以下。", "新增污水处理能力5万m3/日。"]


def test_contents_entries_stay_lines(tmp_path: Path) -> None:
    """Entries reach the right margin with their page numbers, and the next entry starts at the left one."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    entries = [("云溪区人民政府关于印发云溪区农村人居环境整治方案的通知", "1"),
               ("云溪区人民政府关于印发云溪区城乡供水一体化发展规划的通知", "12"),
               ("云溪区人民政府办公室关于做好2025年防汛抗旱工作的通知", "27")]
    path = tmp_path / "contents.pdf"
    page = canvas.Canvas(str(path), pagesize=A4)
    page.setFont("STSong-Light", 12)
    page.drawCentredString(A4[0] / 2, 760, "目录")
    for k, (title, number) in enumerate(entries):
        y = 720 - 20 * k
        page.drawString(72, y, title)
        page.drawRightString(A4[0] - 72, y, number)
        leaders_from = 72 + page.stringWidth(title, "STSong-Light", 12) + 4
        leaders_to = A4[0] - 72 - page.stringWidth(number, "STSong-Light", 12) - 4
        page.drawString(leaders_from, y, "." * int((leaders_to - leaders_from) / page.stringWidth(".", "STSong-Light", 12)))
    page.showPage()
    page.save()
    texts = _texts(read_source(path))
    assert [re.sub(r"[. ]+\d+$", "", t) for t in texts] == ["目录", *(title for title, _ in entries)]


def test_progress_is_reported_page_by_page(gazette: Path) -> None:
    calls: list[tuple[int, int]] = []
    read_source(gazette, progress=lambda done, total: calls.append((done, total)))
    total = calls[-1][1]
    assert total >= 3 and calls == [(n, total) for n in range(1, total + 1)]


def test_cli_shows_the_pages_of_a_pdf_on_a_terminal(gazette: Path) -> None:
    """stderr on a pseudo-terminal, as in an office clerk's shell; stdout stays pure JSON."""
    import json
    import os
    import pty
    import subprocess
    import sys

    controller, terminal = pty.openpty()
    with subprocess.Popen([sys.executable, "-m", "planwatch", "extract", str(gazette), "--json"],
                          stdout=subprocess.PIPE, stderr=terminal, env={**os.environ, "COLUMNS": "120"}) as child:
        os.close(terminal)
        stdout, _ = child.communicate(timeout=120)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal is closed once the child has exited
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert child.returncode == 0
    assert json.loads(stdout)["documents"]
    text = shown.decode("utf-8", "replace")
    assert "reading gazette.pdf" in text and "/4 " in text  # pages done of the 4


def test_pdf_without_text_layer_suggests_ocr(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(path))
    page.rect(50, 50, 400, 600, fill=1)
    page.showPage()
    page.save()
    with pytest.raises(InputError) as error:
        read_source(path)
    assert "scan.pdf" in str(error.value) and "没有文字层" in str(error.value) and "OCR" in str(error.value)


def test_truncated_pdf_is_explained_in_one_line(gazette: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    data = gazette.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError) as error:
        read_source(path)
    message = str(error.value)
    assert "cut.pdf" in message and "PDF" in message and "\n" not in message


def test_a_printed_gazette_yields_its_documents_and_indicators(gazette: Path) -> None:
    """End to end: the paragraphs the reader joins are the ones the document splitter reads."""
    from planwatch.extract import extract_file

    result = extract_file(gazette)
    numbers = [d.doc_number for d in result.documents]
    assert numbers == [FIRST_NUMBER, SECOND_NUMBER]
    assert [d.title for d in result.documents] == [FIRST_TITLE, SECOND_TITLE]
    table = [i for i in result.indicators if i.kind == "table"]
    assert len(table) == ROWS  # every row of the table carried over two page breaks
    assert {(i.targets[-1].year, i.baseline_year) for i in table} == {(2025, 2020)}
