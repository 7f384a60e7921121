"""Issue 25, ``planwatch debug-pdf``: the page printed by Chromium from a fictional plan's ruled table,
drawn with what the reader read on it, at the page's size, with the reader's tolerances listed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.ingest.pdf_debug import COLOURS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

_PLAN = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm; } body { font-family: "Noto Serif CJK SC", serif; font-size: 12pt; }
table { border-collapse: collapse; margin-top: 12pt; } td, th { border: 1px solid #000; padding: 4pt 8pt; }
</style></head><body><p>青川区“十五五”规划主要指标（虚构）</p>
<table><tr><th>序号</th><th>指标名称</th><th>单位</th><th>2025年</th><th>2030年</th></tr>
<tr><td>1</td><td>地区生产总值年均增长</td><td>%</td><td>5.5</td><td>5左右</td></tr>
<tr><td>2</td><td>森林覆盖率</td><td>%</td><td>42.0</td><td>45.0</td></tr>
<tr><td>3</td><td>城镇新增就业人数</td><td>万人</td><td>1.2</td><td>[6]</td></tr></table></body></html>"""


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("debug-pdf")
    (folder / "plan.html").write_text(_PLAN, encoding="utf-8")
    pdf = folder / "plan.pdf"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", (folder / "plan.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    return pdf


def _box_of(pdf: Path, text: str, scale: float) -> tuple[int, int, int, int]:
    """Where PDFium itself finds ``text`` on page 1, in pixels (x0, top, x1, bottom)."""
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    textpage = page.get_textpage()
    found = textpage.search(text).get_next()
    assert found is not None, text
    boxes = [textpage.get_charbox(index) for index in range(found[0], found[0] + found[1])]
    height = page.get_height()
    x0, x1 = min(b[0] for b in boxes), max(b[2] for b in boxes)
    top, bottom = height - max(b[3] for b in boxes), height - min(b[1] for b in boxes)
    document.close()
    return round(x0 * scale), round(top * scale), round(x1 * scale), round(bottom * scale)


def test_the_page_is_drawn_at_its_size_with_marks_over_the_table_and_nowhere_else(printed: Path,
                                                                                   tmp_path: Path) -> None:
    picture = tmp_path / "page.png"
    done = CliRunner().invoke(app, ["debug-pdf", str(printed), "--page", "1", "-o", str(picture), "--scale", "2"],
                              env={"COLUMNS": "120"})
    assert done.exit_code == 0, done.output
    assert "有线表格 1 个" in done.output and "4 行，5 列" in done.output
    assert "snap" in done.output and "2.5" in done.output  # the tolerances are listed

    document = pdfium.PdfDocument(printed)
    width, height = document[0].get_size()
    plain = document[0].render(scale=2).to_pil().convert("RGB")
    document.close()
    drawn = Image.open(picture).convert("RGB")
    assert drawn.size == (round(width * 2), round(height * 2)) == plain.size

    left, top, _, first_bottom = _box_of(printed, "序号", 2)
    _, _, right, bottom = _box_of(printed, "[6]", 2)
    table = (left, top, right, bottom)
    changed = ImageChops.difference(drawn, plain).convert("L").point(lambda v: 255 if v > 24 else 0)
    inside = changed.crop(table)
    assert inside.histogram()[255] > 0.5 * inside.width * inside.height  # the cells are tinted
    green = COLOURS["ruled_cell"][0]
    cell = drawn.getpixel((left - 6, (top + first_bottom) // 2))  # the first cell's padding, left of 序号
    assert isinstance(cell, tuple) and cell[1] > cell[0] + 20 and cell[1] > cell[2] + 20, (cell, green)
    below = changed.crop((0, bottom + 40, drawn.width, drawn.height))
    assert below.histogram()[255] == 0  # nothing drawn where the page is empty


def test_a_page_the_file_does_not_have_is_named_in_one_line(printed: Path, tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["debug-pdf", str(printed), "--page", "5", "-o", str(tmp_path / "p.png")])
    assert done.exit_code == 2
    assert "第 5 页不存在：文件共 1 页" in done.output and not (tmp_path / "p.png").exists()
