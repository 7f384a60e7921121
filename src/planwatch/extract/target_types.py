"""Which kind of target a plan states: a level, a change, a rate, an amount over the period,
or a target without a number.

The type decides what a clerk enters and how progress is measured, so it is read from what
extraction knows about a target — its printed text and comparator, the indicator's name and
unit, and whether a baseline is printed — by one classifier, :func:`classify_target`, applied
to every extracted target by :func:`with_target_types`. The rules, first match wins:

1. **qualitative** — extraction marked the target ``qualitative``; or its text has no number
   once the years are set aside (完成市级下达目标, 进一步优化布局); or it measures the
   indicator against something the plan does not quantify (与全市经济增速保持同步,
   高于全市平均水平, 正增长, 保持全国前十, 高于全区税收年均增速3个百分点以上).
2. **rate** — the indicator is a growth rate (地区生产总值增长 %, 增速, 增长率), or the target is
   an average annual rate of a level (``7.5*``, 年均增长6%), or the text reads X增长Y%.
   A 年均 name whose value is a yearly share (年均…占比 ≤1%) is a level of the yearly mean.
3. **change** — a change against the baseline: 提高/下降 X%, X 个百分点, and the reductions
   of an intensity entered as % (单位地区生产总值能源消耗降低, even when printed 【13.5】).
4. **cumulative** — an amount achieved over the period: 【】 or 累计 in the target, or an
   indicator whose name says it is added or done (新增, 新建, 增加, 累计, or an action such as
   更新、改造、修缮、开放、维修养护) and counts things, area or length rather than a ratio, a
   density or a per-capita figure — unless the target says 达到/保持 a level (新增X is X over
   the period whatever baseline is printed; 达到Y is a level).
5. **level** — everything else (达到X, ≥X, X左右, X—Y, ratios such as 6.5:2.5:1).

A cumulative target counts from zero: progress is the sum of each period's increments.
Only a running total (累计 with a printed baseline, and no 新增/新建) starts from the baseline,
see :func:`cumulative_counts_baseline`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from planwatch.extract.records import Comparator, Indicator, Target, TargetType
from planwatch.extract.values import has_number
from planwatch.numerals import to_halfwidth

__all__ = [
    "classify_target",
    "cumulative_counts_baseline",
    "is_growth_rate_name",
    "is_reduction_name",
    "reduction_entered_cumulative",
    "typed_target",
    "with_target_types",
]

_PERCENT = ("%", "％")
# Names whose figures are yearly growth rates (地区生产总值年均增速), and names that are rates
# only in % (居民人均可支配收入增长 %, 能源消耗降低 %).
_RATE_WORDS = ("增速", "增长率", "增长速度", "增幅")
_GROWTH_ENDING = re.compile("增长$")
_REDUCTION_ENDING = re.compile("(降低|下降|减少|削减|压减)(率|幅度)?$")

_YEARS = re.compile(r"(?:19|20)\d{2}\s*年(?:底|末|前|内)?|[“\"]?十[一二三四五六七八九]?五[”\"]?")
# A target measured against something the plan does not quantify.
_EXTERNAL = re.compile(
    r"下达|同步"
    r"|(?:高于|快于|优于|不低于|低于|慢于|超过|跑赢)[^，,；;。]{0,14}?(?:全国|全省|全市|全区|平均|增速|增幅|水平|同期)"
    r"|(?:全国|全省|全市|全区|排名|位居|进入|保持)[^，,；;。]{0,10}?前\s*[\d一二三四五六七八九十百]+"
    r"|正增长"
)
_GROWTH_TEXT = re.compile(r"(?<!累计)(?:增长|增速|增幅)\s*\d")
_RELATIVE = (Comparator.INCREASE_BY_PCT, Comparator.DECREASE_BY_PCT, Comparator.INCREASE_BY_POINTS,
             Comparator.DECREASE_BY_POINTS)
# Amounts added over the period, named as such (累计 alone may be a running total to reach).
_NEW = re.compile("新增|新建|增加|新培育|新引进|新招引|新开工|新认定|新创建|新发现")
# Actions whose results add up over the period (片区更新数量, 老旧住房综合修缮面积).
_ACTION = re.compile(
    "更新|改造|改建|修缮|修复|维修|养护|整治|治理|盘活|开放|筹措|供应|建设|建成|打造|创建|培育|引进|招引|"
    "完成|提供|培训|植树|造林|种植|拆除|腾退|征收|收储|出让|安置|铺设|敷设|配建|增设|布设|安装|新开|落地|组建"
)
# Names of ratios, densities, averages and stocks: levels, whatever verb they carry.
_LEVEL_NAME = re.compile("率|比|比例|占比|比重|指数|密度|强度|覆盖|人均|每|平均|水平|保有|拥有|余额|年均|距离|时间|时长|速度|寿命|价格")
# Nouns that look like verbs: the built-up area (建成区), value added (增加值).
_NOT_VERBS = re.compile("建成区|增加值")
# A target text stating a level to reach or keep (累计达到300家, 保持在95%以上).
_REACH = re.compile("达到|保持|稳定在|维持")


def is_growth_rate_name(name: str, unit: str | None) -> bool:
    """The indicator's figures are yearly growth rates (增速, 增长率; …增长 in %)."""
    name = name.strip()
    if any(w in name for w in _RATE_WORDS):
        return True
    return _is_percent(unit) and bool(_GROWTH_ENDING.search(name)) and not is_reduction_name(name, unit)


