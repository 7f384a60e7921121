"""What the indicator page shows for managing the indicator: its state, the target form,
retire/restore and merge with another of the plan's indicators in use (chosen in a picker
that suggests as one types: a plan may hold ten thousand)."""

from __future__ import annotations

from typing import Any

from planwatch.evaluate import Verdict
from planwatch.monitor.permissions import Action, is_allowed
from planwatch.services import plan_reads
from planwatch.services.duplicates import near_duplicates
from planwatch.services.transactions import Session
from planwatch.store.models import Indicator, User
from planwatch.web.i18n import MESSAGES, Translator
from planwatch.web.views.documents import comparator_choices, target_type_choices

__all__ = ["indicator_management"]


def indicator_management(db: Session, user: User, indicator: Indicator, t: Translator) -> dict[str, Any]:
    """The context of the page's management section (empty lists for those who may not manage)."""
    can_manage = is_allowed(user, Action.CORRECT_EXTRACTION)
    final = indicator.targets[-1] if indicator.targets else None
    suggested = [{"id": d.indicator.id, "code": d.indicator.code, "name": d.indicator.name,
                  "unit": d.indicator.unit or "", "same": d.similarity >= 1.0}
                 for d in near_duplicates(db, indicator)] if can_manage and indicator.retired_at is None else []
    merged_from = [{"id": i.id, "name": i.name} for i in plan_reads.merged_into(db, user, indicator)]
    return {"can_manage": can_manage, "merge_suggested": suggested,
            "comparators": comparator_choices(t),
            "target_types": target_type_choices(t), "type_names": dict(target_type_choices(t)),
            "verdict_names": {v.value: t(f"verdict.{v.value}") for v in Verdict},
            "final_target": final, "merged_from": merged_from,
            "definition_events": _definition_events(db, user, indicator, t)}


def _definition_events(db: Session, user: User, indicator: Indicator, t: Translator) -> list[dict[str, str]]:
    """Who changed the indicator's definition or state (and that of those merged into it), and why."""
    events = plan_reads.definition_events(db, user, indicator)
    return [{"when": e.at.strftime("%Y-%m-%d %H:%M"), "who": e.actor_login,
             "action": t(f"indicator.event.{e.action}") if f"indicator.event.{e.action}" in MESSAGES["zh"]
             else e.action, "reason": e.reason or ""} for e in events]
