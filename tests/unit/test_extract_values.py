"""Printed targets as plans print them, read into comparator + numbers."""

from __future__ import annotations

import pytest

from planwatch.extract.records import Comparator
from planwatch.extract.values import read_value

C = Comparator


@pytest.mark.parametrize(
    ("printed", "value", "comparator", "unit", "extra"),
    [
        ("5.5*", 5.5, C.EQ, None, {"annual_average": True}),
        ("预计 14", 14.0, C.EQ, None, {}),
        (">13", 13.0, C.GT, None, {}),
        ("＞98.5", 98.5, C.GT, None, {}),
        ("≥10", 10.0, C.GE, None, {}),
        ("≧300", 300.0, C.GE, None, {}),
        ("≤1%", 1.0, C.LE, "%", {}),
        ("＜8", 8.0, C.LT, None, {}),
        ("32左右", 32.0, C.ABOUT, None, {}),
        ("下降15%", 15.0, C.DECREASE_BY_PCT, "%", {}),
        ("[-15.5%]", 15.5, C.DECREASE_BY_PCT, "%", {"cumulative": True}),
        ("提高2个百分点", 2.0, C.INCREASE_BY_POINTS, "个百分点", {}),
        ("8/10万", 8.0, C.EQ, "1/10万", {}),
        ("3‰", 3.0, C.EQ, "‰", {}),
        ("【120】", 120.0, C.EQ, None, {"cumulative": True}),
        ("[累计]5", 5.0, C.EQ, None, {"cumulative": True}),
        ("60%—85%", 60.0, C.RANGE, "%", {"value_high": 85.0}),
        ("1—2 户", 1.0, C.RANGE, "户", {"value_high": 2.0}),
        ("半小时以内", 0.5, C.LE, "小时", {}),
        ("95%以上", 95.0, C.GE, "%", {}),
        ("不低于75%", 75.0, C.GE, "%", {}),
        ("0起", 0.0, C.EQ, "起", {}),
        ("<15000人", 15000.0, C.LT, "人", {}),
    ],
)
def test_reads_printed_targets(printed: str, value: float, comparator: Comparator, unit: str | None,
                               extra: dict[str, object]) -> None:
    reading = read_value(printed)
    assert reading is not None
    assert reading.value == value
    assert reading.comparator is comparator
    assert reading.unit == unit
    for field, expected in extra.items():
        assert getattr(reading, field) == expected


@pytest.mark.parametrize("printed", ["6.5:2.5:1", "1.85:1", "2:3", "0.2%、17.2%"])
def test_ratios_and_value_lists_have_no_single_value(printed: str) -> None:
    reading = read_value(printed)
    assert reading is not None and reading.value is None


@pytest.mark.parametrize("printed", ["逐年提高", "—", "--", "保持合理比例", ""])
def test_targets_without_numbers_are_not_read(printed: str) -> None:
    assert read_value(printed) is None
