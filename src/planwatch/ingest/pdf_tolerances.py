"""The PDF reader's tolerances in one place: how close is "the same line", "one rule", "a word gap".

They were constants at the top of each module of the reader; gathered here they can be read
together, and ``planwatch debug-pdf`` prints them beside the picture of what they made of a page.
Each module still names its own (``_SNAP = TOLERANCES.snap``), so the code reads as before. The
values were measured on the development set of plans (``scripts/pdf_devset.py``); changing one
changes what every PDF reads as, so run that set and the PDF tests after.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["TOLERANCES", "PdfTolerances"]


def _about(zh: str, unit: str) -> Any:
    """Field metadata: what the tolerance decides, in the users' language, and its unit."""
    return {"zh": zh, "unit": unit}


@dataclass(frozen=True, slots=True)
class PdfTolerances:
    """Distances in PDF points, or shares of the font size where the unit says so."""

    # page.py: a drawn stroke thinner than this is a rule (table border), not a shape.
    rule_thickness: float = field(default=3.0, metadata=_about("比此更细的笔画视为表格线", "pt"))
    # tables.py: rules closer than this are one rule (double borders, rounding, line width).
    snap: float = field(default=2.5, metadata=_about("相距小于此的表格线视为同一条", "pt"))
    # lines.py: two characters belong to one line when their baselines are closer than this share of their size.
    same_line: float = field(default=0.3, metadata=_about("基线相距小于字号的此比例即同一行", "×字号"))
    # lines.py: characters smaller than this share of a line's size, raised or lowered from its middle by
    # less than ``raised`` of its size, belong to it (superscripts, subscripts).
    small: float = field(default=0.85, metadata=_about("小于行字号此比例的字可作上下标", "×字号"))
    raised: float = field(default=0.75, metadata=_about("上下标偏离行中线不超过字号的此比例", "×字号"))
    # lines.py: a gap wider than this share of the font size between Latin characters is a word space.
    word_space: float = field(default=0.15, metadata=_about("西文字符间距大于此即为空格", "×字号"))
    # open_tables.py: words are set apart by a gap wider than this share of the font size (justified text
    # spreads less).
    word_gap: float = field(default=0.6, metadata=_about("无线表格中词与词的最小间隔", "×字号"))
    # open_tables.py: a column's words keep at least this share of the font size away from the next column's.
    column_gap: float = field(default=0.3, metadata=_about("无线表格相邻两列的最小间隔", "×字号"))
    # open_tables.py: lines of one table are at most this many font sizes apart; a header's stacked lines,
    # and the rules around a header, closer than ``header_gap``.
    row_gap: float = field(default=2.5, metadata=_about("同一表格相邻两行的最大间距", "×字号"))
    header_gap: float = field(default=4.0, metadata=_about("表头各行及表头上下表格线的最大间距", "×字号"))
    # open_tables.py: a cell's text wrapped over lines leaves at most this share of the font size between them.
    wrapped_gap: float = field(default=0.6, metadata=_about("单元格内折行的最大行距", "×字号"))
    # open_tables.py: lines overlapping by more than this share of the font size are set half a line apart,
    # in one row.
    overlap: float = field(default=0.25, metadata=_about("两行重叠超过此比例即同属一行", "×字号"))
    # open_tables.py: a category text is at the middle of its group when this share of the font size from it at most.
    centred: float = field(default=0.75, metadata=_about("分类文字距所辖行组中线不超过此即居中", "×字号"))
    # open_tables.py: gaps between lines that differ by less than this are as wide as each other.
    tie: float = field(default=1.0, metadata=_about("行距相差小于此视为相等", "pt"))
    # open_tables.py: lines atop a page passed over before the rest of a table (a running head, a label).
    head_lines: int = field(default=2, metadata=_about("续表前可跳过的页首行数", "行"))
    # open_tables.py: a header cell's name wraps over this many lines at most.
    header_lines: int = field(default=4, metadata=_about("表头单元格最多折行数", "行"))
    # open_tables.py: a column name spread over its cell has at most this many characters (指　标　名　称).
    spread_name: int = field(default=4, metadata=_about("字间加空格的列名最多字数", "字"))
    # paragraphs.py: lines further apart than the usual line gap and this share of the font size have a
    # blank line between them.
    blank_line: float = field(default=1.5, metadata=_about("行距超出常规行距此比例即有空行", "×字号"))
    # paragraphs.py: a line that stops this share of the text width before the right margin ends its paragraph.
    short_line: float = field(default=0.25, metadata=_about("行尾距右边界超过版心宽度此比例即段落结束", "×版心宽"))
    # pdf_reader.py: a running head or foot is repeated at the same height on this many pages at least,
    # and on this share of them (odd and even pages may carry different heads); a label such as 附件1 atop
    # a few pages is not one.
    running_pages: int = field(default=3, metadata=_about("页眉页脚至少重复出现的页数", "页"))
    running_share: float = field(default=0.4, metadata=_about("页眉页脚至少出现在此比例的页上", "×页数"))
    # pdf/ocr.py: a dark run this long is a rule, not a stroke of a character (three characters of 12 points).
    rule_length: float = field(default=36.0, metadata=_about("扫描页中长于此的深色线段视为表格线", "pt"))
    # pdf/ocr.py: a pixel darker than this (0-255) is ink.
    dark: int = field(default=128, metadata=_about("扫描页中灰度低于此即为墨迹", "0–255"))

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(name, value, unit, meaning) of each tolerance, for printing."""
        return [(spec.name, f"{getattr(self, spec.name):g}", spec.metadata["unit"], spec.metadata["zh"])
                for spec in dataclasses.fields(self)]


TOLERANCES: Final = PdfTolerances()
