"""Word reports read back: numbers fit their columns, the date keeps company, an early final
evaluation says so; report charts find fonts installed after matplotlib's cache was built
and refuse, naming the font, when there is none; a single year gets a one-year axis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest
from docx import Document
from sqlalchemy import select
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.evaluate.paths import PathLine
from planwatch.report import ReportKind
from planwatch.report.charts import ReportFontError, _font_settings, _fonts, indicator_figure
from planwatch.report.docx_writer import _TABLE_SIZE
from planwatch.services.plans import find_plan
from planwatch.services.reports import report_content, write_report
from planwatch.store import Database
from planwatch.store.models import User
from tests.conftest import demo_database_url

_HALF_EM = _TABLE_SIZE // 2


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    urls = demo_database_url("sqlite", tmp_path_factory.mktemp("layout"))
    database = Database(next(urls))
    yield database
    database.dispose()
    urls.close()


def _report(database: Database, kind: ReportKind, year: int, path: Path):  # type: ignore[no-untyped-def]
    with database.session(readonly=True) as session:
        operator = session.scalar(select(User).where(User.login == "tongji"))
        content = report_content(session, operator, find_plan(session, None), year, kind)
    return content, Document(str(write_report(content, path)))


def test_numbers_fit_their_columns_and_the_date_stays_with_the_text(demo: Database, tmp_path: Path) -> None:
    _, document = _report(demo, ReportKind.MIDTERM, 2024, tmp_path / "midterm.docx")
    for table in document.tables:
        widths = [column.width for column in table.columns]
        for row in table.rows:
            for width, cell in zip(widths, row.cells, strict=True):
                for token in cell.text.split():
                    if any(ch.isdigit() for ch in token) and token.isascii():
                        # a number needs its characters (half an em each) plus the cell margins
                        assert (len(token) + 2) * _HALF_EM <= width, (token, width)
    paragraphs = document.paragraphs
    date = next(n for n, p in enumerate(paragraphs) if p.text.endswith("日") and "年" in p.text
                and p.alignment is not None and p.alignment == 2)  # right-aligned: the signature's date
    assert paragraphs[date - 1].paragraph_format.keep_with_next  # 【报告单位】 with the date
    assert paragraphs[date - 2].paragraph_format.keep_with_next  # and both with the last text


def test_final_report_in_a_mid_period_year_says_it_is_early(demo: Database, tmp_path: Path) -> None:
    _, early = _report(demo, ReportKind.FINAL, 2024, tmp_path / "final-2024.docx")
    first = [p.text for p in early.paragraphs[:6]]
    assert any("2024年尚在规划期中" in text for text in first)
    _, due = _report(demo, ReportKind.FINAL, 2025, tmp_path / "final-2025.docx")
    assert not any("尚在规划期中" in p.text for p in due.paragraphs)
    db = str(demo.url)
    result = CliRunner().invoke(app, ["report", "final", "--year", "2024", "--db", db,
                                      "-o", str(tmp_path / "cli.docx")])
    assert result.exit_code == 0 and "warning:" in result.output and "尚在规划期中" in result.output


def test_one_data_point_gets_a_one_year_axis() -> None:
    with matplotlib.rc_context(_fonts()):
        figure = indicator_figure("森林覆盖率", "%", [PathLine("actual", ((2024, 49.8),))])
        axes = figure.axes[0]
        figure.canvas.draw()
        assert axes.get_xlim() == (2023.5, 2024.5)
        assert [label.get_text() for label in axes.get_xticklabels()] == ["2024"]


def test_no_cjk_font_is_one_line_naming_it() -> None:
    with pytest.raises(ReportFontError) as refused:
        _font_settings(("Fangzheng Nonexistent CJK",))
    message = str(refused.value)
    assert "Fangzheng Nonexistent CJK" in message and "fonts-noto-cjk" in message and "\n" not in message


_PROBE = """
import json
from planwatch.report.charts import _fonts
print(json.dumps(_fonts()["font.family"]))
"""


def test_fonts_installed_after_the_cache_was_built_are_found(tmp_path: Path) -> None:
    """A font cache written before the CJK fonts were installed (the cache below has them
    removed, as apt-get install fonts-noto-cjk after the first report leaves it)."""
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=True)
    (cache,) = tmp_path.glob("fontlist-*.json")
    listing = json.loads(cache.read_text(encoding="utf-8"))
    cjk = [f for f in listing["ttflist"] if "CJK" in f["name"] or "WenQuanYi" in f["name"]]
    if not cjk:
        pytest.skip("no CJK font installed on this machine")
    listing["ttflist"] = [f for f in listing["ttflist"] if f not in cjk]
    cache.write_text(json.dumps(listing), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True)
    families = json.loads(done.stdout)
    assert families[0] in ("Noto Sans CJK SC", "WenQuanYi Zen Hei", "Droid Sans Fallback")


def test_short_cells_keep_their_words_and_long_text_takes_the_room() -> None:
    """属性 预期性 is never 预/期/性 down the page while a long column takes the width."""
    from docx.shared import Mm

    from planwatch.report.docx_writer import _CELL_PADDING, _WORD, _half_ems, column_widths
    from planwatch.report.elements import Table

    header = ("代码", "领域", "指标", "单位", "属性", "基期值", "目标值", "状态", "出处")
    rows = [(f"I{n:03d}", "促发展", "机关、企事业等单位附属空间开放数量" * (n % 2 + 1), "万平方米", "预期性", "",
             f"{n}（2030年）", "无数据", f"sh_huangpu_chengshigengxin_15.txt 第 {n * 10} 行") for n in range(1, 9)]
    table = Table(header=header, rows=tuple(rows))
    widths = column_widths(table, int(Mm(297 - 37 - 35)))  # a landscape annex page
    half_em = _TABLE_SIZE // 2
    for column, word in ((1, "促发展"), (3, "万平方米"), (4, "预期性"), (6, "8（2030年）"), (7, "无数据")):
        assert widths[column] >= (_half_ems(word) + _CELL_PADDING) * half_em, header[column]
    assert widths[2] == max(widths)  # the names wrap least badly: they get the room
    assert widths[2] >= (_WORD + _CELL_PADDING) * half_em
    portrait = column_widths(Table(header=header[2:8], rows=tuple(r[2:8] for r in rows)), int(Mm(210 - 28 - 26)))
    assert portrait[0] >= (_WORD + _CELL_PADDING) * half_em and portrait[2] >= 8 * half_em


def test_the_annex_rendered_by_libreoffice_keeps_attribute_words_whole(tmp_path: Path) -> None:
    """The same table as Word lays it out: LibreOffice renders the annex, the text read back has
    预期性 on one line in every row."""
    import pypdfium2 as pdfium

    from planwatch.report import docx_to_pdf
    from planwatch.report.docx_writer import write_docx
    from planwatch.report.elements import Annex, Table
    from planwatch.report.render import libreoffice

    if libreoffice() is None:
        pytest.skip("LibreOffice is not installed")
    rows = tuple((f"I{n:03d}", "提品质", f"机关、企事业等单位附属空间开放数量{n}", "处", "预期性", "", "5（2030年）", "无数据",
                  f"sh_huangpu_chengshigengxin_15.txt 第 {n} 行") for n in range(1, 11))
    docx = tmp_path / "annex.docx"
    write_docx([Annex("附件", "指标监测数据表"), Table(header=("代码", "领域", "指标", "单位", "属性", "基期值",
                                                           "目标值", "状态", "出处"), rows=rows)], docx)
    pdf = docx_to_pdf(docx, tmp_path / "annex.pdf")
    document = pdfium.PdfDocument(str(pdf))
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    assert text.count("预期性") == 10 and text.count("无数据") == 10 and text.count("提品质") == 10
