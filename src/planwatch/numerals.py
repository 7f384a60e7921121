"""Numbers as Chinese documents print them.

Plans and data submissions mix full-width digits (９５％), Chinese numerals (二〇二五年,
十四五, 两个百分点), and scale suffixes (1.2万, 3亿). Everything numeric goes through here
so that extraction and data entry agree on what a printed number means.
"""

from __future__ import annotations

import unicodedata

_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_LARGE_UNITS) + "半"


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and ASCII punctuation to their half-width forms (NFKC subset).

    Only the full-width ASCII block and the ideographic space are folded, so Chinese
    punctuation such as 、 and 。 and dashes such as — keep their meaning.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif ch == "\u3000":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


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


def parse_number(text: str) -> float | None:
    """A single printed number: 95, ９５, 1,234.5, 1.2万, 三, 十四, 半 → float; otherwise None."""
    s = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace(" ", "")
    if not s:
        return None
    if s == "半":
        return 0.5
    scale = 1.0
    if len(s) > 1 and s[-1] in _LARGE_UNITS and not all(ch in CHINESE_NUMERAL_CHARS for ch in s):
        scale = float(_LARGE_UNITS[s[-1]])
        s = s[:-1]
    try:
        return float(s) * scale
    except ValueError:
        pass
    n = parse_chinese_integer(s)
    return float(n) * scale if n is not None else None


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
