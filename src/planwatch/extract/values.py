"""Reading a printed target or baseline: ``≥82.3``, ``32左右``, ``下降15%``, ``7.5*``, ``【120】``.

Plans print targets in a compact notation whose conventions are shared across
documents: an asterisk marks an average annual rate (年均), 【】 or [] a five-year total
(累计), a leading minus inside brackets a reduction, and words before or after the number
say how to compare (以上, 不低于, 控制在…以下, 左右). The result is a comparator plus numbers
and the unit printed next to the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planwatch.extract.records import Comparator
from planwatch.numerals import to_halfwidth

NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"  # 1,200.5 or 1200.5
_NUM = re.compile(NUMBER)
# Units printed right after a number in targets (longest first so 平方公里 wins over 公里).
UNITS = sorted(
    ["%", "‰", "‱", "个百分点", "百分点", "万亿元", "千亿元", "百亿元", "亿元", "万元", "元", "亿美元", "万美元", "美元", "亿立方米", "万立方米", "立方米", "平方公里", "万平方米", "平方米", "亩", "万亩", "公顷", "公里", "千米", "米", "万吨", "亿吨", "吨", "万千瓦", "千瓦", "万千瓦时", "亿千瓦时", "千瓦时", "万标箱", "标箱", "万人次", "人次", "万人", "人", "万户", "户", "家", "个", "项", "条", "座", "所", "张", "名", "岁", "年", "天", "小时", "分钟", "起", "处", "辆", "台", "套", "次", "件", "万件", "亿条", "万条", "条", "TB", "PB", "GB", "倍", "人/10万", "1/10万", "万辆", "艘", "床", "部", "只", "头", "株", "万株", "公斤", "千克", "克", "升", "毫克", "立方米/秒", "微克/立方米", "毫克/立方米", "毫克/升", "吨标准煤/万元", "亿吨标准煤", "万吨标准煤", "吨标准煤", "立方米/万元", "平方米/人", "张/千人", "人/千人", "分贝", "亿斤", "万斤", "斤", "克/千克", "万", "亿", "分",
     # classifiers that count things a plan builds or clears (3块, 15条（段）)
     "块", "段", "幢", "栋", "间", "棵", "盏", "根", "支", "队", "批", "片", "位", "宗", "笔", "份", "场", "门",
     "本", "册", "篇", "幅", "架", "轮", "类", "种", "组"],
    key=len,
    reverse=True,
)
# A rate per person, per hectare …: 万元/人, 公斤/亩, 人/万人.
_PER_UNIT = r"(?:\s*/\s*(?:人|户|千克|公斤|吨|亩|公顷|平方米|平方公里|万人|千人|百人|万元|辆|年|日|天|小时))?"
# 15条（段）, 3块（条）: a count printed with its alternative classifier in brackets.
_ALTERNATIVE = r"(?:[（(][\u4e00-\u9fff＿]{1,2}[）)])?"  # ＿: the prose reader masks bracketed text
# A score (90分) only where no word goes on from 分 (分阶段, 分类 are words of their own).
_SCORE = r"分(?=以上|以下|以内|左右|[^\u4e00-\u9fff]|$)"
UNIT_RE = "(?:" + "|".join(_SCORE if u == "分" else re.escape(u) for u in UNITS) + ")" + _PER_UNIT + _ALTERNATIVE
_UNIT_CELL = re.compile(UNIT_RE)


def is_unit(text: str) -> bool:
    """A table cell that is a unit of measure: 万平方米, 条（段）, 元/平方米, 件/万人."""
    t = text.strip().replace("％", "%")
    return bool(_UNIT_CELL.fullmatch(t)) or (len(t) <= 8 and "/" in t and not re.search(r"\d", t)
                                             and len(re.findall(r"[\u4e00-\u9fff]", t)) <= 5)

_GE_WORDS = ("不低于", "不少于", "至少", "以上", "及以上", "高于或等于")
_LE_WORDS = ("以下", "以内", "不高于", "不超过", "不大于", "控制在", "低于或等于", "及以下")
_GT_WORDS = ("高于", "超过", "大于", "多于", "余")
_LT_WORDS = ("低于", "小于", "少于")
_ABOUT_WORDS = ("左右", "约", "大约", "上下")
_DECREASE = re.compile(r"(下降|降低|减少|缩减|压减|削减)(了)?\s*(" + NUMBER + r")\s*%")
_INCREASE = re.compile(r"(提高|提升|增长|增加|上升)(了)?\s*(" + NUMBER + r")\s*%")
_POINTS = re.compile(r"(下降|降低|减少|提高|提升|增加|上升)\s*(" + NUMBER + r")\s*个?百分点")
_RATIO = re.compile(NUMBER + r"\s*[:：∶]\s*" + NUMBER + r"(?:\s*[:：∶]\s*" + NUMBER + r")*")
_RANGE = re.compile(r"(" + NUMBER + r")\s*(%|" + UNIT_RE + r")?\s*[—–\-~～至到]+\s*(" + NUMBER + r")")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_HALF = re.compile(r"(?<![\d.一二三四五六七八九十两])半(?=个?小时|个?月|年|天)")
_PER = re.compile(r"(" + NUMBER + r")\s*/\s*(\d*\s*(?:10万|万|千|百))")


@dataclass(frozen=True, slots=True)
class Reading:
    """What a printed value says."""

    value: float | None
    comparator: Comparator
    unit: str | None = None
    value_high: float | None = None
    annual_average: bool = False
    cumulative: bool = False


_CALENDAR_YEAR = re.compile(r"(?<![\d.])(?:19|20)\d{2}\s*年(?:底前|底|末|前|初|内|以前)?")
_DATED = re.compile(r"^\s*((?:19|20)\d{2})\s*年(?:底|末)?\s*[:：]?\s*(?=\S)")


def dated_parts(printed: str) -> list[tuple[int | None, str]]:
    """``2027年60%，2028年80%``: a target cell that names its own years, part by part."""
    parts = [p.strip() for p in re.split(r"[，,；;]", printed) if p.strip()]
    if len(parts) < 1 or not _DATED.match(to_halfwidth(parts[0])):
        return [(None, printed)]
    out: list[tuple[int | None, str]] = []
    for part in parts:
        m = _DATED.match(to_halfwidth(part))
        if m and has_number(part[m.end():]):
            out.append((int(m.group(1)), part))
    return out


def number(text: str) -> float:
    """A matched NUMBER as a float (thousands separators dropped)."""
    return float(text.replace(",", ""))


def has_number(text: str) -> bool:
    return bool(_NUM.search(_HALF.sub("0.5", to_halfwidth(text))))


def comparator_of(text: str, default: Comparator = Comparator.EQ) -> Comparator:
    """The comparator a printed value states: a sign right before the number (≥90, 护理型床位≥70%) or words."""
    s = text.replace(" ", "")
    sign = re.search(r"(>=|<=|[≥≧≤≦><])(?=[-+]?\d)", s)
    sign_text = sign.group(1) if sign else ""
    if sign_text in ("≥", "≧", ">=") or any(w in s for w in _GE_WORDS):
        return Comparator.GE
    if sign_text in ("≤", "≦", "<=") or any(w in s for w in _LE_WORDS):
        return Comparator.LE
    if sign_text == ">" or any(w in s for w in _GT_WORDS):
        return Comparator.GT
    if sign_text == "<" or any(w in s for w in _LT_WORDS):
        return Comparator.LT
    if any(w in s for w in _ABOUT_WORDS):
        return Comparator.ABOUT
    return default


def unit_after(text: str, end: int) -> str | None:
    """The unit printed right after a number ending at ``end``."""
    m = re.match(r"\s*(" + UNIT_RE + ")", text[end:])
    return m.group(1) if m else None


def read_value(printed: str) -> Reading | None:
    """Read a printed target/baseline cell; None when it holds no number (逐步提高, —)."""
    s = _THOUSANDS.sub("", _DATED.sub("", to_halfwidth(printed)).strip())
    s = _CALENDAR_YEAR.sub("", s)  # 至2026年底，全面启动…: a date, not the value
    s = s.replace("＜", "<").replace("＞", ">").replace("≧", "≥").replace("≦", "≤")
    s = _HALF.sub("0.5", s)
    if not _NUM.search(s):
        return None
    annual = "*" in s or "年均" in s
    cumulative = bool(re.search(r"[【\[].*" + NUMBER + r".*[】\]]", s)) or "累计" in s
    inner = re.sub(r"[【】\[\]*]", "", s).strip()
    if _RATIO.search(inner):
        return Reading(None, Comparator.EQ)
    if len(_NUM.findall(inner)) > 1 and re.search(r"\d\s*%?\s*[、,，/]\s*\d", inner) and not _PER.search(inner):
        return Reading(None, Comparator.EQ)  # several values in one cell: 1%、20%
    m = _POINTS.search(inner)
    if m:
        comp = Comparator.DECREASE_BY_POINTS if m.group(1) in ("下降", "降低", "减少") \
            else Comparator.INCREASE_BY_POINTS
        return Reading(float(m.group(2)), comp, "个百分点", annual_average=annual, cumulative=cumulative)
    m = _DECREASE.search(inner)
    if m:
        return Reading(float(m.group(3)), Comparator.DECREASE_BY_PCT, "%", annual_average=annual,
                       cumulative=cumulative)
    m = _INCREASE.search(inner)
    if m and "到" not in inner[: m.start() + 4]:
        return Reading(float(m.group(3)), Comparator.INCREASE_BY_PCT, "%", annual_average=annual,
                       cumulative=cumulative)
    if re.match(r"^-\s*" + NUMBER + r"\s*%$", inner):
        return Reading(float(_NUM.findall(inner)[0]), Comparator.DECREASE_BY_PCT, "%",
                       annual_average=annual, cumulative=cumulative)
    m = _PER.search(inner)
    if m:
        return Reading(float(m.group(1)), comparator_of(inner), "1/" + m.group(2).replace(" ", ""),
                       annual_average=annual, cumulative=cumulative)
    m = _RANGE.search(inner)
    if m and not inner[: m.start()].rstrip().endswith(("≥", "≤", ">", "<")):
        unit = m.group(2) or unit_after(inner, m.end())
        return Reading(float(m.group(1)), Comparator.RANGE, unit, value_high=float(m.group(3)),
                       annual_average=annual, cumulative=cumulative)
    num = _NUM.search(inner)
    assert num is not None
    value = float(num.group())
    return Reading(value, comparator_of(inner), unit_after(inner, num.end()), annual_average=annual, cumulative=cumulative)
