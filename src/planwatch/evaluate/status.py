"""Whether a target is met, and the status label from completion against required progress.

``gap`` = completion − progress required by now, in fractions of the required change:
gap ≥ ahead → 超前; gap ≥ −tolerance → 正常; gap ≥ −serious → 滞后; otherwise 严重滞后.
A target already met is 已完成; a breached limit is 滞后 (严重滞后 when 约束性); moving
away from the target is 严重滞后 whatever the schedule.

A target without a number takes the reviewers' verdict of the latest judged period: 达到 is
正常 (已完成 from the target year on), 未达到 滞后 (严重滞后 when 约束性, like a breached
limit), 无法判断 无法判断; with no verdict yet, a qualitative target has 无数据 and a target the
engine cannot compare (a ratio) stays 不可量化.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt

from planwatch.evaluate.targets import Mode
from planwatch.extract.records import Comparator

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

COMPARATOR_CODES = {
    Comparator.GE: 0,
    Comparator.LE: 1,
    Comparator.GT: 2,
    Comparator.LT: 3,
    Comparator.EQ: 4,
    Comparator.ABOUT: 5,
    Comparator.RANGE: 6,
}
_THRESHOLD_CODES = (0, 1, 2, 3, 6)  # comparators that can be checked without a baseline
EPS = 1e-9


class StatusCode(IntEnum):
    """Array codes of :class:`planwatch.evaluate.models.Status`, in the same order."""

    COMPLETED = 0
    AHEAD = 1
    ON_TRACK = 2
    BEHIND = 3
    SERIOUSLY_BEHIND = 4
    NO_DATA = 5
    NOT_QUANTIFIABLE = 6
    MISSING_BASELINE = 7
    UNDETERMINED = 8


class Kind(IntEnum):
    GOAL = 0
    LIMIT = 1
    UNKNOWN = 2  # no baseline: only "met or not" can be said


def met_target(
    value: Floats, low: Floats, high: Floats, comparator: Ints, direction: Ints, tolerance: float
) -> Bools:
    slack = EPS * np.maximum(1.0, np.abs(low))
    band = np.abs(value - low) <= tolerance * np.abs(low) + slack
    at_least = value >= low - slack
    at_most = value <= low + slack
    about_up = value >= low - tolerance * np.abs(low) - slack
    about_down = value <= low + tolerance * np.abs(low) + slack
    met: Bools = np.select(
        [
            comparator == 0,
            comparator == 1,
            comparator == 2,
            comparator == 3,
            comparator == 4,
            comparator == 5,
        ],
        [
            at_least,
            at_most,
            value > low,
            value < low,
            np.where(direction > 0, at_least, np.where(direction < 0, at_most, band)),
            np.where(direction > 0, about_up, np.where(direction < 0, about_down, band)),
        ],
        at_least & (value <= high + slack),
    )
    return met


class SpecColumns(Protocol):
    """The per-indicator columns status needs (satisfied by ``compute.Inputs``)."""

    @property
    def mode(self) -> Ints: ...
    @property
    def target_year(self) -> Ints: ...
    @property
    def qualitative(self) -> Bools: ...
    @property
    def comparator(self) -> Ints: ...
    @property
    def binding(self) -> Bools: ...
    @property
    def ahead(self) -> Floats: ...
    @property
    def tolerance(self) -> Floats: ...
    @property
    def serious(self) -> Floats: ...


def status_codes(
    inp: SpecColumns,
    valid: Bools,
    target: Floats,
    current: Floats,
    met: Bools,
    kind: Ints,
    completion: Floats,
    progress: Floats,
    no_baseline: Bools,
    judged: Ints,
) -> Ints:
    """``no_baseline``: the target needs a baseline and neither the plan nor the baseline
    year's data gives it; ``judged``: the status of targets without a number (:func:`judged_status`)."""
    gap = completion - progress
    threshold = np.isin(inp.comparator, _THRESHOLD_CODES)
    unmeasurable = ~np.isfinite(target) | ~np.isfinite(current)
    status: Ints = np.select(
        [
            inp.mode == Mode.NONE,
            ~valid,
            unmeasurable & no_baseline,
            unmeasurable,
            met,
            kind == Kind.LIMIT,
            kind == Kind.UNKNOWN,
            completion < 0,
            gap >= inp.ahead - EPS,
            gap >= -inp.tolerance - EPS,
            gap >= -inp.serious - EPS,
        ],
        [
            judged,
            StatusCode.NO_DATA,
            StatusCode.MISSING_BASELINE,
            StatusCode.NO_DATA,
            StatusCode.COMPLETED,
            np.where(inp.binding, StatusCode.SERIOUSLY_BEHIND, StatusCode.BEHIND),
            np.where(threshold, StatusCode.BEHIND, StatusCode.MISSING_BASELINE),
            StatusCode.SERIOUSLY_BEHIND,
            StatusCode.AHEAD,
            StatusCode.ON_TRACK,
            StatusCode.BEHIND,
        ],
        StatusCode.SERIOUSLY_BEHIND,
    ).astype(np.int64)
    return status


def judged_status(inp: SpecColumns, verdict: Ints, verdict_year: Ints) -> Ints:
    """Status codes of targets without a number from the latest verdict (−1 none, 0 达到,
    1 未达到, 2 无法判断) and its year; see the module docstring."""
    judged: Ints = np.select(
        [verdict == 0, verdict == 1, verdict == 2, inp.qualitative],
        [
            np.where(verdict_year >= inp.target_year, StatusCode.COMPLETED, StatusCode.ON_TRACK),
            np.where(inp.binding, StatusCode.SERIOUSLY_BEHIND, StatusCode.BEHIND),
            StatusCode.UNDETERMINED,
            StatusCode.NO_DATA,
        ],
        StatusCode.NOT_QUANTIFIABLE,
    ).astype(np.int64)
    return judged
