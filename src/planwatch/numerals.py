"""Numbers as Chinese documents print them.

Plans and data submissions mix full-width digits (９５％), Chinese numerals (二〇二五年,
十四五, 两个百分点), and scale suffixes (1.2万, 3亿). Everything numeric goes through here
so that extraction and data entry agree on what a printed number means.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal

from planwatch.errors import Problem, problem

_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_LARGE_UNITS) + "半"


_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and ASCII punctuation to their half-width forms (NFKC subset).

    Only the full-width ASCII block and the ideographic space are folded, so Chinese
    punctuation such as 、 and 。 and dashes such as — keep their meaning.
    """
    return text.translate(_HALFWIDTH)


def parse_chinese_integer(text: str) -> int | None:
    """二〇三五 → 2035, 十四 → 14, 三百二十 → 320, 1万 → None (not pure numerals).

    Digit strings without units (二〇二五) read digit by digit; with units (二十五) they
    read positionally. Returns None when the text is not a Chinese numeral.
    """
    if not text or any(ch not in _DIGITS and ch not in _SMALL_UNITS and ch not in _LARGE_UNITS
                       for ch in text):
        return None
    if not any(ch in _SMALL_UNITS or ch in _LARGE_UNITS for ch in text):
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total = section = digit = 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (digit or 1) * _SMALL_UNITS[ch]
            digit = 0
        else:
            total += (section + digit) * _LARGE_UNITS[ch]
            section = digit = 0
    return total + section + digit


class NumberRefused(ValueError):
    """Text that reads as a number PlanWatch must not store; the message says why, in Chinese.

    Python's float() takes "nan", "inf", "1e309" (→ inf), "1e-400" (→ 0) and any Unicode
    digit (², ٥, १२); a clerk's typo or an attacker's file must not become such a value.
    ``problem`` says why as a code the UI translates.
    """

    def __init__(self, why: Problem) -> None:
        self.problem = why
        super().__init__(str(why))

    def __reduce__(self) -> tuple[type[NumberRefused], tuple[Problem]]:
        return NumberRefused, (self.problem,)


SCALES: dict[str, int] = dict(_LARGE_UNITS)
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_NOT_FINITE = re.compile(r"[+-]?(?:nan|snan|inf|infinity)", re.IGNORECASE)
_ACCEPTED_DIGITS = frozenset("0123456789０１２３４５６７８９" + CHINESE_NUMERAL_CHARS)
_MINUS_SIGNS = str.maketrans({"−": "-", "－": "-", "﹣": "-"})


def split_scale(text: str) -> tuple[str, int]:
    """"1.2亿" → ("1.2", 100000000); "三万" and "95" keep scale 1 (a pure Chinese numeral
    carries its own 万)."""
    if len(text) > 1 and text[-1] in SCALES and not all(ch in CHINESE_NUMERAL_CHARS for ch in text):
        return text[:-1], SCALES[text[-1]]
    return text, 1


def refuse_foreign_digits(text: str) -> None:
    """Refuse digits of other scripts before NFKC folds ² into 2 or float() reads ٥ as 5."""
    foreign = next((ch for ch in text if ch not in _ACCEPTED_DIGITS and unicodedata.numeric(ch, None) is not None),
                   None)
    if foreign is not None:
        raise NumberRefused(problem("number.foreign_digit", char=foreign))


def read_decimal(text: str) -> Decimal | None:
    """A single printed number as an exact decimal: 95, ９５, 1,234.5, −3.5, 1.2万, 三, 十四, 半.

    None when the text is not a number at all; :class:`NumberRefused` when it is one that
    must not be stored (another script's digits, NaN or infinity, an ambiguous comma such
    as 49,9 that could mean 49.9 or 499).
    """
    refuse_foreign_digits(text)
    s = unicodedata.normalize("NFKC", text).translate(_MINUS_SIGNS).strip().replace(" ", "")
    if not s:
        return None
    if s == "半":
        return Decimal("0.5")
    if "_" in s:  # Python's Decimal and float read 1_000 as 1000; no one writes a number so
        raise NumberRefused(problem("number.underscore", text=text))
    s, scale = split_scale(s)
    if _NOT_FINITE.fullmatch(s):
        raise NumberRefused(problem("number.not_finite", text=text))
    if "," in s:
        if not _GROUPED_THOUSANDS.fullmatch(s):
            raise NumberRefused(problem("number.ambiguous_comma", text=text))
        s = s.replace(",", "")
    if _PLAIN_DECIMAL.fullmatch(s):
        value = Decimal(s)
        if value and not -400 < value.adjusted() < 400:
            to_float(value)  # refuses it; scaling such an exponent would trap in decimal's context
        return value * scale
    n = parse_chinese_integer(s)
    return Decimal(n) * scale if n is not None else None


def to_float(value: Decimal) -> float:
    """The stored float of an exact decimal, refused when the float would not be that number."""
    number = float(value)
    if not math.isfinite(number):
        raise NumberRefused(problem("number.too_large", value=f"{value:.6g}"))
    if number == 0 and value != 0:
        raise NumberRefused(problem("number.too_small", value=f"{value:.6g}"))
    return number


def parse_number(text: str) -> float | None:
    """A single printed number as a float, None when it is not one or must not be stored."""
    try:
        value = read_decimal(text)
        return None if value is None else to_float(value)
    except NumberRefused:
        return None


_DIGIT_CHARS = "零一二三四五六七八九"


def to_chinese_integer(n: int) -> str:
    """Write 1–9999 the way Chinese headings count (十一, 二十, 一百零五), for Word list labels."""
    if not 0 < n < 10000:
        return str(n)
    parts: list[str] = []
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, unit_value)
        if digit:
            parts.append(_DIGIT_CHARS[digit] + unit)
        elif parts and n and parts[-1] != "零":
            parts.append("零")
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text
