"""What the indicator page shows for managing the indicator: its state, the target form,
retire/restore and merge with the plan's other indicators in use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planwatch.monitor.permissions import Action, is_allowed
from planwatch.store.models import Indicator, User
from planwatch.web.documents import comparator_choices
from planwatch.web.i18n import Translator

__all__ = ["indicator_management"]


def indicator_management(db: Session, user: User, indicator: Indicator, t: Translator) -> dict[str, Any]:
    """The context of the page's management section (empty lists for those who may not manage)."""
    can_manage = is_allowed(user, Action.CORRECT_EXTRACTION)
    final = indicator.targets[-1] if indicator.targets else None
    others = [] if not can_manage else [
        {"id": i.id, "label": f"{i.code} {i.name}" + (f"（{i.unit}）" if i.unit else "")}
        for i in db.scalars(select(Indicator).where(Indicator.plan_id == indicator.plan_id,
                                                    Indicator.id != indicator.id, Indicator.retired_at.is_(None))
                            .order_by(Indicator.code))]
    merged_from = [{"id": i.id, "name": i.name} for i in db.scalars(
        select(Indicator).where(Indicator.merged_into_id == indicator.id).order_by(Indicator.code))]
    return {"can_manage": can_manage, "merge_candidates": others, "comparators": comparator_choices(t),
            "final_target": final, "merged_from": merged_from}
