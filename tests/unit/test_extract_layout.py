"""Text lines stay lines: joining a page's wrapped lines is the PDF reader's job (it knows the
page geometry), so a text file's short lines are never run together by the layout."""

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


def test_text_files_keep_their_lines() -> None:
    items = layout(_blocks(PAGE))
    assert len([i for i in items if isinstance(i, Line)]) == len(PAGE)
