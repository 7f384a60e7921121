"""Word, PDF and web-page readers, checked against the same plan's text version."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from planwatch.errors import InputError
from planwatch.extract import extract_file
from planwatch.ingest import SourceText, read_source
from tests.unit import plan_samples as sample

WRITERS: dict[str, Callable[[Path], Path]] = {
    "docx": sample.write_docx, "pdf": sample.write_pdf, "html": sample.write_html,
}


def _signature(path: Path) -> set[tuple[str, str | None, tuple[tuple[int, str, float | None, str], ...]]]:
    return {(i.name, i.unit, tuple((t.year, t.text, t.value, t.comparator.value) for t in i.targets))
            for i in extract_file(path).indicators}


def _text_at_lines(source: SourceText) -> dict[int, str]:
    lines: dict[int, str] = {}
    for block in source.blocks:
        lines[block.source.line] = block.text
        for row in block.rows:
            lines[row[0].source.line] = "".join(c.text for c in row)
    return lines


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_container_yields_the_text_versions_indicators(tmp_path: Path, fmt: str) -> None:
    reference = _signature(sample.write_txt(tmp_path / "plan.txt"))
    assert {name for name, _, _ in reference} == sample.EXPECTED_NAMES
    path = WRITERS[fmt](tmp_path / f"plan.{fmt}")
    assert _signature(path) == reference
    [document] = extract_file(path).documents
    assert document.doc_number == "云溪府发〔2025〕4号" and document.file == f"plan.{fmt}"


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_reported_lines_point_at_the_indicators_source(tmp_path: Path, fmt: str) -> None:
    path = WRITERS[fmt](tmp_path / f"plan.{fmt}")
    lines = _text_at_lines(read_source(path))
    for indicator in extract_file(path).indicators:
        assert indicator.name[:4] in lines[indicator.line], (indicator.name, indicator.line)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_merged_category_cell_is_repeated_and_marked(tmp_path: Path, fmt: str) -> None:
    source = read_source(WRITERS[fmt](tmp_path / f"plan.{fmt}"))
    [table] = [b for b in source.blocks if b.is_table]
    assert [c.text for c in table.rows[0]] == sample.TABLE[0]
    first, second = (table.rows[r][0] for r in sample.CATEGORY_ROWS)
    assert (first.text, first.merged) == ("环境质量", False)
    assert (second.text, second.merged) == ("环境质量", True)
    assert len({row[0].source.line for row in table.rows}) == len(sample.TABLE)


def test_docx_headings_keep_their_word_level(tmp_path: Path) -> None:
    source = read_source(sample.write_docx(tmp_path / "plan.docx"))
    levels = {b.text: b.level for b in source.blocks if b.level is not None}
    assert levels["二、发展目标"] == 1 and levels["（一）主要目标"] == 2
    assert source.format == "docx" and all(b.source.paragraph for b in source.blocks if not b.is_table)


def _numbered_docx(path: Path) -> Path:
    """Headings numbered by Word itself (一、 二、 from numbering.xml), with a tracked change."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for level, text in [(0, "总体要求"), (0, "发展目标"), (1, "主要目标"), (1, "主要指标"), (0, "保障措施")]:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    changed = document.add_paragraph("森林覆盖率达到")
    changed._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="1" w:author="审核人"><w:r><w:t>55%</w:t></w:r></w:ins>'))
    changed._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="2" w:author="审核人"><w:r><w:delText>50%</w:delText></w:r></w:del>'))
    document.save(str(path))
    return path


def test_docx_numbering_generated_by_word_is_rendered(tmp_path: Path) -> None:
    texts = [b.text for b in read_source(_numbered_docx(tmp_path / "numbered.docx")).blocks]
    assert texts[-6:] == ["一、总体要求", "二、发展目标", "（一）主要目标", "（二）主要指标", "三、保障措施", "森林覆盖率达到55%"]


def test_pdf_drops_page_numbers_and_keeps_pages(tmp_path: Path) -> None:
    source = read_source(sample.write_pdf(tmp_path / "plan.pdf"))
    texts = [b.text for b in source.blocks]
    assert not any("—" in t and t.strip("— ").isdigit() for t in texts)
    [table] = [b for b in source.blocks if b.is_table]
    assert table.source.page == 2 and source.blocks[0].source.page == 1
    lines = [b.source.line for b in source.blocks]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)


def test_pdf_table_cut_by_a_page_break_is_joined(tmp_path: Path) -> None:
    source = read_source(sample.write_pdf(tmp_path / "plan.pdf", split_table=True))
    tables = [b for b in source.blocks if b.is_table]
    assert len(tables) == 1
    [table] = tables
    assert [c.text for c in table.rows[0]] == sample.TABLE[0]
    assert [row[1].text for row in table.rows] == [row[1] for row in sample.TABLE]
    assert len({row[0].source.page for row in table.rows}) == 2
    assert _signature(tmp_path / "plan.pdf") == _signature(sample.write_txt(tmp_path / "plan.txt"))


def test_html_reads_the_article_not_the_site_furniture(tmp_path: Path) -> None:
    source = read_source(sample.write_html(tmp_path / "plan.html"))
    text = "\n".join(b.text for b in source.blocks)
    assert "云溪区人民政府" in text and "到2025年，全区森林覆盖率达到55%以上" in text
    for furniture in ("政务公开", "网站标识码", "var x"):
        assert furniture not in text
    assert {b.level for b in source.blocks if b.text == "（一）主要目标"} == {3}


def test_html_in_utf8_reads_the_same(tmp_path: Path) -> None:
    gb = _signature(sample.write_html(tmp_path / "gb.html"))
    utf8 = _signature(sample.write_html(tmp_path / "utf8.html", encoding="utf-8"))
    assert gb == utf8 and gb


def _encrypted_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt="口令2025")
    c.drawString(100, 700, "secret plan")
    c.save()
    return path


def _scanned_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.rect(50, 50, 400, 600, fill=1)  # a page image: shapes, no text layer
    c.showPage()
    c.save()
    return path


def _zip_without_document(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return path


def _truncated_docx(path: Path) -> Path:
    full = sample.write_docx(path.with_name("full.docx")).read_bytes()
    path.write_bytes(full[: len(full) // 2])
    return path


def _html_without_text(path: Path) -> Path:
    path.write_text("<html><head><title>t</title><script>x=1</script></head><body><div> </div></body></html>")
    return path


def _fake_pdf(path: Path) -> Path:
    path.write_bytes(b"<html>not a pdf</html>")
    return path


BAD = {
    "encrypted pdf": (_encrypted_pdf, "plan.pdf", "已加密"),
    "scanned pdf": (_scanned_pdf, "plan.pdf", "没有文字层"),
    "not a pdf": (_fake_pdf, "plan.pdf", "不是 pdf 文档"),
    "zip without word document": (_zip_without_document, "plan.docx", "word/document.xml"),
    "truncated docx": (_truncated_docx, "plan.docx", "不完整"),
    "html without text": (_html_without_text, "plan.html", "没有正文"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_unreadable_containers_are_explained(tmp_path: Path, case: str) -> None:
    write, name, problem = BAD[case]
    path = write(tmp_path / name)
    with pytest.raises(InputError) as error:
        read_source(path)
    message = str(error.value)
    assert name in message and problem in message.lower()


def test_docx_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document>" + " " * (30 * 1024 * 1024) + "</w:document>")
    path = tmp_path / "bomb.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match="压缩炸弹"):
        read_source(path)
