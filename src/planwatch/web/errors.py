"""Service errors become HTTP answers: the service decides, the web only translates.

PermissionDenied → 403, NotFound (also a record outside the user's district) → 404,
ConcurrentUpdate → 409 (已被他人修改), InputError → 422, any other PlanWatchError → 400, each with the
service's own one-line message (already in Chinese; a page shows a field code such as
``org_unit：`` as the field's label). A page form posted with a field missing or malformed
is answered with a page naming the fields, never FastAPI's English JSON. /api/ callers get JSON
``{"detail": …}``; browsers get the error page, or a bare fragment for fetch requests so
the message appears where the user acted.

A request that fails validation (a missing field, a number out of range, control characters
in a name) gets one line too, in the user's language, naming the field and the problem —
built only from the error's type, location and limits, never from the value sent, so the
handler cannot fail on a value it cannot print (FastAPI's own handler answered a NaN with a
500, its ``json.dumps`` refusing the NaN it was echoing back).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from planwatch.errors import InputError, NotFound, PlanWatchError
from planwatch.monitor.permissions import PermissionDenied
from planwatch.services.observations import ConcurrentUpdate
from planwatch.web.messages import error_text, form_message, problem_text
from planwatch.web.templating import local_url, render, translator

__all__ = ["LoginRequired", "api_login_required", "error_response", "install_error_handlers", "is_api",
           "is_fragment_request", "login_required_response", "validation_message"]

log = logging.getLogger(__name__)


class LoginRequired(Exception):
    """A page needs a logged-in user; browsers are sent to the log-in form."""


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def is_fragment_request(request: Request) -> bool:
    """The small JS in static/app.js marks its fetches so errors come back as fragments."""
    return request.headers.get("x-requested-with") == "fetch"


def error_response(request: Request, status_code: int, message: str,
                   headers: Mapping[str, str] | None = None) -> Response:
    if is_api(request):
        return JSONResponse({"detail": message}, status_code=status_code, headers=headers)
    # the request's database session has ended (rolled back): the menu goes without its count
    request.state.inbox_count = lambda: 0
    template = "fragments/error.html" if is_fragment_request(request) else "error.html"
    response = render(request, template, {"message": message, "status_code": status_code},
                      status_code=status_code)
    if headers:
        response.headers.update(headers)
    return response


def _status_of(exc: PlanWatchError) -> int:
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, ConcurrentUpdate):
        return 409
    if isinstance(exc, InputError):
        return 422
    return 400


async def _planwatch_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PlanWatchError)
    # programs get the service's line; people the catalogue's, in their language
    return error_response(request, _status_of(exc), str(exc) if is_api(request) else error_text(exc, translator(request)))


def api_login_required(request: Request) -> Response:
    return JSONResponse({"detail": translator(request)("error.token_required")}, status_code=401,
                        headers={"WWW-Authenticate": "Bearer"})


async def _login_required(request: Request, exc: Exception) -> Response:
    return login_required_response(request)


def login_required_response(request: Request) -> Response:
    """Scripts get 401; a browser is sent to the log-in form and back to where it was."""
    if is_api(request):
        return api_login_required(request)
    if is_fragment_request(request):
        return error_response(request, 401, translator(request)("error.login_required"))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(local_url(request, "login_form").include_query_params(next=target),
                            status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if is_api(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    message = exc.detail if isinstance(exc.detail, str) else translator(request)("error.title")
    if exc.status_code == 404 and message == "Not Found":
        message = translator(request)("error.not_found")
    return error_response(request, exc.status_code, message, exc.headers)


_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie", "form"})


def validation_message(request: Request, errors: Sequence[Mapping[str, Any]]) -> str:
    """One line for the first error, for programs: ``field：problem`` in the user's language."""
    t = translator(request)
    try:
        first = errors[0]
        # a form's repeated field is one field to its user; a JSON list's index says which item
        loc = [str(part) for part in first.get("loc", ())
               if (str(part) not in _LOCATIONS or len(first["loc"]) == 1) and (is_api(request) or isinstance(part, str))]
        return t("input.invalid", field=".".join(loc) or "body", problem=problem_text(first, t))
    except Exception:  # a message must come out, whatever the error holds
        log.exception("validation message")
        return t("input.problem.request")


def _safe_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Where and what, for programs; the rejected value is never echoed (it may be a NaN,
    bytes, or a password)."""
    return [{"loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())], "type": str(e.get("type", "")),
             "msg": str(e.get("msg", ""))} for e in errors[:20]]


async def _validation_error(request: Request, exc: Exception) -> Response:
    """A request with a field missing or malformed: programs get JSON naming the field's code,
    people a page in their language naming each field by its label."""
    assert isinstance(exc, RequestValidationError)
    try:
        errors = list(exc.errors())
    except Exception:
        errors = []
    if is_api(request):
        return JSONResponse({"detail": validation_message(request, errors), "errors": _safe_errors(errors)},
                            status_code=422)
    try:
        message = form_message(errors, translator(request))
    except Exception:  # a message must come out, whatever the error holds
        log.exception("validation message")
        message = translator(request)("input.problem.request")
    return error_response(request, 422, message)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(PlanWatchError, _planwatch_error)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(StarletteHTTPException, _http_error)

