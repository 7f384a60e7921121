"""Reading plans back: finding the plan a user means, and the figures a plan list shows.

A plan's identity across revisions is its key (:func:`plan_key`); importing files into plans
is :mod:`planwatch.services.plan_import`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planwatch.errors import PlanWatchError
from planwatch.services import region_scope
from planwatch.store.models import Indicator, Plan, User

__all__ = ["PlanNotFound", "domains", "find_plan", "indicator_counts", "plan_key"]


class PlanNotFound(PlanWatchError):
    """No plan, or no unique plan, answers to what the user typed."""


_REVISION_MARKS = re.compile(r"[（(](?:修订|修订版|修订稿|征求意见稿|送审稿|试行|草案)[)）]|\s+")


def plan_key(title: str) -> str:
    """The identity of a plan across revisions: its title without revision marks and spaces."""
    return _REVISION_MARKS.sub("", title)


def indicator_counts(session: Session, plans: Sequence[Plan]) -> dict[int, int]:
    """plan id → number of indicators, in one query."""
    counts = session.execute(select(Indicator.plan_id, func.count()).where(Indicator.plan_id.in_([p.id for p in plans]))
                             .group_by(Indicator.plan_id))
    return {p.id: 0 for p in plans} | {plan_id: count for plan_id, count in counts}


def domains(session: Session, plan: Plan) -> list[str]:
    """The domains of the plan's indicators in use, for a filter."""
    return list(session.scalars(select(Indicator.domain).where(
        Indicator.plan_id == plan.id, Indicator.retired_at.is_(None), Indicator.domain.is_not(None),
        Indicator.domain != "").distinct().order_by(Indicator.domain)))


def find_plan(session: Session, ref: str | int | None, actor: User | None = None) -> Plan:
    """A current plan of ``actor``'s region by id, exact title, or a unique part of its title;
    the only monitored plan (one with indicators) when ``ref`` is None. Raises PlanNotFound
    naming the choices otherwise."""
    plans = region_scope.plans(session, actor)
    if ref is None or str(ref).strip() == "":
        monitored = region_scope.plans(session, actor, monitored=True)
        if len(monitored) == 1:
            return monitored[0]
        if not monitored and len(plans) == 1:
            return plans[0]
        raise PlanNotFound(_choices("请用 --plan 指定规划", monitored or plans))
    text = str(ref).strip()
    if text.isdigit():
        plan = session.get(Plan, int(text))
        if plan is not None and region_scope.region_of(session, actor).has_plan(plan):
            return plan
    exact = [p for p in plans if p.title == text or p.plan_key == plan_key(text)]
    if len(exact) == 1:
        return exact[0]
    partial = [p for p in plans if text in p.title]
    if len(partial) == 1:
        return partial[0]
    raise PlanNotFound(_choices(f"没有唯一匹配「{text}」的规划", partial or plans))


def _choices(message: str, plans: Sequence[Plan]) -> str:
    listed = "；".join(f"{p.id}: {p.title}" for p in plans[:10]) or "数据库中还没有规划（先运行 planwatch import）"
    return f"{message}（{listed}）"
