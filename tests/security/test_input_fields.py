"""One reader per kind of field (issue 25): the form, the sheet, the API and the services read a
number, a percentage, an amount, a year, a month and a date with :mod:`planwatch.fields`.

The old paths are kept here as they were written, as references: what they read and the new
reader reads agree where they should (plain decimals, grouped thousands, sheet cells); where
they part, the old path took something the rest of the product refuses (other scripts' digits,
``1_000``, an ambiguous comma read as thousands) and the new reader refuses it, naming the field.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from planwatch.errors import FieldRefused
from planwatch.fields import (
    YEARS,
    read_amount,
    read_date,
    read_integer,
    read_month,
    read_number,
    read_percentage,
    read_year,
)
from planwatch.numerals import parse_number

_FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")
_ACCEPTED = set(string.digits + "０１２３４５６７８９〇零○一二三四五六七八九两十百千万亿半")
_FOREIGN_DIGITS = [ch for ch in map(chr, range(0x30000)) if unicodedata.numeric(ch, None) is not None
                   and ch not in _ACCEPTED]


# --- the old paths, as they were (main 3e50a91) --------------------------------------------

def old_form_number(text: str) -> float | None:
    """web/ledger.py and web/ledger_edit.py ``_number``."""
    cleaned = text.strip().replace("，", "").replace(",", "")
    if not cleaned:
        return None
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def old_service_year(value: object) -> int:
    """services/ledger_edits.py and services/corrections.py ``_year``."""
    year = int(value)  # type: ignore[call-overload]
    if year not in range(1949, 2101):
        raise ValueError(value)
    return year


def old_sheet_number(value: object) -> float | None:
    """monitor/exchange/ledger_sheets.py ``_Cells.number``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = ("" if value is None else str(value).strip()).rstrip("%％").replace(",", "").replace("，", "")
    return parse_number(text) if text else None


def _refused_by_product(text: str, old: object) -> bool:
    """What the rest of the product (numerals.read_decimal) refuses and float()/int() took: an
    underscore, another script's digit, a comma not grouping thousands, a figure float() read
    as 0 although it is not (1e-400)."""
    underflow = old == 0 and re.search(r"[1-9]", re.split(r"[eE]", text)[0]) is not None
    return ("_" in text or any(ch not in _ACCEPTED and unicodedata.numeric(ch, None) is not None for ch in text)
            or "," in text or "，" in text or underflow)


# --- where the old paths and the reader agree ----------------------------------------------

@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**12, max_value=10**12, places=4))
def test_a_plain_decimal_reads_as_the_form_read_it_in_ascii_and_full_width(value: Decimal) -> None:
    text = f"{value:f}"
    assert read_number(text, "percent") == old_form_number(text) == read_number(text.translate(_FULL_WIDTH), "x")


@given(st.integers(min_value=1000, max_value=10**15))
def test_grouped_thousands_read_as_the_form_read_them(value: int) -> None:
    assert read_number(f"{value:,}", "investment") == old_form_number(f"{value:,}") == value
    assert read_amount(f"{value:,}", "investment") == value


@given(st.text(alphabet=string.digits + ".-+eE _,，" + "١٢३٥²", max_size=12))
@example("1e-400")
@example("1_000")
@example("١٢")
@example("49,9")
def test_the_form_and_the_reader_agree_or_the_reader_refuses_what_the_product_refuses(text: str) -> None:
    try:
        old = old_form_number(text)
    except ValueError:
        old = "refused"
    try:
        new: float | str | None = read_number(text, "target_values")
    except FieldRefused as refused:
        assert refused.field == "target_values" and str(refused).startswith("target_values: ")
        assert refused.code is not None and refused.code.startswith(("field.", "number."))
        new = "refused"
    if old != new and new == "refused":
        assert _refused_by_product(text, old), (text, old)
    elif old != new:  # the product reads spaces inside a figure as grouping (1 234), float() does not
        assert old == "refused" and " " in text.strip() and new == old_form_number(text.replace(" ", "")), text


@given(st.one_of(st.integers(min_value=-10**9, max_value=10**9),
                 st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
                 st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=100, places=2)
                 .map(lambda d: f"{d:f}%")))
def test_a_sheet_cell_reads_as_the_sheet_read_it(cell: object) -> None:
    assert read_percentage(cell, "F2") == old_sheet_number(cell)


@given(st.integers(min_value=YEARS.start, max_value=YEARS.stop - 1))
def test_a_year_reads_as_the_services_read_it_typed_or_from_a_cell(year: int) -> None:
    assert read_year(str(year), "start_year") == old_service_year(str(year)) == year
    assert read_year(year, "start_year") == read_year(float(year), "start_year") == year
    assert read_year(str(year).translate(_FULL_WIDTH), "start_year") == year


# --- what the reader refuses and the old paths took -----------------------------------------

@given(st.sampled_from(_FOREIGN_DIGITS), st.sampled_from(["", "1", "12."]))
def test_digits_of_other_scripts_are_refused_naming_the_field(digit: str, prefix: str) -> None:
    for reader in (read_number, read_amount, read_percentage):
        with pytest.raises(FieldRefused) as refused:
            reader(prefix + digit, "investment_period")
        assert refused.value.field == "investment_period"
        assert refused.value.code in {"number.foreign_digit", "field.not_number"}


