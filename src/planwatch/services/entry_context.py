"""What a clerk needs beside each value and a reviewer beside each figure: the indicator's
baseline, its target for the year and at the end of the plan, last year's value and what
kind of figure to enter (a level, a growth rate, a reduction).

The entry form, the Excel template, the plausibility checks at submission and the review
queue all read these from here, in a fixed number of queries however many indicators a
unit reports, so the four never disagree about what "last year's value" is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session, selectinload

from planwatch.evaluate.targets import EntryKind
from planwatch.extract.records import TargetType
from planwatch.monitor.permissions import Action, Scope, check
from planwatch.services import region_scope
from planwatch.services.entry_guides import EntryGuide, entry_guides, guide_of
from planwatch.services.periods import previous_period
from planwatch.store.models import (
    Assignment,
    Indicator,
    Observation,
    ObservationRevision,
    OrgUnit,
    ReportingPeriod,
    Target,
    User,
)

__all__ = ["IndicatorContext", "PreviousValue", "Slot", "TargetView", "assigned_indicator_ids", "assigned_indicators", "context_of",
           "indicator_contexts", "previous_values"]

Slot = tuple[int, int, str, str, str]  # indicator, org unit, sex, area, age group


@dataclass(frozen=True, slots=True)
class PreviousValue:
    """A slot's current value in the previous period, as entered and as read."""

    text: str
    value: float | None


@dataclass(frozen=True, slots=True)
class TargetView:
    year: int
    text: str
    value: float | None
    value_high: float | None
    comparator: str
    annual_average: bool
    cumulative: bool

    @classmethod
    def of(cls, target: Target) -> TargetView:
        return cls(target.year, target.text, target.value, target.value_high, target.comparator,
                   target.annual_average, target.cumulative)


@dataclass(frozen=True, slots=True)
class IndicatorContext:
    """One indicator as a unit reports it for one period."""

    indicator_id: int
    code: str
    name: str
    unit: str
    domain: str
    attribute: str
    baseline_year: int | None
    baseline_text: str
    baseline: float | None
    year_target: TargetView | None  # the target printed for the period's own year (a milestone)
    final_target: TargetView | None  # the target at the end of the plan
    previous: PreviousValue | None  # the unit's total a year earlier
    kind: EntryKind
    hint: str  # what to enter, in a sentence; empty for a plain level
    target_type: TargetType = TargetType.LEVEL
    running_total: str = ""  # an amount over the period: the unit's approved increments of earlier years

    @property
    def judged(self) -> bool:
        """A target without a number: the value is a verdict (达到/未达到/无法判断) with its evidence."""
        return self.kind is EntryKind.JUDGEMENT


def context_of(indicator: Indicator, year: int, previous: PreviousValue | None,
               guide: EntryGuide | None = None) -> IndicatorContext:
    """``indicator``'s context for a period of ``year`` (its targets loaded); what to enter
    follows the type of its target (``guide``, with an amount's running total, when known)."""
    targets = [TargetView.of(t) for t in indicator.targets]
    guide = guide or guide_of(indicator)
    return IndicatorContext(
        indicator.id, indicator.code, indicator.name, indicator.unit or "", indicator.domain or "",
        indicator.attribute or "", indicator.baseline_year, indicator.baseline_text or "", indicator.baseline,
        next((t for t in targets if t.year == year), None), targets[-1] if targets else None, previous,
        guide.kind, guide.hint, guide.target_type, guide.running_total_text)


def previous_values(session: Session, period: ReportingPeriod, indicator_ids: Collection[int],
                    org_unit_ids: Collection[int] | None = None) -> dict[Slot, PreviousValue]:
    """The current value of each slot of ``indicator_ids`` (of ``org_unit_ids``, or every unit)
    in the period a year before ``period``, in one query."""
    earlier = previous_period(session, period)
    if earlier is None or not indicator_ids:
        return {}
    query = (select(Observation.indicator_id, Observation.org_unit_id, Observation.sex, Observation.area,
                    Observation.age_group, ObservationRevision.value_text, ObservationRevision.value)
             .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                             ObservationRevision.revision == Observation.current_revision))
             .where(Observation.period_id == earlier.id, Observation.indicator_id.in_(list(indicator_ids))))
    if org_unit_ids is not None:
        query = query.where(Observation.org_unit_id.in_(list(org_unit_ids)))
    return {(r.indicator_id, r.org_unit_id, r.sex, r.area, r.age_group): PreviousValue(r.value_text, r.value)
            for r in session.execute(query)}


def assigned_indicators(session: Session, plan_id: int, org_unit_id: int,
                        indicator_ids: Iterable[int] | None = None) -> list[Indicator]:
    """The unit's indicators in use in the plan, by code, their targets loaded."""
    query = _assigned(select(Indicator), plan_id, org_unit_id).options(selectinload(Indicator.targets))
    if indicator_ids is not None:
        query = query.where(Indicator.id.in_(list(indicator_ids)))
    return list(session.scalars(query))


def assigned_indicator_ids(session: Session, plan_id: int, org_unit_id: int) -> list[int]:
    """The ids of :func:`assigned_indicators`, in their order, without loading them."""
    return list(session.scalars(_assigned(select(Indicator.id), plan_id, org_unit_id)))


def _assigned(query: Select[Any], plan_id: int, org_unit_id: int) -> Select[Any]:
    return query.where(
        Indicator.plan_id == plan_id, Indicator.retired_at.is_(None),
        Indicator.id.in_(select(Assignment.indicator_id).where(Assignment.org_unit_id == org_unit_id)),
    ).order_by(Indicator.code, Indicator.id)


def indicator_contexts(session: Session, actor: User, period: ReportingPeriod, unit: OrgUnit, *,
                       indicator_ids: Sequence[int] | None = None) -> list[IndicatorContext]:
    """The unit's assigned indicators for ``period`` (only ``indicator_ids`` when given), each
    with its baseline, targets, last year's total and what to enter."""
    check(actor, Action.VIEW, Scope(org_unit_id=unit.id, org_unit_name=unit.name))
    region_scope.require_unit(session, actor, unit.id)
    indicators = assigned_indicators(session, period.plan_id, unit.id, indicator_ids)
    previous = previous_values(session, period, [i.id for i in indicators], [unit.id])
    guides = entry_guides(session, unit.id, period, indicators)
    return [context_of(i, period.year, previous.get((i.id, unit.id, "", "", "")), guides[i.id]) for i in indicators]