def is_reduction_name(name: str, unit: str | None) -> bool:
    """The indicator's figures are reductions in % (单位地区生产总值能源消耗降低 %)."""
    return _is_percent(unit) and bool(_REDUCTION_ENDING.search(name.strip()))


def reduction_entered_cumulative(name: str) -> bool:
    """A reduction named 累计 is entered as the reduction since the base year, not a year's."""
    return "累计" in name


def classify_target(target: Target, name: str, unit: str | None, baseline: str | None = None,
                    sentence: str = "") -> TargetType:
    """The type of ``target`` of the indicator ``name`` (``unit``; ``baseline`` as printed;
    ``sentence`` the prose it was read from, which may say 新建 where the name does not)."""
    text = to_halfwidth(target.text)
    if _is_qualitative(target, text):
        return TargetType.QUALITATIVE
    if is_reduction_name(name, unit):
        return TargetType.CHANGE
    if is_growth_rate_name(name, unit):
        return TargetType.RATE
    if target.annual_average:
        return TargetType.LEVEL if "年均" in name else TargetType.RATE
    if _GROWTH_TEXT.search(text) and target.comparator not in (Comparator.DECREASE_BY_PCT,
                                                               Comparator.DECREASE_BY_POINTS):
        return TargetType.RATE
    if target.comparator in _RELATIVE:
        return TargetType.CHANGE
    if _is_amount(name, unit, text, target.cumulative) or _added_in(sentence, name, text, unit):
        return TargetType.CUMULATIVE
    return TargetType.LEVEL


def cumulative_counts_baseline(target: Target, name: str) -> bool:
    """A cumulative target that is a running total (累计 with the baseline as its start) rather
    than an amount over the period: 新增X is X over the period whatever baseline is printed."""
    said = _NOT_VERBS.sub("", name + target.text)
    return "累计" in said and not _NEW.search(said)


def with_target_types(indicator: Indicator) -> Indicator:
    """The indicator with ``target_type`` set on every target (the hook extraction calls).

    A qualitative target carries ``qualitative: true`` and no value (SPEC.md), also when its
    text holds a number relative to something unquantified (高于…增速3个百分点以上)."""
    sentence = indicator.source_text if indicator.kind == "prose" else ""
    return replace(indicator, targets=tuple(
        typed_target(t, indicator.name, indicator.unit, indicator.baseline, sentence=sentence)
        for t in indicator.targets))


def typed_target(target: Target, name: str, unit: str | None, baseline: str | None = None,
                 target_type: TargetType | None = None, sentence: str = "") -> Target:
    """``target`` with its type (``target_type``, else as classified) and, when qualitative,
    without a number."""
    kind = target_type or classify_target(target, name, unit, baseline, sentence)
    if kind is TargetType.QUALITATIVE:
        return replace(target, target_type=kind, qualitative=True, value=None, value_high=None,
                       annual_average=False, cumulative=False)
    return replace(target, target_type=kind, qualitative=False)


def _is_percent(unit: str | None) -> bool:
    return unit is not None and unit.strip() in _PERCENT


def _is_qualitative(target: Target, text: str) -> bool:
    if target.qualitative:
        return True
    if not has_number(_YEARS.sub("", text)):  # a number read from a year is no target
        return True
    return bool(_EXTERNAL.search(text))


def _is_amount(name: str, unit: str | None, text: str, marked: bool) -> bool:
    """An amount achieved over the period: its name (or 【】, ``marked``) says it is added or
    done, it counts things (not a ratio or a per-capita figure), and the target does not say
    达到 a level."""
    if _is_percent(unit) or (unit is not None and ("/" in unit or unit.strip() in ("‰", "倍"))):
        return False
    noun = _NOT_VERBS.sub("", name)
    if _LEVEL_NAME.search(noun):
        return False
    if _NEW.search(noun) or _NEW.search(_NOT_VERBS.sub("", text)):
        return True
    if _REACH.search(text):
        return False
    return marked or "累计" in noun + text or bool(_ACTION.search(noun))


def _added_in(sentence: str, name: str, text: str, unit: str | None) -> bool:
    """The sentence says the amount is added: 新建1座消防救援站 for 消防救援站 “1座”."""
    if not sentence or not text.strip() or _is_percent(unit) or _LEVEL_NAME.search(name):
        return False
    said = _NOT_VERBS.sub("", to_halfwidth(sentence))
    printed, noun = re.escape(text.strip()), re.escape(_NOT_VERBS.sub("", name))
    return bool(re.search(f"(?:{_NEW.pattern})[^，,。；;]{{0,24}}?{printed}[^，,。；;]{{0,6}}?{noun}", said)
                or re.search(f"(?:{_NEW.pattern})[^，,。；;]{{0,24}}?{noun}[^，,。；;]{{0,6}}?{printed}", said))
