"""Publishing the demo plan for the public-site tests, through the services as the office would."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from planwatch.services import publishing, users
from planwatch.services.public_snapshot import PublicationScope, plan_slug
from planwatch.store import Database
from planwatch.store.models import Plan

__all__ = ["LEFT_OUT", "Published", "publish_demo"]

LEFT_OUT = "I003"  # an indicator with approved figures that the tests keep off the site


@dataclass(frozen=True, slots=True)
class Published:
    plan_id: int
    plan_key: str
    slug: str
    decision_id: int
    codes: tuple[str, ...]  # the published indicators
    years: tuple[int, ...]


def publish_demo(url: str, *, years: Iterable[int] = (2021, 2022, 2023, 2024), reports: Iterable[str] = (),
                 left_out: Iterable[str] = (LEFT_OUT,), approve: bool = True) -> Published:
    """评估组 (pinggu) proposes the demo plan's indicators but ``left_out`` for ``years``, with
    tasks and projects; the monitoring group (tongji) approves unless ``approve`` is False.
    ``reports`` are KIND:YEAR (a PDF each: LibreOffice)."""
    database = Database(url)
    try:
        with database.session() as session:
            plan = session.scalars(select(Plan).where(Plan.current.is_(True)).order_by(Plan.id)).first()
            assert plan is not None
            proposer = users.find_user(session, "pinggu")
            eligible = publishing.eligibility(session, proposer, plan)
            skipped = set(left_out)
            chosen = [c for c in eligible.candidates if c.years and c.code not in skipped]
            scope = PublicationScope(tuple(c.key for c in chosen), tuple(years), True, True, False,
                                     tuple((k, int(y)) for k, _, y in (r.partition(":") for r in reports)))
            decision = publishing.propose(session, proposer, plan, scope, office="青川区发展和改革委员会")
            if approve:
                publishing.approve(session, users.find_user(session, "tongji"), decision.id)
            return Published(plan.id, plan.plan_key, plan_slug(plan.plan_key), decision.id,
                             tuple(c.code for c in chosen), tuple(scope.years))
    finally:
        database.dispose()
