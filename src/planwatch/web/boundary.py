"""What every request passes before a handler reads a byte of its body.

FastAPI reads a form or JSON body before it runs a route's dependencies, so a log-in check
in a dependency comes after an anonymous 1 GiB multipart body has been spooled to disk.
This ASGI middleware stands in front of every route instead, and decides from the route the
request is for:

* **who may send a body**: a route that depends on :func:`~planwatch.web.auth.page_user`
  needs a live browser session, one that depends on :func:`~planwatch.web.auth.api_user`
  a valid API token — checked here, before the body is read. A route with neither must be
  in :data:`ANONYMOUS` (the log-in form, the public site and its opinion form),
  each with its own small limit; the route-enumerating tests fail for any other.
* **how much**: ``Content-Length`` over the route's limit is refused before reading, and
  a body streamed without one is cut off at the limit (413 either way). The limit is
  :data:`FORM_LIMIT` unless the route declares its own with ``openapi_extra=body(...)``.
* **which kind**: ``multipart/form-data`` only where the route declares files
  (``body(max_bytes, files=True)``), else 415; a JSON body with ``NaN`` or ``Infinity``
  (which Python's decoder accepts and no JSON standard does) is refused with 422 naming the
  field, so no handler or error page ever meets a number it cannot serialise.
* **which characters**: a control character (NUL, a vertical tab pasted from Word…) in a
  query parameter, form field or JSON string is refused with 422 naming the field, unless
  the field is free text (:data:`FREE_TEXT`), where the store normalises it (tabs and line
  breaks kept; see :mod:`planwatch.text_cleaning`). A new free-text field named otherwise
  is refused until it is added there.

Answers are one line in the user's language, rendered like every other error.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planwatch.services import users
from planwatch.services.web_sessions import find_session
from planwatch.text_cleaning import first_control, show_char
from planwatch.web.app_state import app_database
from planwatch.web.auth import api_user, page_user
from planwatch.web.errors import api_login_required, error_response, login_required_response
from planwatch.web.security import SESSION_ID_KEY
from planwatch.web.templating import translator

__all__ = ["ANONYMOUS", "FORM_LIMIT", "FREE_TEXT", "KIB", "MIB", "Access", "Boundary", "RouteRule", "body",
           "route_rules"]

KIB: Final = 1024
MIB: Final = 1024 * KIB
# Forms and JSON bodies without files: a review of a few thousand ticked values is some 100 KB.
FORM_LIMIT: Final = 256 * KIB
# Multipart framing around a declared file (boundaries, part headers, the CSRF field).
_ENVELOPE: Final = 64 * KIB
_MAX_KEY: Final = "x-max-body-bytes"
_FILES_KEY: Final = "x-accepts-files"
_READING: Final = frozenset({"GET", "HEAD", "OPTIONS"})


class Access(Enum):
    """Who a route lets send a body."""

    SESSION = "session"  # a logged-in browser
    TOKEN = "token"  # an API token
    ANONYMOUS = "anonymous"  # anyone: only the routes of ANONYMOUS


@dataclass(frozen=True, slots=True)
class RouteRule:
    access: Access
    limit: int  # bytes of body accepted
    files: bool = False  # multipart/form-data accepted


# The routes anyone may call, each with the body it may send. The one place to add an
# anonymous route.
ANONYMOUS: Final[Mapping[tuple[str, str], int]] = {
    ("GET", "/login"): 0,
    ("POST", "/login"): 4 * KIB,  # login, password, next, the CSRF token
    ("POST", "/logout"): 1 * KIB,  # an expired session still logs out
    ("GET", "/lang/{code}"): 0,
    ("GET", "/api/v1/docs"): 0,
    ("GET", "/openapi.json"): 0,
    ("GET", "/static"): 0,  # mounted files
    ("GET", "/api/v1/docs/assets"): 0,
    ("GET", "/theme.css"): 0,  # the palette's stylesheet, needed by the log-in page
    # The public site (issue 26): its pages and files, and the citizens' opinion form, whose
    # one POST carries up to 2,000 characters of opinion and a contact (percent-encoded).
    ("GET", "/public/{path:path}"): 0,
    ("GET", "/public/opinions/new"): 0,
    ("GET", "/public/opinions/received"): 0,
    ("POST", "/public/opinions"): 32 * KIB,
}


# Fields of free text, by name, wherever they occur: control characters in them are
# normalised when stored; in every other field (names, codes, numbers, choices) refused.
FREE_TEXT: Final = frozenset({"note", "comment", "reason", "progress", "source", "content", "review_note",
                              "description", "remark", "message", "feedback", "q",
                              "text", "answer",  # a public opinion and the office's public answer
                              "contact"})  # a visitor's pasted phone or e-mail: refusing it would lose the opinion
# A percent-encoded C0 control, DEL or C1 control (UTF-8 C2 80–9F) in a query string.
_ENCODED_CONTROL: Final = re.compile(rb"%(?:[01][0-9a-fA-F]|7[fF]|[cC]2%[89][0-9a-fA-F])")


def body(max_bytes: int, *, files: bool = False) -> dict[str, Any]:
    """A route's own body limit, as its ``openapi_extra``: ``max_bytes`` of file (the
    multipart envelope is added) when ``files``, else of form or JSON. Declared once, on
    the route; the API schema shows it too."""
    return {_MAX_KEY: max_bytes + (_ENVELOPE if files else 0), _FILES_KEY: files}


@dataclass(frozen=True, slots=True)
class _Entry:
    route: Any  # a Starlette route, or FastAPI's view of an included one; both have matches()
    methods: frozenset[str]
    path: str
    rule: RouteRule | None  # None: no authentication and not in ANONYMOUS (the tests name it)


def _calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    for sub in getattr(dependant, "dependencies", ()):
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _access(dependant: Any) -> Access | None:
    calls = set(_calls(dependant))
    if page_user in calls:
        return Access.SESSION
    if api_user in calls:
        return Access.TOKEN
    return None


def route_rules(app: FastAPI) -> list[_Entry]:
    """Every route of the app with the rule the boundary applies to it, in matching order
    (FastAPI keeps included routers as lazy branches; this walks them all)."""
    entries: list[_Entry] = []
    for context in iter_route_contexts(app.router.routes):
        route = context._effective_route  # the route with its router's prefix and dependencies
        path = str(getattr(route, "path", ""))
        methods = frozenset(getattr(route, "methods", None) or {"GET", "HEAD"})
        extra = getattr(route, "openapi_extra", None) or {}
        access = _access(getattr(route, "dependant", None))
        rule: RouteRule | None
        if access is not None:
            default = 0 if methods <= _READING else FORM_LIMIT  # pages and GETs of the API take no body
            rule = RouteRule(access, int(extra.get(_MAX_KEY, default)), bool(extra.get(_FILES_KEY, False)))
        else:
            needed = methods - {"HEAD"} if "GET" in methods else methods  # HEAD comes with GET
            limits = [ANONYMOUS[(m, path)] for m in needed if (m, path) in ANONYMOUS]
            rule = RouteRule(Access.ANONYMOUS, min(limits)) if len(limits) == len(needed) else None
        entries.append(_Entry(route, methods, path, rule))
    return entries


_UNDECLARED: Final = RouteRule(Access.ANONYMOUS, 0)  # a route the tests would name: no body at all


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body streams past its limit; FastAPI re-raises
    HTTPExceptions met while reading, so the app's handler answers it like any 413."""


