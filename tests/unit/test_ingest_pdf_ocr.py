"""Scanned pages: a page that is a picture without a text layer, read by OCR.

The fictional notice below has a first page with a text layer and an annex page printed with a
ruled indicator table, then scanned (rendered to a greyscale picture, the text layer gone). The
scan's rules are found in the picture, its words read by the engine, and the page reads like a
printed one: the table's rows, the indicators, each line marked as read by OCR on its page.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from planwatch.errors import InputError
from planwatch.extract import extract_source
from planwatch.ingest.pdf.ocr import Word, _glyphs, _rules, engine
from planwatch.ingest.pdf_reader import read_pdf

FONT = "STSong-Light"
SIZE = 420.0, 300.0  # a small page: OCR time grows with the picture
ROWS = [("序号", "指标名称", "单位", "2030年目标", "属性"),
        ("1", "森林覆盖率", "%", "56", "约束性"),
        ("2", "城镇新增就业", "万人", "3.5", "预期性")]


def _notice(path: Path) -> Path:
    """Page 1: the notice, text layer. Page 2: the annex with its ruled table (scanned below)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
    from reportlab.platypus.flowables import PageBreak

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    style = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=18, wordWrap="CJK")
    table = Table([list(row) for row in ROWS], colWidths=[34, 110, 40, 70, 50], style=TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 12),
        ("GRID", (0, 0), (-1, -1), 0.8, colors.black), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    story = [Paragraph("云溪区林业发展规划（2026—2030年）", style),
             Paragraph("到2030年，全区生态环境持续改善，主要指标见附表。", style), PageBreak(),
             Paragraph("附表 主要指标", style), table]
    SimpleDocTemplate(str(path), pagesize=SIZE, leftMargin=30, rightMargin=30, topMargin=30,
                      bottomMargin=30).build(story)
    return path


def _scan(pdf: Path, out: Path, pages: set[int]) -> Path:
    """``pages`` as pictures of 200 dpi without text; the others as they are."""
    source, result = pdfium.PdfDocument(pdf), pdfium.PdfDocument.new()
    for number in range(1, len(source) + 1):
        if number not in pages:
            result.import_pages(source, [number - 1])
            continue
        width, height = source[number - 1].get_size()
        bitmap = source[number - 1].render(scale=200 / 72, grayscale=True)
        page = result.new_page(width, height)
        picture = pdfium.PdfImage.new(result)
        picture.set_bitmap(bitmap)
        picture.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page.insert_obj(picture)
        page.gen_content()
    result.save(out)
    return out


@pytest.fixture(scope="module")
def notice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scan")
    return _scan(_notice(folder / "printed.pdf"), folder / "notice.pdf", {2})


def test_rules_are_found_in_the_picture_and_wiped_before_reading() -> None:
    image = np.full((400, 600), 255, dtype=np.uint8)
    image[100:102, 50:550] = 0  # a rule of the table, 250 points long at 2 pixels a point
    image[100:380, 50:52] = 0  # a vertical one
    image[200:220, 300:312] = 0  # a stroke of a character: short
    rules, wiped = _rules(image, 2.0)
    horizontal = {(r.x0, r.top, r.x1) for r in rules if r.horizontal}
    vertical = {(r.x0, r.top, r.bottom) for r in rules if not r.horizontal}
    assert (25.0, 50.0, 275.0) in horizontal and (25.0, 50.0, 190.0) in vertical
    assert not any(r.top == 100.0 for r in rules)  # the stroke is no rule
    assert wiped[100, 300] == 255 and wiped[300, 50] == 255 and wiped[210, 305] == 0


def test_a_word_becomes_its_characters_in_its_box() -> None:
    glyphs = _glyphs(Word("指标 12", 10.0, 100.0, 41.0, 112.0))
    assert [g.text for g in glyphs] == ["指", "标", "1", "2"]
    assert glyphs[0].x0 == 10.0 and abs(glyphs[-1].x1 - 41.0) < 1e-6
    assert glyphs[2].x1 - glyphs[2].x0 < glyphs[0].x1 - glyphs[0].x0  # a digit is narrower
    assert {g.size for g in glyphs} == {12.0} and all(abs(g.bottom - 112.0) < 1e-6 for g in glyphs)


def _installed(name: str) -> object:
    found = engine(name)
    if found is None:
        pytest.skip(f"the {name} OCR engine is not installed")
    return found


def test_a_scanned_page_reads_like_a_printed_one(notice: Path) -> None:
    ocr = _installed("rapidocr")
    source = read_pdf(notice, notice.read_bytes(), ocr=lambda: ocr)  # type: ignore[arg-type,return-value]
    assert source.pages == 2 and source.ocr_pages == (2,) and source.unread_pages == ()
    assert source.ocr_engine is not None and source.ocr_engine.startswith("RapidOCR")
    [table] = [b for b in source.blocks if b.is_table]
    assert [[c.text for c in row] for row in table.rows] == [list(row) for row in ROWS]
    cell = table.rows[1][1].source
    assert cell.ocr and cell.page == 2 and cell.box is not None and cell.box[0] < cell.box[2]
    printed = next(b for b in source.blocks if not b.is_table)
    assert not printed.source.ocr and printed.source.page == 1
    found = {i.name: i.targets[-1].text for i in extract_source(source).indicators if i.kind == "table"}
    assert found == {"森林覆盖率": "56", "城镇新增就业": "3.5"}


def test_tesseract_reads_the_scan_too(notice: Path) -> None:
    ocr = _installed("tesseract")
    source = read_pdf(notice, notice.read_bytes(), ocr=lambda: ocr)  # type: ignore[arg-type,return-value]
    assert source.ocr_pages == (2,) and source.ocr_engine is not None and source.ocr_engine.startswith("Tesseract")
    text = "".join(c.text for b in source.blocks if b.is_table for row in b.rows for c in row)
    assert "森林" in text and "56" in text


def test_scanned_pages_without_an_engine_are_named_and_the_rest_is_read(notice: Path, tmp_path: Path) -> None:
    source = read_pdf(notice, notice.read_bytes(), ocr=lambda: None)
    assert source.unread_pages == (2,) and source.ocr_pages == () and source.pages == 2
    assert "云溪区林业发展规划" in source.blocks[0].text
    scan = _scan(notice, tmp_path / "scan.pdf", {1})
    with pytest.raises(InputError, match="未安装 OCR 引擎"):
        read_pdf(scan, scan.read_bytes(), ocr=lambda: None)


def test_extract_says_what_it_did_not_read_in_one_line(notice: Path, tmp_path: Path) -> None:
    scan = _scan(notice, tmp_path / "all-scanned.pdf", {1})
    plain = tmp_path / "plan.txt"
    plain.write_text("云溪区林业发展规划\n\n到2030年，全区森林覆盖率达到56%。\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "planwatch", "extract", str(notice), str(scan), str(plain), "--json"],
                         capture_output=True, text=True, env={**os.environ, "PLANWATCH_OCR": "off"})
    assert run.returncode == 2  # one bad file
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "notice.pdf" in lines[0] and "第 2 页是扫描件" in lines[0] and "OCR" in lines[0]
    assert "all-scanned.pdf" in lines[1] and "未安装 OCR 引擎" in lines[1]
    import json

    sources = {s["file"]: s for s in json.loads(run.stdout)["sources"]}
    assert sources["notice.pdf"]["unread_pages"] == [2] and sources["notice.pdf"]["pages"] == 2
    assert sources["plan.txt"]["ocr_pages"] == [] and "all-scanned.pdf" not in sources
