"""What a picker suggests as someone types, and what the typed text names.

A drop-down of every unit of a province (20,000) or every indicator of a plan (10,000) is
megabytes of HTML on every page that offers one. A picker is a text box instead: it
suggests the first matches of what was typed (a code's beginning, a part of a name) and the
form sends the chosen unit's name or the indicator's code, which is looked up exactly.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from planwatch.services.region_scope import Region
from planwatch.store.models import Indicator, OrgUnit

__all__ = ["SUGGESTIONS", "indicator_named", "suggest_indicators", "suggest_units", "unit_named"]

SUGGESTIONS: Final = 20


def suggest_units(session: Session, region: Region, typed: str, *, limit: int = SUGGESTIONS,
                  active_only: bool = True) -> list[OrgUnit]:
    """Units of ``region`` (a user's district) whose code begins with, or whose name or short
    name contains, ``typed``: exact codes first, then the shorter names (区教育局 before
    区教育局附属…)."""
    text = typed.strip()
    query = select(OrgUnit).where(region.unit_filter(OrgUnit.id))
    if active_only:
        query = query.where(OrgUnit.active.is_(True))
    if text:
        query = query.where(or_(OrgUnit.code.startswith(text, autoescape=True),
                                OrgUnit.name.contains(text, autoescape=True),
                                OrgUnit.short_name.contains(text, autoescape=True)))
    return list(session.scalars(query.order_by(case((OrgUnit.code == text, 0), else_=1), func.length(OrgUnit.name),
                                               OrgUnit.code).limit(limit)))


def unit_named(session: Session, region: Region, typed: str) -> OrgUnit | None:
    """The unit of ``region`` of that exact name or code, as a picker sends it (区卫生健康委
    of a user's own district, not another's)."""
    text = typed.strip()
    return session.scalar(select(OrgUnit).where(or_(OrgUnit.name == text, OrgUnit.code == text),
                                                region.unit_filter(OrgUnit.id))
                          .order_by(case((OrgUnit.name == text, 0), else_=1)).limit(1)) if text else None


def suggest_indicators(session: Session, plan_id: int, typed: str, *, limit: int = SUGGESTIONS,
                       leave_out: int | None = None) -> list[Indicator]:
    """The plan's indicators in use whose code begins with, or whose name contains, ``typed``."""
    text = typed.strip()
    query = select(Indicator).where(Indicator.plan_id == plan_id, Indicator.retired_at.is_(None))
    if leave_out is not None:
        query = query.where(Indicator.id != leave_out)
    if text:
        query = query.where(or_(Indicator.code.startswith(text, autoescape=True),
                                Indicator.name.contains(text, autoescape=True)))
    return list(session.scalars(query.order_by(case((Indicator.code == text, 0), else_=1), Indicator.code,
                                               Indicator.id).limit(limit)))


def indicator_named(session: Session, plan_id: int, typed: str) -> Indicator | None:
    """The plan's indicator in use of that exact code (as the picker sends it), else of that
    exact name when only one has it."""
    text = typed.strip()
    if not text:
        return None
    chosen = (Indicator.plan_id == plan_id, Indicator.retired_at.is_(None))
    found = session.scalars(select(Indicator).where(*chosen, Indicator.code == text).limit(2)).all()
    if len(found) != 1:
        found = session.scalars(select(Indicator).where(*chosen, Indicator.name == text).limit(2)).all()
    return found[0] if len(found) == 1 else None