class Boundary:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._entries: list[_Entry] | None = None

    def _rule(self, scope: Scope) -> RouteRule | None:
        """The rule of the route that will answer, None when none will (404, 405)."""
        if self._entries is None:
            self._entries = route_rules(scope["app"])
        for entry in self._entries:
            match, _ = entry.route.matches(scope)
            if match is Match.FULL:
                return entry.rule or _UNDECLARED
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        streamed = "transfer-encoding" in headers
        query = bytes(scope.get("query_string", b""))
        if _ENCODED_CONTROL.search(query):
            refused = _control_in_pairs(urllib.parse.parse_qsl(query.decode("latin-1"), keep_blank_values=True))
            if refused is not None:
                request = Request(scope)
                await self._refuse(request, send, 422, _control_message(request, *refused))
                return
        if scope["method"] in _READING and not streamed and declared in (None, "0"):
            await self.app(scope, receive, send)  # nothing to read: pages cost no extra lookup
            return
        rule = self._rule(scope)
        if rule is None:  # answered 404 or 405 without a byte read; nothing more may be
            await self.app(scope, _limited(receive, 0, ""), send)
            return
        request = Request(scope)
        if rule.access is not Access.ANONYMOUS and not await _authenticated(request, rule.access):
            answer = api_login_required(request) if rule.access is Access.TOKEN else login_required_response(request)
            answer.headers["Connection"] = "close"  # the body is never read
            await answer(scope, receive, send)
            return
        t = translator(request)
        too_large = t("boundary.too_large", size=_size(rule.limit)) if rule.limit else t("boundary.no_body")
        if declared is not None and (not declared.isdigit() or int(declared) > rule.limit):
            await self._refuse(request, send, 413, too_large)
            return
        content_type = headers.get("content-type", "").lower()
        if content_type.startswith("multipart/") and not rule.files:
            await self._refuse(request, send, 415, t("boundary.no_files"))
            return
        limited = _limited(receive, rule.limit, too_large)
        json_body = _is_json(content_type)
        if json_body or content_type.startswith("application/x-www-form-urlencoded"):
            try:
                data = await _read_all(limited)
            except BodyTooLarge as exc:
                await self._refuse(request, send, 413, str(exc.detail))
                return
            refusal = _json_refusal(request, data) if json_body else _form_refusal(request, data)
            if refusal is not None:
                await self._refuse(request, send, 422, refusal)
                return
            limited = _replay(data, receive)
        await self.app(scope, limited, send)

    @staticmethod
    async def _refuse(request: Request, send: Send, status: int, message: str) -> None:
        response = error_response(request, status, message)
        response.headers["Connection"] = "close"  # the rest of the body is not read
        await response(request.scope, request.receive, send)


