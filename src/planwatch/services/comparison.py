"""The same indicator across plans and districts, side by side.

A user bound to a district compares its own district's plans (see :mod:`region_scope`);
leaders of every district compare across districts.

Districts write the same national indicator into their own plans (孕产妇死亡率 in each
district's women's plan, 森林覆盖率 in each five-year plan); leaders ask how the targets
and the latest figures compare. Indicators are matched by name without spaces; a query
that is part of a name (死亡率) lists every indicator containing it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.evaluate import EvaluationResult
from planwatch.monitor.permissions import Action, Scope, check, visible_org_unit_id
from planwatch.services import region_scope
from planwatch.services.evaluation import evaluate_stored_plan
from planwatch.services.indicator_keys import name_key
from planwatch.store.models import Document, Indicator, Plan, Target, User

__all__ = ["ComparedIndicator", "SharedName", "compare", "shared_names"]


@dataclass(frozen=True, slots=True)
class ComparedIndicator:
    indicator_id: int
    name: str
    unit: str | None
    attribute: str | None
    plan_id: int
    plan_title: str
    issuer: str | None  # 发文机关 of the plan's document: which district or department
    baseline_year: int | None
    baseline: str | None
    targets: tuple[tuple[int, str], ...]  # (year, text as printed)
    latest_year: int | None
    latest_value: float | None
    result: EvaluationResult | None


@dataclass(frozen=True, slots=True)
class SharedName:
    name: str
    plans: int


def shared_names(session: Session, actor: User, limit: int = 100) -> list[SharedName]:
    """Indicator names found in more than one current plan, most widely shared first."""
    check(actor, Action.VIEW, Scope(org_unit_id=visible_org_unit_id(actor)))
    region = region_scope.region_of(session, actor)
    plans_by_name: dict[str, set[int]] = defaultdict(set)
    shown: dict[str, str] = {}
    for name, plan_id in session.execute(select(Indicator.name, Indicator.plan_id).join(Plan)
                                         .where(Plan.current.is_(True), region.plan_filter())):
        key = name_key(name)
        plans_by_name[key].add(plan_id)
        shown.setdefault(key, name)
    shared = [SharedName(shown[k], len(v)) for k, v in plans_by_name.items() if len(v) > 1]
    return sorted(shared, key=lambda s: (-s.plans, s.name))[:limit]


def compare(session: Session, actor: User, query: str, year: int | None = None,
            limit: int = 200) -> list[ComparedIndicator]:
    """Current indicators named ``query`` (or containing it), each with its plan's targets,
    latest approved figure and status — evaluated as the indicator page evaluates them."""
    check(actor, Action.VIEW, Scope(org_unit_id=visible_org_unit_id(actor)))
    wanted = name_key(query)
    if not wanted:
        return []
    rows = session.execute(select(Indicator.id, Indicator.name, Indicator.plan_id).join(Plan)
                           .where(Plan.current.is_(True), region_scope.region_of(session, actor).plan_filter())).all()
    exact = [r for r in rows if name_key(r.name) == wanted]
    matched = (exact or [r for r in rows if wanted in name_key(r.name)])[:limit]
    by_plan: dict[int, list[int]] = defaultdict(list)
    for row in matched:
        by_plan[row.plan_id].append(row.id)
    out: list[ComparedIndicator] = []
    for plan_id, ids in by_plan.items():
        plan = session.get_one(Plan, plan_id)
        issuer = session.scalar(select(Document.issuer).where(Document.id == plan.document_id)) \
            if plan.document_id else None
        evaluation = evaluate_stored_plan(session, actor, plan, year, indicator_ids=ids)
        results = {r.indicator_id: r for r in evaluation.results}
        for indicator_id in ids:
            indicator = session.get_one(Indicator, indicator_id)
            values = evaluation.values.get(str(indicator_id), {})
            latest = max(values) if values else None
            result = results.get(str(indicator_id))
            # an amount over the period compares by what the years added up to, not the last year's share
            figure = result.current if result is not None and result.target_type == "cumulative" else (
                values.get(latest) if latest is not None else None)
            out.append(ComparedIndicator(
                indicator_id, indicator.name, indicator.unit, indicator.attribute, plan.id, plan.title, issuer,
                indicator.baseline_year, indicator.baseline_text,
                tuple((t.year, t.text) for t in session.scalars(
                    select(Target).where(Target.indicator_id == indicator_id).order_by(Target.year))),
                latest, figure, result))
    return sorted(out, key=lambda c: (c.name, c.issuer or "", c.plan_title))
