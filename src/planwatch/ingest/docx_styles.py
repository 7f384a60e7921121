"""What a Word paragraph's style and numbering make of it: its heading level and its list label.

Government templates rarely type “一、”, “（一）” or “第一章” by hand: Word generates them
from numbering.xml, often through the heading styles themselves, and the outline depends
on them. Heading levels come from the style name (“Heading 2”, “标题 2”), from the outline
level (w:outlineLvl) of the paragraph or its style, or from the style it is based on, the
way Word itself inherits paragraph properties.
"""

from __future__ import annotations

from dataclasses import dataclass

from planwatch.ingest.docx_package import Element, w
from planwatch.numerals import to_chinese_integer

_HEADING_NAME_PREFIXES = ("heading", "标题")
_BODY_TEXT_OUTLINE_LEVEL = 9  # w:outlineLvl 9 is Word's "body text": not a heading
_P_STYLE, _OUTLINE_LEVEL, _NUM_PR, _VAL = w("pStyle"), w("outlineLvl"), w("numPr"), w("val")


@dataclass(frozen=True, slots=True)
class ParagraphFormat:
    """The properties a paragraph takes from its style chain and its own w:pPr."""

    style_id: str
    level: int | None  # heading level, 1 = top
    num_id: str | None  # numbering instance; None = not numbered
    num_level: int | None  # w:ilvl, None when only the numbering's style link can tell


@dataclass(frozen=True, slots=True)
class _Style:
    name: str
    based_on: str | None
    outline_level: int | None
    numbering: tuple[str | None, int | None] | None  # (numId, ilvl) from the style's w:numPr


class ParagraphStyles:
    """Paragraph styles from styles.xml, each resolved once along its w:basedOn chain."""

    def __init__(self, root: Element | None) -> None:
        self._styles: dict[str, _Style] = {}
        self._default = ""
        self._resolved: dict[str, ParagraphFormat] = {}
        if root is None:
            return
        for node in root.iterfind(w("style")):
            if node.get(w("type")) != "paragraph":
                continue
            style_id = node.get(w("styleId"), "")
            ppr = node.find(w("pPr"))
            self._styles[style_id] = _Style(
                name=_value(node, "name") or "",
                based_on=_value(node, "basedOn"),
                outline_level=_outline_level(ppr),
                numbering=_numbering(ppr),
            )
            if node.get(w("default")) in ("1", "true", "on"):
                self._default = style_id

    def of(self, ppr: Element | None) -> ParagraphFormat:
        """The format of a paragraph with these direct properties (w:pPr, or None)."""
        if ppr is None:
            return self._resolve(self._default)
        style_id, outline, numbering = self._default, None, None
        for node in ppr:  # one pass: this runs for every paragraph of the document
            tag = node.tag
            if tag == _P_STYLE:
                style_id = node.get(_VAL) or self._default
            elif tag == _OUTLINE_LEVEL:
                outline = _outline_level(ppr)
            elif tag == _NUM_PR:
                numbering = _numbering(ppr)
        style = self._resolve(style_id)
        if outline is None and numbering is None:
            return style
        level = style.level if outline is None else _heading_level(outline)
        num_id, num_level = style.num_id, style.num_level
        if numbering is not None:
            num_id = numbering[0] if numbering[0] is not None else num_id
            num_level = numbering[1] if numbering[1] is not None else num_level
        return ParagraphFormat(style_id, level, None if num_id == "0" else num_id, num_level)

    def _resolve(self, style_id: str, seen: frozenset[str] = frozenset()) -> ParagraphFormat:
        if style_id in self._resolved:
            return self._resolved[style_id]
        style = self._styles.get(style_id)
        if style is None or style_id in seen:  # unknown style, or a basedOn cycle in a damaged file
            return ParagraphFormat(style_id, None, None, None)
        base = (self._resolve(style.based_on, seen | {style_id}) if style.based_on
                else ParagraphFormat(style_id, None, None, None))
        level = _level_from_name(style.name)
        if level is None:
            level = base.level if style.outline_level is None else _heading_level(style.outline_level)
        num_id, num_level = style.numbering if style.numbering is not None else (base.num_id, base.num_level)
        resolved = ParagraphFormat(style_id, level, None if num_id == "0" else num_id, num_level)
        self._resolved[style_id] = resolved
        return resolved


def _level_from_name(name: str) -> int | None:
    lowered = name.strip().lower()
    for prefix in _HEADING_NAME_PREFIXES:
        rest = lowered[len(prefix):].strip()
        if lowered.startswith(prefix) and rest.isdigit():
            return int(rest)
    return None


def _heading_level(outline_level: int) -> int | None:
    return None if outline_level >= _BODY_TEXT_OUTLINE_LEVEL else outline_level + 1


def _outline_level(ppr: Element | None) -> int | None:
    value = _value(ppr, "outlineLvl") if ppr is not None else None
    return int(value) if value is not None and value.isdigit() else None


def _numbering(ppr: Element | None) -> tuple[str | None, int | None] | None:
    num_pr = ppr.find(w("numPr")) if ppr is not None else None
    if num_pr is None:
        return None
    level = _value(num_pr, "ilvl")
    return _value(num_pr, "numId"), int(level) if level is not None and level.isdigit() else None


def _value(node: Element, tag: str) -> str | None:
    child = node.find(w(tag))
    return None if child is None else child.get(w("val"))


@dataclass(frozen=True, slots=True)
class _Level:
    number_format: str
    text: str  # w:lvlText, e.g. "%1、" or "（%2）"
    start: int
    legal: bool = False  # w:isLgl: every level's number shown in Arabic digits ("1.1", not "一.1")


