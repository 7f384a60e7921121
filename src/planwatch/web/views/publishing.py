"""The office's side of the public site: publication decisions and public opinions.

``/publishing`` lists the plans with their public state and what waits for a decision; a
plan's publishing page is where the evaluation group proposes what goes public, a second
person approves or rejects (with a preview of exactly the pages that would go out), items
are retracted and every decision is listed. ``/opinions`` is the moderation queue of public
opinions: show or keep off the site, answer publicly, erase a contact or delete an opinion
on its writer's request. Every change is a call to :mod:`planwatch.services.publishing` or
:mod:`planwatch.services.opinions`, which check the user's role and audit it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planwatch.errors import NotFound, PlanWatchError
from planwatch.monitor.permissions import Action, is_allowed
from planwatch.report import ReportKind
from planwatch.services import opinions, publishing, region_scope
from planwatch.services.public_snapshot import PublicationScope, build_snapshot, figure_parts, plan_slug
from planwatch.services.transactions import Session
from planwatch.store.models import Plan, User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.params import MAX_YEAR, MIN_YEAR, RowId
from planwatch.web.public.routes import PUBLIC_PREFIX
from planwatch.web.public.site import PublicSite, media_type
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, render, translator

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

TextField = Annotated[str, Form(max_length=4000)]
_DONE: Final = frozenset({"proposed", "approved", "rejected", "retracted", "shown", "hidden", "answered",
                          "erased", "deleted"})
_STATE_FILTERS: Final = ("pending", "shown", "rejected", "deleted", "all")




def _done(request: Request, done: str) -> str | None:
    return translator(request)(f"publishing.done.{done}") if done in _DONE else None


@router.get("/publishing", name="publishing_overview")
def overview(request: Request, user: PageUser, db: DbSession, done: str = "") -> HTMLResponse:
    pending = publishing.pending_decisions(db, user)
    rows = []
    for plan in region_scope.plans(db, user, monitored=True):
        current = publishing.current_decision(db, plan.plan_key)
        rows.append({"plan": plan, "current": current, "slug": plan_slug(plan.plan_key),
                     "pending": sum(1 for d in pending if d.plan_key == plan.plan_key)})
    waiting = len(opinions.list_opinions(db, user)) if is_allowed(user, Action.MODERATE_OPINIONS) else None
    return render(request, "publishing.html", {"rows": rows, "pending": pending, "opinions_waiting": waiting,
                                               "public_home": f"{PUBLIC_PREFIX}/", "message": _done(request, done)})


def _freshness(db: Session, plan: Plan, current: Any) -> str:
    """Whether what is public still says what the database says ("", "stale" or a refusal)."""
    if current is None or current.snapshot.get("retracted"):
        return ""
    try:
        fresh = build_snapshot(db, plan, PublicationScope.from_json(current.scope), current.office, current.note)
    except PlanWatchError as exc:
        return str(exc)
    return "" if figure_parts(fresh) == figure_parts(current.snapshot) else "stale"


def _plan_page(request: Request, db: Session, user: User, plan: Plan, *, message: str | None = None,
               problem: str | None = None, form: dict[str, Any] | None = None) -> HTMLResponse:
    eligible = publishing.eligibility(db, user, plan)
    current = publishing.current_decision(db, plan.plan_key)
    chosen = eligible.current
    defaults = {
        "office": eligible.office, "note": "",
        "years": list(chosen.years) if chosen else list(eligible.locked_years),
        "indicators": list(chosen.indicators) if chosen else [c.key for c in eligible.candidates if c.years],
        "tasks": chosen.tasks if chosen else eligible.has_tasks, "projects": chosen.projects if chosen
        else eligible.has_projects, "warnings": chosen.warnings if chosen else False,
        "reports": [f"{k}:{y}" for k, y in chosen.reports] if chosen else [],
    }
    return render(request, "plan_publishing.html", {
        "plan": plan, "eligible": eligible, "current": current, "freshness": _freshness(db, plan, current),
        "decisions": publishing.decisions(db, user, plan.plan_key),
        "form": defaults | (form or {}), "message": message, "problem": problem,
        "report_kinds": [k.value for k in ReportKind], "public_url": f"{PUBLIC_PREFIX}/plans/{eligible.slug}/index.html",
        "can_propose": is_allowed(user, Action.PUBLISH), "can_approve": is_allowed(user, Action.APPROVE_PUBLICATION),
    }, status_code=422 if problem else 200)


@router.get("/plans/{plan_id}/publishing", name="plan_publishing")
def plan_publishing(request: Request, user: PageUser, db: DbSession, plan_id: RowId, done: str = "") -> HTMLResponse:
    return _plan_page(request, db, user, region_scope.plan(db, user, plan_id), message=_done(request, done))


def _change(request: Request, db: Session, user: User, plan: Plan, done: str, change: Callable[[], object],
            form: dict[str, Any] | None = None) -> Response:
    """One service call in a savepoint; a refusal comes back on the page with the form as typed."""
    try:
        with db.begin_nested():
            change()
    except PlanWatchError as exc:
        return _plan_page(request, db, user, plan, problem=str(exc), form=form)
    return RedirectResponse(local_url(request, "plan_publishing", plan_id=plan.id).include_query_params(done=done),
                            status_code=303)


@router.post("/plans/{plan_id}/publishing", name="plan_publishing_propose")
def propose(request: Request, user: PageUser, db: DbSession, plan_id: RowId,
            office: Annotated[str, Form(max_length=400)] = "", note: TextField = "",
            years: Annotated[list[Annotated[int, Form(ge=MIN_YEAR, le=MAX_YEAR)]] | None, Form()] = None,
            indicators: Annotated[list[str] | None, Form()] = None,
            reports: Annotated[list[str] | None, Form()] = None,
            tasks: Annotated[str, Form()] = "", projects: Annotated[str, Form()] = "",
            warnings: Annotated[str, Form()] = "") -> Response:
    plan = region_scope.plan(db, user, plan_id)
    chosen_reports = []
    for value in reports or []:
        kind, _, year = value.partition(":")
        if year.isascii() and year.isdigit():  # the page's own checkbox values: anything else is not one
            chosen_reports.append((kind, int(year)))
    scope = PublicationScope(tuple(indicators or ()), tuple(years or ()), tasks == "yes", projects == "yes",
                             warnings == "yes", tuple(chosen_reports))
    form = {"office": office, "note": note, "years": list(scope.years), "indicators": list(scope.indicators),
            "tasks": scope.tasks, "projects": scope.projects, "warnings": scope.warnings, "reports": reports or []}
    return _change(request, db, user, plan, "proposed",
                   lambda: publishing.propose(db, user, plan, scope, office=office, note=note), form)


def _decision_plan(db: Session, user: User, decision_id: int) -> Plan:
    """The plan of a decision of ``user``'s district (another district's: 404, by the service)."""
    return region_scope.plan(db, user, publishing.decision(db, user, decision_id).plan_id)


@router.post("/publishing/{decision_id}/approve", name="publishing_approve")
def approve(request: Request, user: PageUser, db: DbSession, decision_id: RowId) -> Response:
    plan = _decision_plan(db, user, decision_id)
    return _change(request, db, user, plan, "approved", lambda: publishing.approve(db, user, decision_id))


@router.post("/publishing/{decision_id}/reject", name="publishing_reject")
def reject(request: Request, user: PageUser, db: DbSession, decision_id: RowId, reason: TextField = "") -> Response:
    plan = _decision_plan(db, user, decision_id)
    return _change(request, db, user, plan, "rejected", lambda: publishing.reject(db, user, decision_id, reason))


@router.post("/plans/{plan_id}/publishing/retract", name="publishing_retract")
def retract(request: Request, user: PageUser, db: DbSession, plan_id: RowId,
            item: Annotated[str, Form(max_length=300)] = "", reason: TextField = "") -> Response:
    plan = region_scope.plan(db, user, plan_id)
    what, _, name = item.partition(":")
    return _change(request, db, user, plan, "retracted",
                   lambda: publishing.retract(db, user, plan.plan_key, what, name, reason=reason))


@router.get("/publishing/{decision_id}/preview/{path:path}", name="publishing_preview")
def preview(user: PageUser, db: DbSession, decision_id: RowId, path: str) -> Response:
    """The pages a decision puts (or put) on the public site, exactly as they would be served."""
    snapshot = publishing.snapshot_of(db, user, decision_id)
    site = PublicSite([snapshot], {snapshot["plan"]["key"]: opinions.shown_opinions(db).get(snapshot["plan"]["key"], [])},
                      lambda sha: publishing.file_content(db, sha), feedback=None)
    name = path + "index.html" if path == "" or path.endswith("/") else path
    found = site.file(name)
    if found is None:
        raise HTTPException(status_code=404)
    return Response(found.body, media_type=media_type(name), headers={"Cache-Control": "no-store"})


# ---- public opinions ---------------------------------------------------------------------------

@router.get("/opinions", name="opinions_page")
def opinions_page(request: Request, user: PageUser, db: DbSession, state: str = "pending",
                  done: str = "") -> HTMLResponse:
    shown = state if state in _STATE_FILTERS else "pending"
    items = opinions.list_opinions(db, user, None if shown == "all" else shown)
    titles = {p.plan_key: p.title for p in region_scope.plans(db, user)}
    return render(request, "opinions.html", {"items": items, "state": shown, "states": _STATE_FILTERS,
                                             "titles": titles, "message": _done(request, done),
                                             "slug": plan_slug})


def _opinion_change(request: Request, db: Session, done: str, state: str, change: Callable[[], object]) -> Response:
    try:
        with db.begin_nested():
            change()
    except NotFound:
        raise  # an opinion of another district is answered like a missing one: 404
    except PlanWatchError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return RedirectResponse(local_url(request, "opinions_page").include_query_params(state=state, done=done),
                            status_code=303)


@router.post("/opinions/{opinion_id}/moderate", name="opinion_moderate")
def moderate(request: Request, user: PageUser, db: DbSession, opinion_id: RowId,
             decision: Annotated[str, Form(max_length=8)] = "show", reason: TextField = "",
             back: Annotated[str, Form(max_length=16)] = "pending") -> Response:
    show = decision == "show"
    return _opinion_change(request, db, "shown" if show else "hidden", back, lambda: opinions.moderate_opinion(
        db, user, opinion_id, show=show, reason=reason))


@router.post("/opinions/{opinion_id}/answer", name="opinion_answer")
def answer(request: Request, user: PageUser, db: DbSession, opinion_id: RowId, answer: TextField = "",
           back: Annotated[str, Form(max_length=16)] = "pending") -> Response:
    return _opinion_change(request, db, "answered", back,
                           lambda: opinions.answer_opinion(db, user, opinion_id, answer))


@router.post("/opinions/{opinion_id}/erase-contact", name="opinion_erase_contact")
def erase_contact(request: Request, user: PageUser, db: DbSession, opinion_id: RowId, reason: TextField = "",
                  back: Annotated[str, Form(max_length=16)] = "pending") -> Response:
    return _opinion_change(request, db, "erased", back,
                           lambda: opinions.erase_contact(db, user, opinion_id, reason))


@router.post("/opinions/{opinion_id}/delete", name="opinion_delete")
def delete(request: Request, user: PageUser, db: DbSession, opinion_id: RowId, reason: TextField = "",
           back: Annotated[str, Form(max_length=16)] = "pending") -> Response:
    return _opinion_change(request, db, "deleted", back,
                           lambda: opinions.delete_opinion(db, user, opinion_id, reason))
