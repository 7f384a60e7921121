"""The thread page of a figure or a progress report: what happened to it and what clerk and
reviewer said about it, with a box to write in. A comment that cannot be stored comes back
with the text typed kept in the box."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from planwatch.monitor.permissions import Action, Scope, is_allowed
from planwatch.services import comments
from planwatch.services.comments import ENTITIES, CommentRejected
from planwatch.services.observations import OBSERVATION_ENTITY
from planwatch.services.transactions import Session
from planwatch.store.models import User
from planwatch.web.app_state import DbSession
from planwatch.web.auth import PageUser
from planwatch.web.params import RowId
from planwatch.web.session import require_csrf
from planwatch.web.templating import local_url, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


def _entity(entity: str) -> str:
    if entity not in ENTITIES:
        raise HTTPException(status_code=404)
    return entity


def _page(request: Request, db: Session, user: User, entity: str, entity_id: int, *, typed: str = "",
          error: str = "", status_code: int = 200) -> HTMLResponse:
    found = comments.thread(db, user, entity, entity_id)
    subject = found.subject
    return render(request, "thread.html", {
        "thread": found, "subject": subject, "typed": typed, "error": error, "max_length": comments.COMMENT_MAX,
        "may_comment": is_allowed(user, Action.COMMENT, Scope(org_unit_id=subject.org_unit_id)),
        "is_value": entity == OBSERVATION_ENTITY, "can_review": is_allowed(user, Action.APPROVE)},
        status_code=status_code)


@router.get("/threads/{entity}/{entity_id}", name="thread_page")
def thread_page(request: Request, user: PageUser, db: DbSession, entity: str, entity_id: RowId) -> HTMLResponse:
    return _page(request, db, user, _entity(entity), entity_id)


@router.post("/threads/{entity}/{entity_id}", name="thread_comment")
def thread_comment(request: Request, user: PageUser, db: DbSession, entity: str, entity_id: RowId,
                   body: Annotated[str, Form(max_length=comments.COMMENT_MAX * 2)] = "") -> Response:
    the_entity = _entity(entity)
    try:
        with db.begin_nested():
            comments.add_comment(db, user, the_entity, entity_id, body)
    except CommentRejected as exc:
        return _page(request, db, user, the_entity, entity_id, typed=body, error=str(exc), status_code=422)
    url = local_url(request, "thread_page", entity=the_entity, entity_id=entity_id)
    return RedirectResponse(f"{url}#latest", status_code=303)
