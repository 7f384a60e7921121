"""The office's records: the import history and the audit trail across the system.

Both are for the administrator and the monitoring and evaluation groups (the services check
:data:`~planwatch.monitor.permissions.Action.VIEW_AUDIT`); filters are query parameters, so
a filtered page can be bookmarked or sent to a colleague.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from planwatch.monitor.permissions import Action, Role, check
from planwatch.monitor.workflow import ObservationState
from planwatch.services import audit_log, import_history, orgunits
from planwatch.services.import_history import Channel, Outcome
from planwatch.services.ledger_progress import STATUSES
from planwatch.services.transactions import Session
from planwatch.store.models import User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.i18n import MESSAGES, Translator
from planwatch.web.params import MAX_ROW_ID, RowId
from planwatch.web.session import require_csrf
from planwatch.web.templating import render, translator

__all__ = ["router"]

router = APIRouter(prefix="/records", include_in_schema=False, dependencies=[Depends(require_csrf)])

PageNumber = Annotated[int, Query(ge=1, le=MAX_ROW_ID)]
Words = Annotated[str, Query(max_length=200)]


def _label(t: Translator, code: str, *prefixes: str) -> str:
    """A code's words from the first catalogue key that has them; the code itself otherwise."""
    for prefix in prefixes:
        if f"{prefix}.{code}" in MESSAGES["zh"]:
            return t(f"{prefix}.{code}")
    return code


def _units(db: Session, user: User) -> list[tuple[int, str]]:
    """The active units of the user's district, district first, for the filter."""
    return [(u.id, u.name) for u in orgunits.list_org_units(db, user)]


@router.get("/imports", name="import_history")
def imports_page(request: Request, user: PageUser, db: DbSession, who: RowId | None = None,
                 unit: RowId | None = None, channel: Words = "", outcome: Words = "", since: date | None = None,
                 until: date | None = None, q: Words = "", page: PageNumber = 1) -> HTMLResponse:
    t = translator(request)
    where = import_history.HistoryFilter(who, unit, channel, outcome, since, until, q)
    found = import_history.history(db, user, where, page)
    return render(request, "records_imports.html", {
        "found": found, "units": _units(db, user),
        "channels": [(c.value, t(f"import.channel.{c.value}")) for c in Channel],
        "channel_labels": {c.value: t(f"import.channel.{c.value}") for c in Channel},
        "outcome_labels": {o.value: t(f"import.outcome.{o.value}") for o in Outcome},
        "outcomes": [(o.value, t(f"import.outcome.{o.value}")) for o in Outcome],
        "filters": {"who": who, "unit": unit, "channel": channel, "outcome": outcome, "since": since or "",
                    "until": until or "", "q": q},
        "paging": _paging(request, found.page, found.pages),
    })


@router.get("/audit", name="audit_page")
def audit_page(request: Request, user: PageUser, db: DbSession, who: RowId | None = None, unit: RowId | None = None,
               entity: Words = "", object: Words = "", action: Words = "", since: date | None = None,
               until: date | None = None, page: PageNumber = 1) -> HTMLResponse:
    check(user, Action.VIEW_AUDIT)
    t = translator(request)
    where = audit_log.AuditFilter(who, unit, entity, object, action, since, until)
    found = audit_log.audit_events(db, user, where, page)
    actions = {a: _label(t, a, "audit") for a in found.actions}
    entities = {e: _label(t, e, "audit.entity") for e in found.entities}
    return render(request, "records_audit.html", {
        "found": found, "units": _units(db, user), "action_labels": actions, "entity_labels": entities,
        "action_choices": sorted(actions.items(), key=lambda item: item[1]),
        "entity_choices": sorted(entities.items(), key=lambda item: item[1]),
        "field_label": lambda key: _label(t, key, "audit.field", "field"),
        "value_text": lambda key, value: _value(t, key, value),
        "filters": {"who": who, "unit": unit, "entity": entity, "object": object, "action": action,
                    "since": since or "", "until": until or ""},
        "paging": _paging(request, found.page, found.pages),
    })


def _value(t: Translator, key: str, value: str) -> str:
    """A stored code in words where the field holds one (a figure's state, a task's status)."""
    if key == "state" and value in ObservationState.__members__.values():
        return ObservationState(value).label_zh if t.language == "zh" else value
    if key == "status" and value in STATUSES:
        return STATUSES[value]
    if key == "role" and value in Role.__members__.values():
        return Role(value).label_zh if t.language == "zh" else value
    if key in ("active", "locked", "retired", "revoked", "required") and value in ("是", "否"):
        return value if t.language == "zh" else {"是": "yes", "否": "no"}[value]
    return value


def _paging(request: Request, page: int, pages: int) -> dict[str, Any]:
    """The previous and next pages' addresses (relative: the query only), keeping the filters."""
    def at(number: int) -> str:
        return "?" + urlencode({**request.query_params, "page": number})

    return {"page": page, "pages": pages, "previous": at(page - 1) if page > 1 else None,
            "next": at(page + 1) if page < pages else None}
