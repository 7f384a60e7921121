"""The recall net under the readers: every figure that looks like a target and gave no indicator.

The table and sentence readers are written for the layouts and phrasings plans use; a plan
that phrases a target otherwise must not lose it without a word. This net does not try to
understand the sentence: it finds the figures that carry a target's marks (a unit or a
count after them, a verb of attainment or a comparator around them, a range) and checks,
figure by figure, that an indicator read from the same line holds it. A sentence with a
figure left over becomes a diagnostic on its line, which the document viewer turns into an
indicator in one click. Silence is what costs users their trust; a diagnostic costs seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from planwatch.extract.records import Diagnostic, Indicator
from planwatch.extract.text import mask_quoted, squeeze
from planwatch.numerals import parse_chinese_integer, to_halfwidth

# A number that is a quantity, not a date, a list number or part of a name (5G, PM2.5, 3A级).
_FIGURE = re.compile(r"(?<![\d.A-Za-z_／/])(\d+(?:\.\d+)?)(?![\d.A-Za-z]|\s*(?:年|月|日|号|届|次会议|周年|五))")
_UNIT_AFTER = re.compile(r"^\s*(?:%|‰|个百分点|[\u4e00-\u9fff]{1,4}(?:/[\u4e00-\u9fff\d]{1,4})?)")
_CUE = re.compile(r"达到|达|控制在|不低于|不少于|不高于|不超过|以上|以下|以内|左右|提高|提升|下降|降低|减少|增长|增加|"
                  r"突破|超过|迈上|台阶|力争|确保|实现|保持|稳定在|降至|缩小|扩大|新建|新增|建成|累计|[≥≤<>＞＜—~～]")
_CAPTION_LINE = re.compile(r"^(?:表|图|附表|专栏)\s*[\d一二三四五六七八九十]")
_SENTENCE = re.compile(r"[^。；;！!？?]+[。；;！!？?]?")
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}\s*[．.、](?!\d)|[（(]\s*\d{1,2}\s*[）)]|[（(]?[一二三四五六七八九十]+[）)、]|[—-]+)\s*")
_CUE_WINDOW = 12  # characters around a figure in which a verb or comparator makes it a target
# A share written as a fraction (2/3, 三分之二): a target when a comparator or 的 follows it
# (覆盖2/3以上的村) or a verb of attainment comes before it.
_FRACTION = re.compile(r"(?<![\d.A-Za-z_/])(\d{1,3})\s*/\s*(\d{1,3})(?![\d./A-Za-z])"
                       r"|([一二三四五六七八九十]{1,3})分之([一二三四五六七八九十]{1,3})")
_FRACTION_MARK = re.compile(r"^\s*(?:以上|以下|以内|左右|的)")


def target_figures(sentence: str, cued: bool = True) -> list[str]:
    """The figures of a sentence that read like targets: with a unit or a count after them and
    (``cued``, outside goals sections) a verb of attainment or a comparator near them."""
    text = _NUMBERING.sub(lambda m: "＿" * len(m.group()), mask_quoted(squeeze(to_halfwidth(sentence))))
    out = []
    for m in _FIGURE.finditer(text):
        before, after = text[max(0, m.start() - _CUE_WINDOW): m.start()], text[m.end(): m.end() + _CUE_WINDOW]
        if re.match(r"\s*年", after) and re.fullmatch(r"(?:19|20)\d{2}", m.group(1)):
            continue
        if _UNIT_AFTER.match(after) and (not cued or _CUE.search(before) or _CUE.search(after[:6])):
            out.append(m.group(1))
    for m in _FRACTION.finditer(text):
        before, after = text[max(0, m.start() - _CUE_WINDOW): m.start()], text[m.end(): m.end() + _CUE_WINDOW]
        if _FRACTION_MARK.match(after) or _CUE.search(before):
            out.append(m.group())
    return out


def _fraction_key(match: re.Match[str]) -> str:
    """2/3 and 三分之二 are one share: numerator over denominator."""
    if match.group(1) is not None:
        return f"{int(match.group(1))}/{int(match.group(2))}"
    return f"{parse_chinese_integer(match.group(4))}/{parse_chinese_integer(match.group(3))}"


def _number_key(figure: str) -> str:
    fraction = _FRACTION.fullmatch(figure)
    return _fraction_key(fraction) if fraction else str(float(figure))


def _covered(found: Iterable[Indicator]) -> set[str]:
    """Every number an indicator of the paragraph holds: targets (all milestones), baselines, names."""
    keys: set[str] = set()
    for indicator in found:
        # a figure in the name is part of the quantity (公交站点500米覆盖率), not a target
        texts = [t.text for t in indicator.targets] + [indicator.baseline or "", indicator.name]
        values = [v for t in indicator.targets for v in (t.value, t.value_high) if v is not None]
        keys.update(_number_key(f) for text in texts for f in re.findall(r"\d+(?:\.\d+)?", to_halfwidth(text)))
        keys.update(_fraction_key(f) for text in texts for f in _FRACTION.finditer(to_halfwidth(text)))
        keys.update(_number_key(str(v)) for v in values)
    return keys


def unread_sentences(paragraph: str, line: int, found: Sequence[Indicator], file: str,
                     cued: bool = False) -> list[Diagnostic]:
    """Sentences of a paragraph holding a target-like figure that no indicator of the paragraph holds
    (in a goals section any counted figure is one; elsewhere it needs a target's verb or comparator)."""
    covered = _covered(found)
    out = []
    for match in _SENTENCE.finditer(paragraph):
        sentence = match.group().strip()
        if not sentence or _CAPTION_LINE.match(squeeze(sentence)):
            continue  # 表1 …主要指标表: the table itself is read (and diagnosed) as a table
        if any(_number_key(f) not in covered for f in target_figures(sentence, cued)):
            out.append(Diagnostic(file, line, "goal_sentence", sentence, "goal_sentence"))
    return out