@pytest.mark.parametrize("text", ["١٢", "٢٠٢٦", "१२", "１_０００"])
def test_what_float_and_int_took_is_refused(text: str) -> None:
    with pytest.raises(FieldRefused, match=r"^investment: "):
        read_amount(text, "investment")
    with pytest.raises(FieldRefused, match=r"^end_year: "):
        read_year(text, "end_year")


@given(st.integers(min_value=1000, max_value=10**9), st.integers(min_value=1, max_value=8))
def test_an_underscore_is_refused_though_python_reads_it(value: int, at: int) -> None:
    digits = str(value)
    text = digits[:min(at, len(digits) - 1)] + "_" + digits[min(at, len(digits) - 1):]
    assert float(text) == value  # the old paths' reading
    with pytest.raises(FieldRefused) as refused:
        read_number(text, "target_values")
    assert refused.value.code == "number.underscore"
    with pytest.raises(FieldRefused):
        read_year(text[:5], "year")


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=99))
def test_a_comma_the_sheet_read_as_thousands_is_refused_as_ambiguous(whole: int, fraction: int) -> None:
    text = f"{whole},{fraction}"
    assert old_sheet_number(text) == float(f"{whole}{fraction}")  # 49,9 became 499
    with pytest.raises(FieldRefused) as refused:
        read_percentage(text, "F2")
    assert refused.value.code == "number.ambiguous_comma"


@pytest.mark.parametrize(("value", "code"), [
    ("nan", "number.not_finite"), ("-inf", "number.not_finite"), (math.nan, "number.not_finite"),
    (math.inf, "number.not_finite"), ("1e309", "number.too_large"), ("1e-400", "number.too_small"),
    (True, "field.not_number"), ("约 3", "field.not_number"), ([1], "field.not_number"),
])
def test_values_that_are_no_storable_number_say_why(value: object, code: str) -> None:
    with pytest.raises(FieldRefused) as refused:
        read_number(value, "percent")
    assert refused.value.code == code and refused.value.field == "percent"


def test_an_amount_is_not_negative_and_takes_no_magnitude() -> None:
    with pytest.raises(FieldRefused) as negative:
        read_amount("-5", "investment")
    assert negative.value.code == "field.negative"
    for text in ("1.2万", "3亿", "１２万", "三万"):
        with pytest.raises(FieldRefused) as scaled:
            read_amount(text, "investment")
        assert scaled.value.code == "field.amount_scale"
    assert read_number("1.2万", "value") == 12000  # a plain number keeps the product's magnitudes


def test_a_percentage_keeps_its_range() -> None:
    assert read_percentage("９５％", "percent", low=0, high=100) == 95
    with pytest.raises(FieldRefused) as refused:
        read_percentage("120", "percent", low=0, high=100)
    assert refused.value.code == "field.percent_range" and refused.value.params["value"] == "120"
    assert read_percentage("-3.5%", "growth") == -3.5


@pytest.mark.parametrize(("value", "code"), [
    ("二〇二五", "field.not_year"), ("2026.5", "field.not_year"), (2026.5, "field.not_year"), ("26", "field.not_year"),
    ("3025", "field.year_range"), (1800, "field.year_range"), ("2_026", "field.not_year"),
])
def test_a_year_is_four_digits_in_range(value: object, code: str) -> None:
    with pytest.raises(FieldRefused) as refused:
        read_year(value, "baseline_year")
    assert refused.value.code == code
    assert read_year("2026年", "year") == 2026 and read_year(" ", "year") is None


@given(st.dates(min_value=date(YEARS.start, 1, 1), max_value=date(YEARS.stop - 1, 12, 31)))
def test_a_day_and_its_month_read_back(day: date) -> None:
    assert read_date(day.isoformat(), "opens") == day == read_date(day.isoformat().translate(_FULL_WIDTH), "opens")
    assert read_date(datetime.combine(day, datetime.min.time()), "opens") == day
    assert read_month(day.isoformat()[:7], "deadline") == day.isoformat()[:7] == read_month(day, "deadline")


@pytest.mark.parametrize("text", ["2026-W10-1", "20260301", "2026-02-30", "2026/3/1", "2026-3-01", "明年"])
def test_a_day_is_written_one_way(text: str) -> None:
    with pytest.raises(FieldRefused, match=r"^closes: "):
        read_date(text, "closes")


@pytest.mark.parametrize("text", ["2027年6月", "2026-13", "2026-6", "2026年底"])
def test_a_month_is_yyyy_mm(text: str) -> None:
    with pytest.raises(FieldRefused) as refused:
        read_month(text, "deadline")
    assert refused.value.code == "field.not_month" and refused.value.field == "deadline"


def test_a_count_is_whole_and_in_range() -> None:
    assert read_integer("三十", "expires_days", low=1, high=3650) == 30
    assert read_integer("３０", "expires_days", low=1, high=3650) == 30
    for text, code in (("30.5", "field.not_integer"), ("0", "field.out_of_range"), ("٣٠", "number.foreign_digit")):
        with pytest.raises(FieldRefused) as refused:
            read_integer(text, "expires_days", low=1, high=3650)
        assert refused.value.code == code


@given(st.sampled_from([read_number, read_amount, read_percentage, read_year, read_month, read_date]),
       st.sampled_from([None, "", "   ", "\u3000"]))
def test_blank_is_none_for_every_kind(reader: object, blank: object) -> None:
    assert callable(reader)
    assert reader(blank, "field") is None
