"""Reports written from the demo database and read back: Word, Excel, HTML, and a real render."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from openpyxl import load_workbook
from PIL import Image, ImageChops
from sqlalchemy import func, select
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.evaluate import Status
from planwatch.report import ReportKind, docx_to_pdf, write_docx
from planwatch.report.elements import Paragraph, Title
from planwatch.services.evaluation import evaluate_stored_plan
from planwatch.services.plans import find_plan
from planwatch.services.reports import ReportFormatError, report_content, write_report
from planwatch.store import Database
from planwatch.store.models import Assignment, Indicator, User
from tests.conftest import demo_database_url

YEAR = 2024


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    urls = demo_database_url("sqlite", tmp_path_factory.mktemp("reports"))
    database = Database(next(urls))
    yield database
    database.dispose()
    urls.close()


def _content(database: Database, kind: ReportKind, actor: str | None = None):  # type: ignore[no-untyped-def]
    with database.session(readonly=True) as session:
        user = session.scalar(select(User).where(User.login == actor)) if actor else None
        return report_content(session, user, find_plan(session, None), YEAR, kind)


def _texts(document) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in document.paragraphs]


def _table_cells(document) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def test_annual_report_in_word_has_the_gbt9704_layout_and_every_indicator(demo: Database, tmp_path: Path) -> None:
    content = _content(demo, ReportKind.ANNUAL)
    path = write_report(content, tmp_path / "annual.docx")
    document = Document(str(path))

    texts = _texts(document)
    assert texts[0].endswith(f"{YEAR}年度监测报告")
    assert document.paragraphs[0].style.name == "Title"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["一、总体情况", "二、分领域监测情况"]
    assert headings[2].startswith("（一）")
    assert any(h.startswith("三、需要关注的指标") for h in headings)

    styles = document.styles
    east_asia = {name: styles[name].element.rPr.rFonts.get(qn("w:eastAsia"))
                 for name in ("Normal", "Title", "Heading 1", "Heading 2")}
    assert east_asia == {"Normal": "仿宋_GB2312", "Title": "方正小标宋简体", "Heading 1": "黑体",
                         "Heading 2": "楷体_GB2312"}
    assert styles["Normal"].font.size.pt == 16 and styles["Title"].font.size.pt == 22

    body = document.sections[0]
    def mm(length: int) -> float:
        return round(length / Mm(1), 1)  # stored in twips: compare in millimetres

    assert (mm(body.page_width), mm(body.page_height)) == (210, 297)
    assert mm(body.page_width - body.left_margin - body.right_margin) == 156  # GB/T 9704 type area
    assert mm(body.page_height - body.top_margin - body.bottom_margin) == 225
    assert document.settings.odd_and_even_pages_header_footer
    for footer in (body.footer, body.even_page_footer):
        assert "PAGE" in "".join(t.text for t in footer._element.iter(qn("w:instrText")))
        assert footer.paragraphs[0].text.startswith("— ")
    annex = document.sections[-1]
    assert annex.page_width > annex.page_height  # the wide data table is on landscape pages

    with demo.session(readonly=True) as session:
        names = set(session.scalars(select(Indicator.name)))
    cells = {cell for row in _table_cells(document) for cell in row}
    assert names <= cells
    summary_rows = {row[0]: row for row in _table_cells(document) if row[0] in {s.label_zh for s in Status} | {"合计"}}
    assert summary_rows["合计"][1] == str(len(names))
    assert sum(int(summary_rows[s.label_zh][1]) for s in Status) == len(names)

    placeholders = [run for p in document.paragraphs for run in p.runs if run.text.startswith("【请")]
    assert placeholders and all(run.font.highlight_color is not None for run in placeholders)
    pictures = document.inline_shapes
    warnings = content.warnings()
    assert warnings and len(pictures) >= 2  # status distribution + lagging indicators


def test_report_figures_agree_with_the_evaluation(demo: Database) -> None:
    content = _content(demo, ReportKind.ANNUAL)
    with demo.session(readonly=True) as session:
        evaluation = evaluate_stored_plan(session, None, find_plan(session, None), YEAR)
    assert [e.result.status for e in content.entries] == [r.status for r in evaluation.results]
    lagging = {w.name for w in content.warnings()}
    assert lagging == {r.name for r in evaluation.results if r.status.severity > 0}
    for entry in content.entries:
        assert all(year <= YEAR for year, _ in entry.history)
        if entry.result.current is not None:
            assert entry.history[-1][0] == entry.result.data_year
            if entry.cumulative:  # an amount over the period: the years' figures added up
                assert content.start_year is not None
                total = sum(value for year, value in entry.history if year >= content.start_year)
                assert entry.latest_text == f"累计{total:g}（截至{entry.result.data_year}年）"
            else:
                assert entry.latest_text == f"{entry.history[-1][1]:g}（{entry.result.data_year}年）"


def test_midterm_and_final_reports_differ_where_they_should(demo: Database, tmp_path: Path) -> None:
    midterm = Document(str(write_report(_content(demo, ReportKind.MIDTERM), tmp_path / "m.docx")))
    final = Document(str(write_report(_content(demo, ReportKind.FINAL), tmp_path / "f.docx")))
    assert _texts(midterm)[0].endswith("中期评估报告") and _texts(final)[0].endswith("总结评估报告")
    assert any("推进规划后半期实施的建议" in t for t in _texts(midterm))
    assert any("规划实施总体评价" in t for t in _texts(final))
    assert any(t.startswith("按现有趋势推算到规划目标年") for t in _texts(midterm))
    assert "预测值" in midterm.tables[1].rows[0].cells[-1].text


def test_excel_annex_has_numbers_filters_and_a_frozen_header(demo: Database, tmp_path: Path) -> None:
    content = _content(demo, ReportKind.ANNUAL)
    workbook = load_workbook(write_report(content, tmp_path / "annex.xlsx"))
    assert workbook.sheetnames == ["指标监测数据", "状态汇总", "预警清单", "报送完整性"]
    sheet = workbook["指标监测数据"]
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    assert [f"{y}年" for y in range(2021, YEAR + 1)] == [h for h in header if str(h).endswith("年") and h[0] == "2"]
    assert sheet.max_row - 1 == len(content.entries)
    completion = header.index("完成进度") + 1
    status = header.index("状态") + 1
    source = header.index("出处") + 1
    for row, entry in enumerate(content.entries, start=2):
        assert sheet.cell(row, status).value == entry.result.status.label_zh
        assert sheet.cell(row, completion).number_format == "0.0%"
        assert sheet.cell(row, source).value == entry.source
        if entry.result.completion is not None:
            assert sheet.cell(row, completion).value == pytest.approx(entry.result.completion)
        year_column = header.index(f"{YEAR}年") + 1
        value = dict(entry.history).get(YEAR)
        assert sheet.cell(row, year_column).value == value  # numbers stay numbers
    warnings = workbook["预警清单"]
    assert warnings.max_row - 1 == len(content.warnings())


def test_html_report_is_self_contained(demo: Database, tmp_path: Path) -> None:
    content = _content(demo, ReportKind.ANNUAL)
    html = write_report(content, tmp_path / "r.html").read_text(encoding="utf-8")
    assert f"<h1>{content.title}</h1>" in html
    assert html.count('src="data:image/png;base64,') >= 2
    assert "http://" not in html and "https://" not in html  # no CDN, works offline
    assert all(entry.spec.name in html for entry in content.entries)


def test_a_clerk_reports_only_the_indicators_of_its_unit(demo: Database) -> None:
    content = _content(demo, ReportKind.ANNUAL, actor="wjw")
    with demo.session(readonly=True) as session:
        clerk = session.scalars(select(User).where(User.login == "wjw")).one()
        own = session.scalar(select(func.count()).select_from(Assignment)
                             .where(Assignment.org_unit_id == clerk.org_unit_id, Assignment.indicator_id.is_not(None)))
    assert 0 < len(content.entries) == own


def test_an_unknown_format_is_refused_and_writes_nothing(demo: Database, tmp_path: Path) -> None:
    with pytest.raises(ReportFormatError, match=r"report\.txt.*\.docx"):
        write_report(_content(demo, ReportKind.ANNUAL), tmp_path / "report.txt")
    assert not (tmp_path / "report.txt").exists()


def test_report_from_the_command_line(demo: Database, tmp_path: Path) -> None:
    runner = CliRunner()
    outputs = [tmp_path / "年度监测报告.docx", tmp_path / "数据附件.xlsx"]
    result = runner.invoke(app, ["report", "annual", "--year", str(YEAR), "--db", demo.url,
                                 *(arg for path in outputs for arg in ("-o", str(path)))])
    assert result.exit_code == 0, result.output
    assert all(path.stat().st_size > 10_000 for path in outputs)
    refused = runner.invoke(app, ["report", "final", "--year", str(YEAR), "--plan", "没有这个规划", "--db", demo.url])
    assert refused.exit_code == 2 and "Traceback" not in refused.output


_RENDER_TOOLS = shutil.which("soffice") and shutil.which("pdftoppm") and shutil.which("pdftotext")


def _render_page_one(docx: Path, out: Path) -> Image.Image:
    pdf = docx_to_pdf(docx, out / (docx.stem + ".pdf"))
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(out / docx.stem)], check=True)
    return Image.open(out / f"{docx.stem}.png").convert("L")


def _ink(image: Image.Image) -> float:
    return sum(image.histogram()[:128]) / (image.width * image.height)


@pytest.mark.skipif(not _RENDER_TOOLS, reason="LibreOffice and poppler-utils are not installed")
def test_word_report_renders_with_chinese_glyphs(demo: Database, tmp_path: Path) -> None:
    content = _content(demo, ReportKind.ANNUAL)
    page = _render_page_one(write_report(content, tmp_path / "annual.docx"), tmp_path)
    assert _ink(page) > 0.005  # not a blank page
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "annual.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "总体情况" in text and str(content.summary.total) in text

    # A missing glyph renders as the same box whatever the character, so two different strings
    # render differently only if their glyphs exist. Control: Tangut, for which this machine
    # has no font, shows what boxes look like (identical renders).
    def changed(first: str, second: str) -> int:
        images = []
        for name, string in (("first", first), ("second", second)):
            write_docx([Title(string), Paragraph(string)], tmp_path / f"{name}.docx")
            images.append(_render_page_one(tmp_path / f"{name}.docx", tmp_path))
        assert _ink(images[0]) > 0.001 and _ink(images[1]) > 0.001
        return sum(ImageChops.difference(images[0], images[1]).histogram()[65:])

    chinese = changed("规划实施监测评估", "年度指标完成情况")
    boxes = changed("".join(chr(0x17000 + i) for i in range(8)), "".join(chr(0x17100 + 3 * i) for i in range(8)))
    assert chinese > boxes + 200
