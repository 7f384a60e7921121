"""Trend fits for many indicators at once.

Each indicator's points (x = years since its baseline year, y = the value) are fitted by
least squares twice: a straight line y = a + b·x and a compound-growth curve
y = exp(a + b·x), the latter fitted on log y (all values must be positive). Sums per
indicator come from ``np.bincount``, so ten thousand indicators cost a few array passes
rather than ten thousand small regressions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Trends:
    """Per indicator: intercept, slope and residual sum of squares of both fits (nan: no fit)."""

    linear_a: Floats
    linear_b: Floats
    linear_sse: Floats
    compound_a: Floats
    compound_b: Floats
    compound_sse: Floats

    def linear_at(self, x: Floats) -> Floats:
        return self.linear_a + self.linear_b * x

    def compound_at(self, x: Floats) -> Floats:
        result: Floats = np.exp(self.compound_a + self.compound_b * x)
        return result

    def prefer_compound(
        self, tie_goes_to_compound: npt.NDArray[np.bool_], scale: Floats
    ) -> npt.NDArray[np.bool_]:
        """Compound where it fits clearly better, or equally well and the target is a growth rate."""
        tie = np.abs(self.compound_sse - self.linear_sse) <= 1e-9 * (1.0 + scale)
        better = self.compound_sse < self.linear_sse
        chosen: npt.NDArray[np.bool_] = np.isfinite(self.compound_sse) & (
            (better & ~tie) | (tie & tie_goes_to_compound)
        )
        return chosen


def fit_trends(group: Ints, x: Floats, y: Floats, groups: int) -> Trends:
    """Least-squares fits for each group with at least two points at distinct x."""
    count = np.bincount(group, minlength=groups).astype(np.float64)
    with np.errstate(all="ignore"):
        lin_a, lin_b = _least_squares(group, x, y, count, groups)
        lin_sse = np.bincount(group, (y - (lin_a[group] + lin_b[group] * x)) ** 2, minlength=groups)
        positive = np.bincount(group, y <= 0, minlength=groups) == 0
        log_y = np.log(np.where(y > 0, y, 1.0))
        cmp_a, cmp_b = _least_squares(group, x, log_y, count, groups)
        cmp_pred = np.exp(cmp_a[group] + cmp_b[group] * x)
        cmp_sse = np.bincount(group, (y - cmp_pred) ** 2, minlength=groups)
    nan = np.nan
    lin_ok = np.isfinite(lin_b)
    cmp_ok = lin_ok & positive & np.isfinite(cmp_b)
    return Trends(
        np.where(lin_ok, lin_a, nan),
        np.where(lin_ok, lin_b, nan),
        np.where(lin_ok, lin_sse, nan),
        np.where(cmp_ok, cmp_a, nan),
        np.where(cmp_ok, cmp_b, nan),
        np.where(cmp_ok, cmp_sse, nan),
    )


def _least_squares(group: Ints, x: Floats, y: Floats, count: Floats, groups: int) -> tuple[Floats, Floats]:
    sx = np.bincount(group, x, minlength=groups)
    sy = np.bincount(group, y, minlength=groups)
    sxx = np.bincount(group, x * x, minlength=groups)
    sxy = np.bincount(group, x * y, minlength=groups)
    denominator = count * sxx - sx * sx
    slope = np.where((count >= 2) & (denominator > 0), (count * sxy - sx * sy) / denominator, np.nan)
    intercept = (sy - slope * sx) / count
    return intercept, slope
