"""The Word reader on .docx files as offices save them: merged and nested tables, Word's own
numbering and heading styles, content controls, text boxes, and broken packages.

Every document here is fictional, written with python-docx (plus the raw XML python-docx
has no API for) and read back through ``read_source``.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from planwatch.errors import InputError
from planwatch.ingest import Block, SourceText, read_source

W = nsdecls("w")
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
V = 'xmlns:v="urn:schemas-microsoft-com:vml"'


def _save(document: Any, path: Path) -> SourceText:
    document.save(str(path))
    return read_source(path)


def _tables(source: SourceText) -> list[Block]:
    return [b for b in source.blocks if b.is_table]


def _texts(source: SourceText) -> list[str]:
    return [b.text for b in source.blocks if not b.is_table]


def _grid(table: Block) -> list[list[tuple[str, bool]]]:
    return [[(c.text, c.merged) for c in row] for row in table.rows]


def _fill(table: Any, rows: list[list[str]]) -> None:
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text


# --- merged cells -------------------------------------------------------------------------


def test_cells_merged_across_columns_and_rows_fill_every_grid_position(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=5, cols=5)
    _fill(table, [["类别", "指标", "2025年", "", "属性"],
                  ["", "", "目标值", "增速", ""],
                  ["经济发展", "地区生产总值", "900", "6%", "预期性"],
                  ["", "固定资产投资", "400", "5%", "预期性"],
                  ["民生福祉", "城镇新增就业", "1.2", "—", "预期性"]])
    table.cell(0, 2).merge(table.cell(0, 3))  # a year heading over two columns (w:gridSpan)
    for column in (0, 1, 4):  # header cells two rows high (w:vMerge)
        table.cell(0, column).merge(table.cell(1, column))
    table.cell(2, 0).merge(table.cell(3, 0))  # a category over its group of rows
    [block] = _tables(_save(document, tmp_path / "merged.docx"))
    assert _grid(block) == [
        [("类别", False), ("指标", False), ("2025年", False), ("2025年", True), ("属性", False)],
        [("类别", True), ("指标", True), ("目标值", False), ("增速", False), ("属性", True)],
        [("经济发展", False), ("地区生产总值", False), ("900", False), ("6%", False), ("预期性", False)],
        [("经济发展", True), ("固定资产投资", False), ("400", False), ("5%", False), ("预期性", False)],
        [("民生福祉", False), ("城镇新增就业", False), ("1.2", False), ("—", False), ("预期性", False)],
    ]
    assert [row[0].source.row for row in block.rows] == [1, 2, 3, 4, 5]


def test_rows_that_skip_grid_columns_keep_the_grid_width(tmp_path: Path) -> None:
    """Word writes w:gridBefore/w:gridAfter for a row that starts or ends inside the grid."""
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    _fill(table, [["序号", "指标", "目标"], ["1", "森林覆盖率（%）", "52"], ["", "", ""]])
    short = table.rows[2]._tr
    short.remove(short.tc_lst[0])
    short.insert(0, parse_xml(f'<w:trPr {W}><w:gridBefore w:val="1"/></w:trPr>'))
    short.tc_lst[0].clear_content()
    short.tc_lst[0].append(parse_xml(f'<w:p {W}><w:r><w:t>备注：数据来源于区林业局</w:t></w:r></w:p>'))
    [block] = _tables(_save(document, tmp_path / "grid_before.docx"))
    assert {len(row) for row in block.rows} == {3}
    assert [c.text for c in block.rows[2]] == ["", "备注：数据来源于区林业局", ""]


# --- nested tables ------------------------------------------------------------------------


def test_a_layout_table_is_read_as_the_caption_and_data_table_it_frames(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("二、主要指标")
    frame = document.add_table(rows=1, cols=1).cell(0, 0)
    frame.paragraphs[0].text = "表1  青岚区“十四五”城乡建设主要指标"
    data = frame.add_table(rows=3, cols=3)
    _fill(data, [["指标", "2020年", "2025年"], ["城镇化率（%）", "61", "66"], ["棚户区改造（户）", "800", "2000"]])
    document.add_paragraph("三、主要任务")
    source = _save(document, tmp_path / "layout.docx")
    [block] = _tables(source)
    assert [[c.text for c in row] for row in block.rows] == [
        ["指标", "2020年", "2025年"], ["城镇化率（%）", "61", "66"], ["棚户区改造（户）", "800", "2000"]]
    assert _texts(source) == ["二、主要指标", "表1  青岚区“十四五”城乡建设主要指标", "三、主要任务"]
    lines = [b.source.line for b in source.blocks if not b.is_table] + [row[0].source.line for row in block.rows]
    assert len(lines) == len(set(lines))  # every paragraph and row keeps a line of its own


def test_a_one_column_box_is_read_as_paragraphs(tmp_path: Path) -> None:
    """A bordered 专栏 box holds sentences, not columns: its goals must reach prose extraction."""
    document = docx.Document()
    document.add_paragraph("（一）主要目标")
    box = document.add_table(rows=2, cols=1)
    box.cell(0, 0).text = "专栏1  青岚区生态建设主要目标"
    box.cell(1, 0).paragraphs[0].text = "到2025年，全区森林覆盖率达到55%以上。"
    box.cell(1, 0).add_paragraph("城市生活污水集中收集率达到75%。")
    document.add_paragraph("（二）主要任务")
    source = _save(document, tmp_path / "box.docx")
    assert _tables(source) == []
    assert _texts(source) == ["（一）主要目标", "专栏1  青岚区生态建设主要目标", "到2025年，全区森林覆盖率达到55%以上。",
                              "城市生活污水集中收集率达到75%。", "（二）主要任务"]


def test_a_table_nested_in_a_data_cell_keeps_its_text_in_that_cell(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    _fill(table, [["指标", "单位", "目标"], ["污水处理率", "%", ""]])
    cell = table.cell(1, 2)
    cell.paragraphs[0].text = "分年度"
    _fill(cell.add_table(rows=2, cols=2), [["2024年", "95"], ["2025年", "98"]])
    [block] = _tables(_save(document, tmp_path / "nested.docx"))
    assert [c.text for c in block.rows[1]] == ["污水处理率", "%", "分年度\n2024年 95\n2025年 98"]


def test_a_data_table_with_a_table_in_its_note_row_stays_a_table(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    _fill(table, [["指标", "2020年", "2025年"], ["城镇化率（%）", "61", "66"], ["", "", ""]])
    note = table.cell(2, 0).merge(table.cell(2, 2))
    _fill(note.add_table(rows=1, cols=2), [["注：", "2020年为统计快报数"]])
    [block] = _tables(_save(document, tmp_path / "note_row.docx"))
    assert [c.text for c in block.rows[1]] == ["城镇化率（%）", "61", "66"]
    assert [(c.text, c.merged) for c in block.rows[2]] == [("注： 2020年为统计快报数", False),
                                                          ("注： 2020年为统计快报数", True),
                                                          ("注： 2020年为统计快报数", True)]


# --- headings and numbering ---------------------------------------------------------------


def _add_style(document: Any, xml: str) -> None:
    document.styles.element.append(parse_xml(xml))


def test_headings_by_style_name_based_on_style_and_outline_level(tmp_path: Path) -> None:
    document = docx.Document()
    _add_style(document, f'<w:style {W} w:type="paragraph" w:styleId="a3"><w:name w:val="标题 1"/></w:style>')
    _add_style(document, f'<w:style {W} w:type="paragraph" w:styleId="QLSection">'
                         '<w:name w:val="青岚节标题"/><w:basedOn w:val="Heading2"/></w:style>')
    _add_style(document, f'<w:style {W} w:type="paragraph" w:styleId="QLItem"><w:name w:val="青岚条目"/>'
                         '<w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>')
    _add_style(document, f'<w:style {W} w:type="paragraph" w:styleId="QLPlain"><w:name w:val="青岚正文"/>'
                         '<w:basedOn w:val="Heading2"/><w:pPr><w:outlineLvl w:val="9"/></w:pPr></w:style>')
    for style_id, text in [("a3", "第一章 发展基础"), ("QLSection", "第一节 发展成就"), ("QLItem", "一、综合实力"),
                           ("QLPlain", "全区经济总量稳步提升。")]:
        document.add_paragraph(text)._p.get_or_add_pPr().append(parse_xml(f'<w:pStyle {W} w:val="{style_id}"/>'))
    direct = document.add_paragraph("第二章 发展目标")
    direct._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {W} w:val="0"/>'))
    source = _save(document, tmp_path / "headings.docx")
    levels = {b.text: b.level for b in source.blocks}
    assert levels == {"第一章 发展基础": 1, "第一节 发展成就": 2, "一、综合实力": 3, "全区经济总量稳步提升。": None,
                      "第二章 发展目标": 1}


NUMBERING = (
    f'<w:abstractNum {W} w:abstractNumId="70">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1章"/>'
    '<w:pStyle w:val="QLChapter"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%2节"/>'
    '<w:pStyle w:val="QLSection"/></w:lvl>'
    '</w:abstractNum>',
    f'<w:abstractNum {W} w:abstractNumId="71">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%1）"/></w:lvl>'
    '</w:abstractNum>',
    f'<w:num {W} w:numId="70"><w:abstractNumId w:val="70"/></w:num>',
    f'<w:num {W} w:numId="71"><w:abstractNumId w:val="71"/></w:num>',
    f'<w:num {W} w:numId="72"><w:abstractNumId w:val="71"/></w:num>',
    f'<w:num {W} w:numId="73"><w:abstractNumId w:val="71"/>'
    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>',
)


def test_word_numbering_linked_to_heading_styles_and_restarted_lists(tmp_path: Path) -> None:
    """Chapter and section labels come from the heading styles' list; a list continues across
    numbering instances of one definition until an instance restarts it."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    for xml in NUMBERING:
        numbering.append(parse_xml(xml))
    numbered = '<w:pPr><w:numPr><w:numId w:val="70"/></w:numPr><w:outlineLvl w:val="{level}"/></w:pPr>'
    _add_style(document, f'<w:style {W} w:type="paragraph" w:styleId="QLChapter"><w:name w:val="青岚章"/>'
                         + numbered.format(level=0) + '</w:style>')
    _add_style(document, f'<w:style {W} w:type="paragraph" w:styleId="QLSection"><w:name w:val="青岚节"/>'
                         '<w:basedOn w:val="QLChapter"/>' + numbered.format(level=1) + '</w:style>')
    paragraphs = [("QLChapter", None, "总体要求"), ("QLSection", None, "指导思想"), ("QLSection", None, "基本原则"),
                  (None, "71", "坚持生态优先"), (None, "72", "坚持系统治理"), ("QLChapter", None, "发展目标"),
                  ("QLSection", None, "主要目标"), (None, "73", "到2025年")]
    for style_id, num_id, text in paragraphs:
        ppr = document.add_paragraph(text)._p.get_or_add_pPr()
        if style_id:
            ppr.append(parse_xml(f'<w:pStyle {W} w:val="{style_id}"/>'))
        if num_id:
            ppr.append(parse_xml(f'<w:numPr {W}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))
    source = _save(document, tmp_path / "numbered.docx")
    assert [(b.text, b.level) for b in source.blocks] == [
        ("第一章总体要求", 1), ("第一节指导思想", 2), ("第二节基本原则", 2), ("（一）坚持生态优先", None),
        ("（二）坚持系统治理", None), ("第二章发展目标", 1), ("第一节主要目标", 2), ("（一）到2025年", None)]


def test_a_list_defined_by_a_list_style_takes_the_styles_levels(tmp_path: Path) -> None:
    """Multilevel lists made from a list style: the instance's definition only names the style."""
    document = docx.Document()
    _add_style(document, f'<w:style {W} w:type="numbering" w:styleId="QLList"><w:name w:val="青岚多级列表"/>'
                         '<w:pPr><w:numPr><w:numId w:val="91"/></w:numPr></w:pPr></w:style>')
    numbering = document.part.numbering_part.element
    for xml in (f'<w:abstractNum {W} w:abstractNumId="90"><w:styleLink w:val="QLList"/>'
                '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
                '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>'
                '</w:abstractNum>',
                f'<w:abstractNum {W} w:abstractNumId="92"><w:numStyleLink w:val="QLList"/></w:abstractNum>',
                f'<w:num {W} w:numId="91"><w:abstractNumId w:val="90"/></w:num>',
                f'<w:num {W} w:numId="93"><w:abstractNumId w:val="92"/></w:num>'):
        numbering.append(parse_xml(xml))
    for level, text in [(0, "重点任务"), (1, "推进城市更新"), (1, "完善公共服务"), (0, "保障措施")]:
        document.add_paragraph(text)._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="93"/></w:numPr>'))
    source = _save(document, tmp_path / "list_style.docx")
    assert _texts(source) == ["一、重点任务", "1.推进城市更新", "2.完善公共服务", "二、保障措施"]


@pytest.mark.parametrize(("number_format", "legal", "labels"), [
    ("decimalEnclosedParen", False, ["⑴", "⑵"]),
    ("decimalEnclosedFullstop", False, ["⒈", "⒉"]),
    ("decimalZero", False, ["01", "02"]),
    ("chineseCounting", True, ["1.1", "1.2"]),  # legal numbering: Arabic digits on every level
])
def test_number_formats_of_government_lists(tmp_path: Path, number_format: str, legal: bool, labels: list[str]) -> None:
    document = docx.Document()
    numbering = document.part.numbering_part.element
    second = "%1.%2" if legal else "%2"
    numbering.append(parse_xml(
        f'<w:abstractNum {W} w:abstractNumId="60">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        f'<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="{number_format}"/>{"<w:isLgl/>" if legal else ""}'
        f'<w:lvlText w:val="{second}"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {W} w:numId="60"><w:abstractNumId w:val="60"/></w:num>'))
    for level, text in [(0, "主要任务"), (1, "推进产业升级"), (1, "扩大有效投资")]:
        document.add_paragraph(text)._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="60"/></w:numPr>'))
    texts = _texts(_save(document, tmp_path / "formats.docx"))
    assert texts == ["一、主要任务", f"{labels[0]}推进产业升级", f"{labels[1]}扩大有效投资"]


def test_numbered_cells_show_their_labels(tmp_path: Path) -> None:
    """A 序号 column numbered by Word holds no typed text, only the generated label."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(f'<w:abstractNum {W} w:abstractNumId="80"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                               '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {W} w:numId="80"><w:abstractNumId w:val="80"/></w:num>'))
    table = document.add_table(rows=3, cols=2)
    _fill(table, [["序号", "指标"], ["", "人均公园绿地面积"], ["", "城市绿化覆盖率"]])
    for row in table.rows[1:]:
        row.cells[0].paragraphs[0]._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {W}><w:ilvl w:val="0"/><w:numId w:val="80"/></w:numPr>'))
    [block] = _tables(_save(document, tmp_path / "numbered_cells.docx"))
    assert [[c.text for c in row] for row in block.rows] == [
        ["序号", "指标"], ["1", "人均公园绿地面积"], ["2", "城市绿化覆盖率"]]


# --- content controls, text boxes, tracked changes ------------------------------------------


def test_content_controls_are_read_through_and_unfilled_placeholders_dropped(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("青岚区人民政府")
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(
        f'<w:sdt {W}><w:sdtPr><w:alias w:val="文号"/></w:sdtPr><w:sdtContent>'
        '<w:p><w:r><w:t>青岚府发〔2025〕7号</w:t></w:r></w:p></w:sdtContent></w:sdt>'))
    body.insert(len(body) - 1, parse_xml(
        f'<w:sdt {W}><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>'
        '<w:p><w:r><w:t>单击或点击此处输入文字。</w:t></w:r></w:p></w:sdtContent></w:sdt>'))
    inline = document.add_paragraph("发文日期：")
    inline._p.append(parse_xml(f'<w:sdt {W}><w:sdtContent><w:r><w:t>2025年3月1日</w:t></w:r></w:sdtContent></w:sdt>'))
    source = _save(document, tmp_path / "controls.docx")
    assert _texts(source) == ["青岚区人民政府", "青岚府发〔2025〕7号", "", "发文日期：2025年3月1日"]


def _text_box(text: str) -> str:
    box = f'<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>'
    return (f'<w:r {W} {MC} {V}><mc:AlternateContent>'
            f'<mc:Choice Requires="wps"><w:drawing><wps:txbx xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">{box}</wps:txbx></w:drawing></mc:Choice>'
            f'<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback>'
            '</mc:AlternateContent></w:r>')


def test_a_text_box_is_read_once_after_its_paragraph(tmp_path: Path) -> None:
    document = docx.Document()
    anchored = document.add_paragraph("全区常住人口达到")
    anchored._p.append(parse_xml(_text_box("专栏1  重点民生工程")))
    anchored._p.append(parse_xml(f'<w:r {W}><w:t>52万人。</w:t></w:r>'))
    source = _save(document, tmp_path / "text_box.docx")
    assert _texts(source) == ["全区常住人口达到52万人。", "专栏1  重点民生工程"]


def test_tracked_moves_deleted_rows_and_tab_stops_show_as_word_shows_them(tmp_path: Path) -> None:
    document = docx.Document()
    moved = document.add_paragraph("目标：")
    moved._p.append(parse_xml(f'<w:moveFrom {W} w:id="1" w:author="审核人"><w:r><w:t>旧表述</w:t></w:r></w:moveFrom>'))
    moved._p.append(parse_xml(f'<w:moveTo {W} w:id="2" w:author="审核人"><w:r><w:t>新表述</w:t></w:r></w:moveTo>'))
    tabbed = document.add_paragraph("指标")
    tabbed._p.get_or_add_pPr().append(parse_xml(f'<w:tabs {W}><w:tab w:val="left" w:pos="4200"/></w:tabs>'))
    tabbed._p.append(parse_xml(f'<w:r {W}><w:tab/><w:t>目标值</w:t></w:r>'))
    table = document.add_table(rows=3, cols=2)
    _fill(table, [["指标", "目标"], ["已删除的指标", "0"], ["森林蓄积量（万立方米）", "120"]])
    table.rows[1]._tr.insert(0, parse_xml(f'<w:trPr {W}><w:del w:id="3" w:author="审核人"/></w:trPr>'))
    source = _save(document, tmp_path / "tracked.docx")
    assert _texts(source) == ["目标：新表述", "指标\t目标值"]
    [block] = _tables(source)
    assert [[c.text for c in row] for row in block.rows] == [["指标", "目标"], ["森林蓄积量（万立方米）", "120"]]


LIBREOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

PAGE = """<html><head><meta charset="utf-8"></head><body>
<h1>一、发展目标</h1><h2>（一）主要指标</h2><p>表1 青岚区“十五五”生态环境主要指标</p>
<table border="1">
<tr><td rowspan="2">类别</td><td rowspan="2">指标</td><td colspan="2">目标值</td></tr>
<tr><td>2027年</td><td>2030年</td></tr>
<tr><td rowspan="2">生态</td><td>森林覆盖率（%）</td><td>52</td><td>55</td></tr>
<tr><td>空气质量优良天数比例（%）</td><td>90</td><td>92</td></tr>
</table>
<table border="1"><tr><td><p>表2 青岚区城乡建设指标</p>
<table border="1"><tr><td>指标</td><td>2030年</td></tr><tr><td>城镇化率（%）</td><td>66</td></tr></table>
</td></tr></table>
<p>二、主要任务</p></body></html>"""


@pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice is not installed")
def test_a_plan_saved_as_word_by_libreoffice(tmp_path: Path) -> None:
    """Another office's Word output: its merge markup, heading styles and a framed table."""
    page = tmp_path / "plan.html"
    page.write_text(PAGE, encoding="utf-8")
    subprocess.run([str(LIBREOFFICE), "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path), str(page)],
                   check=True, capture_output=True, timeout=180)
    source = read_source(tmp_path / "plan.docx")
    merged, framed = _tables(source)
    assert _grid(merged) == [
        [("类别", False), ("指标", False), ("目标值", False), ("目标值", True)],
        [("类别", True), ("指标", True), ("2027年", False), ("2030年", False)],
        [("生态", False), ("森林覆盖率（%）", False), ("52", False), ("55", False)],
        [("生态", True), ("空气质量优良天数比例（%）", False), ("90", False), ("92", False)],
    ]
    assert [[c.text for c in row] for row in framed.rows] == [["指标", "2030年"], ["城镇化率（%）", "66"]]
    assert [(b.text, b.level) for b in source.blocks if not b.is_table] == [
        ("一、发展目标", 1), ("（一）主要指标", 2), ("表1 青岚区“十五五”生态环境主要指标", None),
        ("表2 青岚区城乡建设指标", None), ("二、主要任务", None)]


# --- broken packages ----------------------------------------------------------------------


def _minimal_docx(document_xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def test_damaged_xml_names_the_part(tmp_path: Path) -> None:
    path = tmp_path / "规划.docx"
    path.write_bytes(_minimal_docx(f'<w:document {W}><w:body><w:p><w:r><w:t>青岚区</w:t></w:r></w:body>'))
    with pytest.raises(InputError) as error:
        read_source(path)
    message = str(error.value)
    assert message.startswith(str(path)) and "word/document.xml 的 XML 已损坏" in message and "\n" not in message


def test_bad_crc_names_the_damaged_part(tmp_path: Path) -> None:
    body = f'<w:document {W}><w:body><w:p><w:r><w:t>{"青岚区生态环境保护" * 50}</w:t></w:r></w:p></w:body></w:document>'
    data = bytearray(_minimal_docx(body))
    offset = data.index(b"word/document.xml") + len("word/document.xml") + 20
    data[offset] ^= 0xFF  # one flipped byte inside the compressed document
    path = tmp_path / "规划.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as error:
        read_source(path)
    assert "word/document.xml" in str(error.value) and "\n" not in str(error.value)


def test_zip_bomb_is_refused_from_the_directory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(_minimal_docx(f'<w:document {W}><w:body>' + "<w:p/>" * 2_000_000 + "</w:body></w:document>"))
    with pytest.raises(InputError, match=r"解压后有 [\d,]+ 字节.*压缩炸弹"):
        read_source(path)


def test_the_main_part_is_found_through_the_package_relationships(tmp_path: Path) -> None:
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document2.xml"/></Relationships>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document2.xml",
                   f'<w:document {W}><w:body><w:p><w:r><w:t>青岚区“十四五”规划</w:t></w:r></w:p></w:body></w:document>')
    path = tmp_path / "renamed.docx"
    path.write_bytes(buffer.getvalue())
    assert _texts(read_source(path)) == ["青岚区“十四五”规划"]

