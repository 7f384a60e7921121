"""Line cleaning shared by every extraction step.

Word exports leave residue (``[bookmark: _Toc…]`` anchors, markdown bold markers) and
page-break splits leave stray spaces inside Chinese text. Cleaning is done once per
line so that later rules can be written against the text a reader sees.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_RESIDUE = re.compile(r"\[bookmark:[^\]]*\]|\*\*|__")
# Spaces inside Chinese text come from PDF/Word layout, not from the author.
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”（）《》、])\s+"
                        r"|\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”（）《》、])")
_MULTISPACE = re.compile(r"\s+")


def clean_line(raw: str) -> str:
    """The visible text of a line: residue removed, outer whitespace stripped."""
    return _RESIDUE.sub("", raw).strip()


@lru_cache(maxsize=8192)  # the same line is squeezed by several steps (documents, outline, prose)
def squeeze(text: str) -> str:
    """Remove layout spaces next to Chinese characters, keep single spaces between Latin words."""
    return _MULTISPACE.sub(" ", _CJK_SPACE.sub("", text)).strip()


def fold(text: str) -> str:
    """A comparison key: NFKC, no whitespace. Used to match headings, titles and keywords."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


CJK = re.compile(r"[\u4e00-\u9fff]")


def cjk_count(text: str) -> int:
    return len(CJK.findall(text))


_OPEN = {"（": "）", "(": ")", "“": "”", "《": "》"}


def mask_quoted(text: str) -> str:
    """Hide quoted and bracketed spans (“2233”铁路网络, （2条高铁、3条市域（郊）铁路）) from number
    searches, keeping offsets (one character for one); brackets nest, the outer ones stay."""
    out = []
    stack: list[str] = []
    for ch in text:
        if stack and ch == stack[-1]:
            stack.pop()
            out.append(ch)
        elif ch in _OPEN:
            out.append("＿" if stack else ch)
            stack.append(_OPEN[ch])
        else:
            out.append("＿" if stack else ch)
    return "".join(out)


_ORG_END = re.compile(r"(委|局|办|院|会|府|队|部|处|所|站|中心|公司|政府|街道|镇|办事处|法院|检察院|集团|支队|大队|联|协)$")


def is_org_unit_name(name: str) -> bool:
    """Whether ``name`` reads as a department, town or company (区林业局, 草街街道办事处)."""
    return bool(_ORG_END.search(squeeze(name)))
