"""One reader per kind of field: number, percentage, amount, integer, year, month, date.

A value reaches PlanWatch typed in a form, sent in a JSON body, or read from a spreadsheet
cell (a str, an int or float, a datetime). Each kind of field is read here and nowhere else,
on top of :mod:`planwatch.numerals`, so a form, the API, a sheet and a service accept the
same spellings (９５, 1,234.5, 二〇二五) and refuse the same ones: other scripts' digits
(١٢, ²), ``1_000`` (Python's float and int take both), NaN and infinity, an ambiguous comma
(49,9), a fractional year. A refusal is a :class:`~planwatch.errors.FieldRefused` naming the
field by its code and the problem by a code the UI translates.

Blank (None, "", spaces) reads as None: whether the field may be empty is the caller's rule.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from planwatch.errors import FieldRefused, problem
from planwatch.numerals import SCALES, NumberRefused, read_decimal, to_float, to_halfwidth

__all__ = ["YEARS", "read_amount", "read_date", "read_integer", "read_month", "read_number", "read_percentage", "read_year"]

YEARS: Final = range(1949, 2101)  # a plan's, a target's or a project's year
_PERCENT_SIGNS: Final = ("%", "％")
# Years, months and days are written one way (the way the forms, sheets and API show them),
# in ASCII or full-width digits: 2026, 2026-12, 2026-03-31.
_YEAR: Final = re.compile(r"[0-9]{4}")
_MONTH: Final = re.compile(r"([0-9]{4})-([0-9]{2})")
_DATE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: object) -> str:
    return str(value).strip()[:40]


def _exact(value: object, field: str) -> Decimal:
    """The exact number a non-blank value means, refused when it is none or must not be stored."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise FieldRefused(field, problem("field.not_number", text=_shown(value)))
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldRefused(field, problem("number.not_finite", text=_shown(value)))
    if not isinstance(value, str):
        return Decimal(value)
    try:
        exact = read_decimal(value)
    except NumberRefused as refused:
        raise FieldRefused(field, refused.problem) from None
    if exact is None:
        raise FieldRefused(field, problem("field.not_number", text=_shown(value)))
    return exact


def _float(exact: Decimal, field: str) -> float:
    try:
        return to_float(exact)
    except NumberRefused as refused:
        raise FieldRefused(field, refused.problem) from None


def read_number(value: object, field: str) -> float | None:
    """Any finite number as the product reads it (95, ９５, −3.5, 1,234, 1.2万, 十四)."""
    return None if _blank(value) else _float(_exact(value, field), field)


def read_percentage(value: object, field: str, *, low: float | None = None,
                    high: float | None = None) -> float | None:
    """A percentage, with or without its sign (95, 95%, ９５％), inside [low, high] when given
    (a completion rate 0–100; a growth rate may be negative)."""
    if _blank(value):
        return None
    text = value.strip().removesuffix(_PERCENT_SIGNS[0]).removesuffix(_PERCENT_SIGNS[1]) \
        if isinstance(value, str) else value
    number = _float(_exact(text, field), field)
    if (low is not None and number < low) or (high is not None and number > high):
        raise FieldRefused(field, problem("field.percent_range", low=f"{low if low is not None else '−∞'}",
                                          high=f"{high if high is not None else '∞'}", value=f"{number:g}"))
    return number


def read_amount(value: object, field: str) -> float | None:
    """An amount of money in the field's own unit (万元), not negative. 万 or 亿 after the
    figure is refused: in a 万元 column "1.2万" could mean 1.2 or 12000, and a wrong guess is
    a ten-thousandfold error in an investment plan."""
    if _blank(value):
        return None
    scale = next((ch for ch in value if ch in SCALES), None) if isinstance(value, str) else None
    if scale is not None:  # 1.2万 as much as 三万, which reads as a numeral with its own 万
        raise FieldRefused(field, problem("field.amount_scale", scale=scale, text=_shown(value)))
    number = _float(_exact(value, field), field)
    if number < 0:
        raise FieldRefused(field, problem("field.negative", text=_shown(value)))
    return number


def read_integer(value: object, field: str, *, low: int, high: int) -> int | None:
    """A whole count (days, a rank) inside [low, high]: 30, ３０, 三十; not 30.5 or 1e3."""
    if _blank(value):
        return None
    exact = _exact(value, field)
    if exact != exact.to_integral_value():
        raise FieldRefused(field, problem("field.not_integer", text=_shown(value)))
    if not low <= exact <= high:
        raise FieldRefused(field, problem("field.out_of_range", low=low, high=high, value=_shown(value)))
    return int(exact)


def read_year(value: object, field: str, *, years: range = YEARS) -> int | None:
    """A calendar year inside ``years``: 2026, ２０２６, 2026年, a sheet's 2026.0. Not 二〇二六
    (a form or a sheet asks for four digits, as it shows them), not 2026.5 or 2_026."""
    if _blank(value):
        return None
    if isinstance(value, str):
        text = to_halfwidth(value.strip()).removesuffix("年").strip()
        if not _YEAR.fullmatch(text):
            raise FieldRefused(field, problem("field.not_year", text=_shown(value)))
        year = int(text)
    else:
        exact = _exact(value, field)
        if exact != exact.to_integral_value():
            raise FieldRefused(field, problem("field.not_year", text=_shown(value)))
        year = int(exact)
    if year not in years:
        raise FieldRefused(field, problem("field.year_range", year=year, low=years.start, high=years.stop - 1))
    return year


def read_month(value: object, field: str, *, years: range = YEARS) -> str | None:
    """A month as ``YYYY-MM`` (2026-12, ２０２６-１２, a date cell)."""
    if _blank(value):
        return None
    if isinstance(value, date):
        year, month = value.year, value.month
    else:
        match = _MONTH.fullmatch(to_halfwidth(value.strip())) if isinstance(value, str) else None
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise FieldRefused(field, problem("field.not_month", text=_shown(value)))
        year, month = int(match.group(1)), int(match.group(2))
    if year not in years:
        raise FieldRefused(field, problem("field.year_range", year=year, low=years.start, high=years.stop - 1))
    return f"{year:04d}-{month:02d}"


def read_date(value: object, field: str, *, years: range = YEARS) -> date | None:
    """A day as ``YYYY-MM-DD`` (2026-03-31, a date cell). Not ISO week dates or 20260331,
    which Python's ``date.fromisoformat`` also takes and no clerk means."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        match = _DATE.fullmatch(to_halfwidth(value.strip())) if isinstance(value, str) else None
        try:
            if match is None:
                raise ValueError(value)
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise FieldRefused(field, problem("field.not_date", text=_shown(value))) from None
    if day.year not in years:
        raise FieldRefused(field, problem("field.year_range", year=day.year, low=years.start, high=years.stop - 1))
    return day
