"""A value of the demo a clerk may still enter in its open round, for the page tests that enter one."""

from __future__ import annotations

from sqlalchemy import select

from planwatch.store import Database
from planwatch.store.models import Assignment, Observation, ReportingPeriod, User


def open_item(database_url: str) -> tuple[str, int, int, int]:
    """(clerk, indicator, period, unit): a value a clerk may still enter in the open round."""
    with Database(database_url).session(readonly=True) as session:
        period = session.scalars(select(ReportingPeriod).where(ReportingPeriod.locked.is_(False))).one()
        done = set(session.scalars(select(Observation.indicator_id).where(
            Observation.period_id == period.id, Observation.state.not_in(["draft", "returned"]))))
        for clerk in session.scalars(select(User).where(User.role == "clerk").order_by(User.login)):
            for assignment in session.scalars(select(Assignment).where(Assignment.org_unit_id == clerk.org_unit_id)):
                if assignment.indicator_id is not None and assignment.indicator_id not in done:
                    assert clerk.org_unit_id is not None
                    return clerk.login, assignment.indicator_id, period.id, clerk.org_unit_id
    raise AssertionError("the demo should leave something to report in the open round")
