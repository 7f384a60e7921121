"""Lines broken at a page's right margin are joined into paragraphs again (PDF text)."""

from __future__ import annotations

from planwatch.extract.layout import Line, layout
from planwatch.ingest.blocks import Block, BlockKind, Provenance

PAGE = [
    "二、发展目标",
    "（一）主要目标。",
    "到2025年，全区经济实力显著增强，地区生产总值达到600亿",
    "元左右，常住人口城镇化率提高到68%，森林覆盖率达到50%以",
    "上，城镇调查失业率控制在5.5%以内。",
    "（二）分项目标。",
    "——创新动力持续增强。研究与试验发展经费投入强度达到2.5%。",
    "1．壮大先进制造业。",
]


def _blocks(lines: list[str]) -> list[Block]:
    return [Block(BlockKind.PARAGRAPH, Provenance(line=n), text=t) for n, t in enumerate(lines, start=1)]


def test_wrapped_lines_are_joined_into_paragraphs() -> None:
    items = layout(_blocks(PAGE), wrapped=True)
    texts = [i.text for i in items if isinstance(i, Line)]
    assert texts == [
        "二、发展目标",
        "（一）主要目标。",
        "到2025年，全区经济实力显著增强，地区生产总值达到600亿元左右，常住人口城镇化率提高到68%，"
        "森林覆盖率达到50%以上，城镇调查失业率控制在5.5%以内。",
        "（二）分项目标。",
        "——创新动力持续增强。研究与试验发展经费投入强度达到2.5%。",
        "1．壮大先进制造业。",
    ]
    joined = next(i for i in items if isinstance(i, Line) and i.text.startswith("到2025年"))
    assert (joined.line, joined.last_line) == (3, 5)


def test_text_files_keep_their_lines() -> None:
    items = layout(_blocks(PAGE))
    assert len([i for i in items if isinstance(i, Line)]) == len(PAGE)