_DEFAULT_LEVEL = _Level("decimal", "", 1)


class Numbering:
    """Renders the labels Word draws in front of numbered paragraphs, counting as Word does.

    Numbering instances (w:num) of one abstract definition share their counters, so a list
    continues across them unless an instance restarts a level with w:startOverride. A
    definition that only names a list style (w:numStyleLink) takes its levels from the
    definition that style's instance uses, as multilevel lists made from list styles do.
    """

    def __init__(self, root: Element | None, styles: Element | None = None) -> None:
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._style_levels: dict[tuple[str, str], int] = {}  # (abstract id, paragraph style) -> ilvl
        self._instances: dict[str, tuple[str, dict[int, _Level], dict[int, int]]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()
        if root is None:
            return
        for node in root.iterfind(w("abstractNum")):
            abstract_id = node.get(w("abstractNumId"), "")
            self._abstract[abstract_id] = {}
            for lvl in node.iterfind(w("lvl")):
                ilvl = int(lvl.get(w("ilvl"), "0"))
                self._abstract[abstract_id][ilvl] = _level(lvl)
                linked_style = _value(lvl, "pStyle")
                if linked_style:
                    self._style_levels[(abstract_id, linked_style)] = ilvl
        style_links = {node.get(w("abstractNumId"), ""): _value(node, "numStyleLink")
                       for node in root.iterfind(w("abstractNum")) if _value(node, "numStyleLink")}
        instance_of = {num.get(w("numId"), ""): _value(num, "abstractNumId") or "" for num in root.iterfind(w("num"))}
        list_styles = _list_style_instances(styles)
        for num in root.iterfind(w("num")):
            abstract_id = _value(num, "abstractNumId") or ""
            if abstract_id in style_links:  # a list defined by a list style: its levels live where the style points
                abstract_id = instance_of.get(list_styles.get(style_links[abstract_id] or "", ""), abstract_id)
            if abstract_id not in self._abstract:
                continue
            levels = dict(self._abstract[abstract_id])
            restarts: dict[int, int] = {}
            for override in num.iterfind(w("lvlOverride")):
                ilvl = int(override.get(w("ilvl"), "0"))
                lvl = override.find(w("lvl"))
                if lvl is not None:
                    levels[ilvl] = _level(lvl)
                start = _value(override, "startOverride")
                if start is not None and start.lstrip("-").isdigit():
                    restarts[ilvl] = int(start)
            self._instances[num.get(w("numId"), "")] = (abstract_id, levels, restarts)

    def label(self, paragraph: ParagraphFormat) -> str:
        """The label of the next paragraph in this format; advances the list's counters."""
        if paragraph.num_id is None or paragraph.num_id not in self._instances:
            return ""
        abstract_id, levels, restarts = self._instances[paragraph.num_id]
        level = paragraph.num_level
        if level is None:
            level = self._style_levels.get((abstract_id, paragraph.style_id), 0)
        counters = self._counters.setdefault(abstract_id, {})
        if paragraph.num_id not in self._started:
            self._started.add(paragraph.num_id)
            for ilvl, start in restarts.items():
                counters[ilvl] = start - 1
        current = levels.get(level, _DEFAULT_LEVEL)
        counters[level] = counters.get(level, current.start - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        if current.number_format in ("bullet", "none") or not current.text:
            return ""
        text = current.text
        for k in range(level + 1):
            shown = levels.get(k, _DEFAULT_LEVEL)
            number_format = "decimal" if current.legal else shown.number_format
            text = text.replace(f"%{k + 1}", _format_counter(counters.get(k, shown.start), number_format))
        return text


def _list_style_instances(styles: Element | None) -> dict[str, str]:
    """Numbering instance (w:numId) of each list style (w:type="numbering") in styles.xml."""
    if styles is None:
        return {}
    found: dict[str, str] = {}
    for node in styles.iterfind(w("style")):
        numbering = _numbering(node.find(w("pPr"))) if node.get(w("type")) == "numbering" else None
        if numbering is not None and numbering[0] is not None:
            found[node.get(w("styleId"), "")] = numbering[0]
    return found


def _level(lvl: Element) -> _Level:
    start = _value(lvl, "start") or "1"
    return _Level(
        number_format=_value(lvl, "numFmt") or "decimal",
        text=_value(lvl, "lvlText") or "",
        start=int(start) if start.lstrip("-").isdigit() else 1,
        legal=lvl.find(w("isLgl")) is not None,
    )


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_PARENTHESIZED = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
_FULL_STOP = "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _format_counter(n: int, fmt: str) -> str:
    if fmt.startswith("chineseCounting") or fmt in ("taiwaneseCounting", "taiwaneseCountingThousand",
                                                    "ideographDigital", "japaneseCounting"):
        return to_chinese_integer(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 0 < n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "decimalEnclosedParen" and 0 < n <= len(_PARENTHESIZED):
        return _PARENTHESIZED[n - 1]
    if fmt == "decimalEnclosedFullstop" and 0 < n <= len(_FULL_STOP):
        return _FULL_STOP[n - 1]
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "ideographTraditional" and 0 < n <= len(_HEAVENLY_STEMS):
        return _HEAVENLY_STEMS[n - 1]
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        roman = ""
        for value, symbol in _ROMAN:
            count, n = divmod(n, value)
            roman += symbol * count
        return roman if fmt == "upperRoman" else roman.lower()
    return str(n)