async def _authenticated(request: Request, access: Access) -> bool:
    database = app_database(request.app)
    if access is Access.TOKEN:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False

        def token_user() -> bool:
            with database.session(readonly=True) as db:
                return users.user_for_token(db, token.strip()) is not None

        return await run_in_threadpool(token_user)
    session_id = request.session.get(SESSION_ID_KEY)
    if not isinstance(session_id, str):
        return False

    def live_session() -> bool:
        with database.session(readonly=True) as db:
            return find_session(db, session_id, request.app.state.session_policy) is not None

    return await run_in_threadpool(live_session)


def _size(limit: int) -> str:
    return f"{limit / MIB:.0f} MB" if limit >= MIB else f"{max(1, limit // KIB)} KB"


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _limited(receive: Receive, limit: int, message: str) -> Receive:
    received = 0

    async def limited() -> Message:
        nonlocal received
        message_in = await receive()
        if message_in["type"] == "http.request":
            received += len(message_in.get("body", b""))
            if received > limit:
                raise BodyTooLarge(status_code=413, detail=message)
        return message_in

    return limited


async def _read_all(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(data: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": data, "more_body": False}
        return await receive()  # the client's disconnect, if a handler waits for it

    return replay


def _control_message(request: Request, field: str, char: str) -> str:
    t = translator(request)
    return t("input.invalid", field=field, problem=t("input.problem.control", char=show_char(char)))


def _control_in_pairs(pairs: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The first (field, character) of a form or query where a control character is refused."""
    for name, value in pairs:
        char = first_control(name) or (None if name in FREE_TEXT else first_control(value.strip()))
        if char is not None:
            return name, char
    return None


def _form_refusal(request: Request, data: bytes) -> str | None:
    refused = _control_in_pairs(urllib.parse.parse_qsl(data.decode("latin-1"), keep_blank_values=True))
    return _control_message(request, *refused) if refused is not None else None


_NOT_FINITE = object()


def _json_refusal(request: Request, data: bytes) -> str | None:
    """The 422 line for the first NaN/Infinity or refused control character of a JSON body;
    malformed JSON is left to the route's validation, which answers it with its own 422."""
    found: list[str] = []

    def constant(name: str) -> object:
        found.append(name)
        return _NOT_FINITE

    try:
        document = json.loads(data, parse_constant=constant)
    except ValueError:
        return None
    for path, value in _leaves(document):
        if value is _NOT_FINITE:
            return translator(request)("boundary.not_finite", field=path or "body", constant=found[0])
    for path, value in _leaves(document):
        field = path.rsplit(".", 1)[-1]
        key_char = first_control(field)
        text_char = first_control(value.strip()) if isinstance(value, str) and field not in FREE_TEXT else None
        if key_char or text_char:
            return _control_message(request, path or "body", key_char or text_char or "")
    return None


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every scalar of a JSON document; a list item keeps its
    list's name, so the free-text rule of a field covers the items of a list of it."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, path)
    else:
        yield path, value
