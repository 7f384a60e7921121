"""Service errors become HTTP answers: the service decides, the web only translates.

PermissionDenied → 403, ConcurrentUpdate → 409 (已被他人修改), InputError → 422, any other PlanWatchError → 400, each with the
service's own one-line message (already in Chinese; a page shows a field code such as
``org_unit：`` as the field's label). A page form posted with a field missing or malformed
is answered with a page naming the fields, never FastAPI's English JSON. /api/ callers get JSON
``{"detail": …}``; browsers get the error page, or a bare fragment for fetch requests so
the message appears where the user acted.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from planwatch.errors import InputError, PlanWatchError
from planwatch.monitor.permissions import PermissionDenied
from planwatch.services.observations import ConcurrentUpdate
from planwatch.web.messages import validation_message
from planwatch.web.templating import local_url, render, translator

__all__ = ["LoginRequired", "install_error_handlers", "is_api", "is_fragment_request"]


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
    template = "fragments/error.html" if is_fragment_request(request) else "error.html"
    response = render(request, template, {"message": message, "status_code": status_code},
                      status_code=status_code)
    if headers:
        response.headers.update(headers)
    return response


def _status_of(exc: PlanWatchError) -> int:
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, ConcurrentUpdate):
        return 409
    if isinstance(exc, InputError):
        return 422
    return 400


async def _planwatch_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PlanWatchError)
    return error_response(request, _status_of(exc), str(exc))


async def _login_required(request: Request, exc: Exception) -> Response:
    if is_api(request):
        return JSONResponse({"detail": translator(request)("error.login_required")}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})
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


async def _invalid_request(request: Request, exc: Exception) -> Response:
    """A form posted with a field missing or malformed: scripts get FastAPI's JSON, people a
    page in their language naming each field by its label."""
    assert isinstance(exc, RequestValidationError)
    if is_api(request):
        return await request_validation_exception_handler(request, exc)
    return error_response(request, 422, validation_message(exc.errors(), translator(request)))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(PlanWatchError, _planwatch_error)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(StarletteHTTPException, _http_error)

