"""Specs from extraction records, for evaluating a plan straight from ``planwatch extract``.

The store will hold corrected indicators; until a plan is imported, the extracted record
is the best description of it. Its baseline is printed text (``45``, ``1.95:1``,
``0.2%、17.2%``, ``[-15.5%]``): only a single plain level becomes the numeric baseline.
"""

from __future__ import annotations

from planwatch.evaluate.models import IndicatorSpec
from planwatch.extract.records import Comparator, Indicator
from planwatch.extract.values import read_value

_LEVEL = (Comparator.EQ, Comparator.ABOUT)


def spec_from_indicator(indicator: Indicator, id: str) -> IndicatorSpec:
    """The engine's view of an extracted indicator; ``id`` must be unique within the plan."""
    reading = read_value(indicator.baseline) if indicator.baseline else None
    baseline = None
    if (
        reading is not None
        and reading.comparator in _LEVEL
        and not (reading.cumulative or reading.annual_average)
    ):
        baseline = reading.value
    return IndicatorSpec(
        id=id,
        name=indicator.name,
        targets=indicator.targets,
        unit=indicator.unit,
        domain=indicator.domain,
        attribute=indicator.attribute if indicator.attribute in ("预期性", "约束性") else None,
        baseline_year=indicator.baseline_year,
        baseline=baseline,
        responsible=indicator.responsible,
        plan=indicator.plan,
    )
