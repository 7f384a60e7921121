"""Managing an indicator from its page: edit the target, retire or restore it, merge it with
another. The services check the permission (evaluation group, monitoring group, admin) and
audit each action with its reason; a refusal shows the page again with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from planwatch.errors import NotFound, PlanWatchError
from planwatch.fields import read_year
from planwatch.services import corrections, indicator_lifecycle, pickers, region_scope
from planwatch.services.indicator_lifecycle import Choice, MergeConflicts
from planwatch.services.transactions import Session
from planwatch.store.models import Indicator, User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.messages import error_text
from planwatch.web.params import RowId
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, translator
from planwatch.web.views.plans import render_indicator_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])

Reason = Annotated[str, Form()]


def _indicator(db: Session, user: User, indicator_id: int) -> Indicator:
    return region_scope.indicator(db, user, indicator_id)


def _done(request: Request, indicator_id: int) -> RedirectResponse:
    return RedirectResponse(local_url(request, "indicator_page", indicator_id=indicator_id), status_code=303)


def _refused(request: Request, db: Session, user: User, indicator_id: int, error: PlanWatchError | str,
             **extra: object) -> Response:
    db.rollback()
    shown = error if isinstance(error, str) else error_text(error, translator(request))
    return render_indicator_page(request, db, user, _indicator(db, user, indicator_id), None,
                                 manage={"error": shown, **extra}, status_code=422)


@router.post("/indicators/{indicator_id}/target", name="indicator_target")
def indicator_target(request: Request, user: PageUser, db: DbSession, indicator_id: RowId,
                     target: Annotated[str, Form()], reason: Reason, target_year: Annotated[str, Form()] = "",
                     comparator: Annotated[str, Form()] = "", target_type: Annotated[str, Form()] = "") -> Response:
    """A new target (and its type) through the correction service, so a re-import keeps it."""
    try:
        fix = corrections.IndicatorFix(target=target, target_year=read_year(target_year, "target_year"),
                                       comparator=comparator or None, target_type=target_type.strip() or None)
        if not reason.strip():
            raise corrections.CorrectionError("reason：请填写修改目标的原因")
        corrections.correct_indicator(db, user, _indicator(db, user, indicator_id).id, fix, reason=reason.strip())
    except NotFound:  # another district's record: answered 404
        raise
    except PlanWatchError as exc:
        return _refused(request, db, user, indicator_id, exc)
    return _done(request, indicator_id)


def _lifecycle(request: Request, db: Session, user: User, indicator_id: int,
               change: Callable[[Session, User, int, str], object], reason: str) -> Response:
    """Retire or restore: another district's indicator answers 404; a refusal is shown on its page."""
    try:
        change(db, user, _indicator(db, user, indicator_id).id, reason)
    except NotFound:  # another district's record: answered 404
        raise
    except PlanWatchError as exc:
        return _refused(request, db, user, indicator_id, exc)
    return _done(request, indicator_id)


@router.post("/indicators/{indicator_id}/retire", name="indicator_retire")
def indicator_retire(request: Request, user: PageUser, db: DbSession, indicator_id: RowId, reason: Reason) -> Response:
    return _lifecycle(request, db, user, indicator_id, indicator_lifecycle.retire, reason)


@router.post("/indicators/{indicator_id}/restore", name="indicator_restore")
def indicator_restore(request: Request, user: PageUser, db: DbSession, indicator_id: RowId,
                      reason: Reason) -> Response:
    return _lifecycle(request, db, user, indicator_id, indicator_lifecycle.restore, reason)


@router.post("/indicators/{indicator_id}/merge", name="indicator_merge")
async def indicator_merge(request: Request, user: PageUser, db: DbSession, indicator_id: RowId,
                          other: Annotated[str, Form(max_length=400)], reason: Reason,
                          keep: Annotated[str, Form()] = "this") -> Response:
    """Merge this indicator and ``other`` (the code or name the picker sent); ``keep`` says
    which stays ("this" or "other"). Conflicts come back as the form's ``choice-<id>``
    fields (kept or merged)."""
    form = await request.form()
    choices: dict[int, Choice] = {}
    for name, value in form.multi_items():
        number = name.removeprefix("choice-")
        if number != name and number.isdigit() and value in ("kept", "merged"):
            choices[int(number)] = "kept" if value == "kept" else "merged"
    return await run_in_threadpool(_merge, request, db, user, indicator_id, other, keep, reason, choices)


def _merge(request: Request, db: Session, user: User, indicator_id: int, other: str, keep: str, reason: str,
           choices: dict[int, Choice]) -> Response:
    this = _indicator(db, user, indicator_id)
    chosen = pickers.indicator_named(db, this.plan_id, other)
    if chosen is None or chosen.id == this.id:
        return _refused(request, db, user, indicator_id, translator(request)("indicator.merge_unknown", name=other),
                        other=other, keep=keep, reason=reason)
    kept, merged = (indicator_id, chosen.id) if keep == "this" else (chosen.id, indicator_id)
    try:
        indicator_lifecycle.merge(db, user, kept, merged, reason, choices)
    except MergeConflicts as exc:
        return _refused(request, db, user, indicator_id, exc, conflicts=exc.conflicts, other=other,
                        keep=keep, reason=reason)
    except NotFound:  # another district's record: answered 404
        raise
    except PlanWatchError as exc:
        return _refused(request, db, user, indicator_id, exc)
    return _done(request, kept)
