"""What a unit's typed value means: the number, its unit and magnitude, or the verdict.

Entry, the entry sheet's inline check, bulk imports and submission all read a value here, so
that 1.2亿 for an indicator counted in 万元 or 95% for a share means the same everywhere and is
refused for the same reasons (another script's digits, a magnitude on a percentage, a share
above 100). Numbers themselves are read by :mod:`planwatch.numerals`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from planwatch.errors import problem
from planwatch.evaluate.models import Verdict, read_verdict
from planwatch.numerals import (
    SCALES,
    NumberRefused,
    read_decimal,
    refuse_foreign_digits,
    split_scale,
    to_float,
)
from planwatch.store.models.plans import Indicator

__all__ = ["ParsedValue", "check_value", "is_judged", "is_share", "normalize_unit", "parse_value",
           "submission_problems", "value_problems"]


_RATE_OF_CHANGE_WORDS = ("增长", "增速", "增幅", "变化", "变动", "下降", "降低")

_PER_HUNDRED = ("%", "‰")

@dataclass(frozen=True, slots=True)
class ParsedValue:
    value: float | None
    unit: str
    refused: str | None = None  # why a number that was written cannot be stored
    verdict: Verdict | None = None  # what a target without a number was judged (达到/未达到/无法判断)
    judged: bool = False  # the indicator's target has no number: a verdict is entered, not a figure

    def stored_text(self, typed: str) -> str:
        """The text kept with the revision: a verdict in its one spelling, a figure as typed."""
        return self.verdict.label_zh if self.verdict is not None else typed

def is_share(indicator_name: str) -> bool:
    """A percentage that is a part of a whole (0–100), not a rate of change (−3%, 120%)."""
    return not any(word in indicator_name for word in _RATE_OF_CHANGE_WORDS)

def normalize_unit(unit: str) -> str:
    """Units compare after width folding (％ → %) and without spaces."""
    return unicodedata.normalize("NFKC", unit).replace(" ", "").strip()

def is_judged(indicator: Indicator) -> bool:
    """The indicator's targets have no number (完成市级下达目标, a ratio): each period it is
    judged 达到/未达到/无法判断 with evidence instead of given a figure. An indicator without
    any target yet takes figures."""
    return bool(indicator.targets) and not any(t.value is not None for t in indicator.targets)

def parse_value(indicator: Indicator, text: str, unit: str) -> ParsedValue:
    """The number and unit a unit's text means; value None when the text is not a number; the
    verdict for a judged indicator (:func:`is_judged`).

    A unit written after the number wins over the ``unit`` field, which wins over the
    indicator's unit. 万/亿 are magnitudes: for an indicator counted in 万人 or 亿元,
    1.2亿 and 12000万 both mean 12000 of the indicator's unit (1.2万 for 万人 = 1.2); for
    other units 1.2万 = 12000; a magnitude on a percentage is refused.
    """
    indicator_unit = normalize_unit(indicator.unit or "")
    if is_judged(indicator):
        return ParsedValue(None, "", verdict=read_verdict(text), judged=True)
    try:
        refuse_foreign_digits(text)
    except NumberRefused as refused:
        return ParsedValue(None, normalize_unit(unit) or indicator_unit, str(refused))
    s = normalize_unit(text)
    written = ""
    for suffix in (indicator_unit, *_PER_HUNDRED):
        if suffix and s.endswith(suffix) and len(s) > len(suffix):
            written, s = suffix, s[: -len(suffix)]
            break
    final_unit = written or normalize_unit(unit) or indicator_unit
    number, magnitude = split_scale(s)
    unit_magnitude = SCALES.get(indicator_unit[:1], 1)
    try:
        if magnitude > 1 and final_unit in _PER_HUNDRED:
            raise NumberRefused(problem("number.scale_on_percent", text=text, scale=s[-1], unit=final_unit))
        if magnitude > 1 and unit_magnitude > 1 and not written:
            exact = read_decimal(number)
            if exact is None:
                return ParsedValue(None, final_unit)
            return ParsedValue(to_float(exact * magnitude / unit_magnitude), indicator_unit)
        exact = read_decimal(s)
        return ParsedValue(None if exact is None else to_float(exact), final_unit)
    except NumberRefused as refused:
        return ParsedValue(None, final_unit, str(refused))

_VERDICT_EXPECTED = "应为“达到”“未达到”或“无法判断”"

def value_problems(indicator: Indicator, parsed: ParsedValue) -> list[str]:
    """Why a value cannot even be saved as a draft: a number that must not be stored, a
    share outside 0–100 (49,9 read as 499 %), a judged indicator given something else than a
    verdict."""
    if parsed.judged:
        return [] if parsed.verdict is not None else [f"value：该指标为定性目标，{_VERDICT_EXPECTED}"]
    if parsed.refused is not None:
        return [f"value：{parsed.refused}"]
    expected_unit = normalize_unit(indicator.unit or "")
    if (parsed.value is not None and expected_unit == "%" and parsed.unit == "%" and is_share(indicator.name)
            and not 0 <= parsed.value <= 100):
        return [f"value：百分比应在 0–100 之间，实际为 {parsed.value:g}"]
    return []

def submission_problems(indicator: Indicator, text: str, parsed: ParsedValue, note: str | None = "") -> list[str]:
    """Why a value cannot be submitted: not a number, wrong unit, impossible percentage; a
    verdict without its evidence (``note``; None: not known yet, as while typing)."""
    if problems := value_problems(indicator, parsed):
        return problems
    if parsed.judged:
        if note is not None and not note.strip():
            return ["note：定性目标的评估须在备注中写明依据（如对照的数据、文件），再报送"]
        return []
    if parsed.value is None:
        return [f"value：「{text}」不是数值（可填写如 95、95%、1.2万、3‰）"]
    expected_unit = normalize_unit(indicator.unit or "")
    if expected_unit and parsed.unit != expected_unit:
        return [f"unit：指标单位为「{expected_unit}」，填报单位为「{parsed.unit}」"]
    return []

def check_value(indicator: Indicator, text: str, unit: str = "") -> str | None:
    """Why ``text`` could not be submitted for ``indicator`` (None: it could), for inline
    validation while a clerk types; submitting checks the same rules again."""
    problems = submission_problems(indicator, text, parse_value(indicator, text, unit), None)
    return "；".join(problems) or None
