"""Carrying monitoring over from a plan's previous version to its new version.

Only indicators whose definition did not change (same name, unit, attribute, baseline and
targets) are carried: their responsible units, and every reported value with its review
state. Reporting periods are copied whole (windows and locks), since they belong to the
plan rather than to an indicator. The old version keeps its own rows: history is never moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from planwatch.store.models import (
    Assignment,
    AuditEvent,
    Indicator,
    Observation,
    ObservationRevision,
    Plan,
    ReportingPeriod,
    User,
    utcnow,
)

__all__ = ["carry_over"]


def carry_over(session: Session, actor: User | None, previous: Plan, new: Plan,
               unchanged: Sequence[tuple[Indicator, Indicator]]) -> int:
    """Copy assignments, periods and observations; returns how many indicators got units."""
    now = utcnow()
    periods = _copy_periods(session, previous, new, now)
    new_id = {old.id: fresh.id for old, fresh in unchanged}
    assigned: set[int] = set()
    for a in session.scalars(select(Assignment).where(Assignment.indicator_id.in_(new_id))):
        assert a.indicator_id is not None
        session.add(Assignment(indicator_id=new_id[a.indicator_id], org_unit_id=a.org_unit_id, role=a.role,
                               origin=a.origin, note=a.note))
        assigned.add(a.indicator_id)
    rows = session.execute(
        select(Observation, ObservationRevision)
        .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                        ObservationRevision.revision == Observation.current_revision))
        .where(Observation.indicator_id.in_(new_id)))
    login = actor.login if actor else "cli"
    found = rows.all()
    copies = [Observation(indicator_id=new_id[obs.indicator_id], org_unit_id=obs.org_unit_id,
                          period_id=periods[obs.period_id], sex=obs.sex, area=obs.area, age_group=obs.age_group,
                          state=obs.state, current_revision=1, flags=list(obs.flags or []), updated_at=now)
              for obs, _ in found]
    session.add_all(copies)
    session.flush()  # one batch: a revised plan carries thousands of values over
    for (obs, rev), copy in zip(found, copies, strict=True):
        session.add(ObservationRevision(observation_id=copy.id, revision=1, value_text=rev.value_text,
                                        value=rev.value, unit=rev.unit, source=rev.source, note=rev.note,
                                        entered_by_id=rev.entered_by_id, entered_at=rev.entered_at))
        session.add(AuditEvent(at=now, actor_id=actor.id if actor else None, actor_login=login,
                               action="carry_over", entity=Observation.__tablename__, entity_id=str(copy.id),
                               old={"observation_id": obs.id, "plan_id": previous.id},
                               new={"state": obs.state, "revision": 1, "value_text": rev.value_text,
                                    "value": rev.value, "unit": rev.unit},
                               reason=f"规划修订为第 {new.version} 版，指标未变化，沿用原数据"))
    session.flush()
    return len(assigned)


def _copy_periods(session: Session, previous: Plan, new: Plan, now: datetime) -> dict[int, int]:
    mapping = {}
    for period in session.scalars(select(ReportingPeriod).where(ReportingPeriod.plan_id == previous.id)):
        copy = ReportingPeriod(plan_id=new.id, year=period.year, quarter=period.quarter, month=period.month,
                               code=period.code, opens_at=period.opens_at, closes_at=period.closes_at,
                               locked=period.locked, locked_by_id=period.locked_by_id, locked_at=period.locked_at,
                               created_at=now)
        session.add(copy)
        session.flush()
        mapping[period.id] = copy.id
    return mapping
