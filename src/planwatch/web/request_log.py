"""One log record for every request: who asked (a user id), what (the method and the route
template), the answer's status and how long it took.

The route is the template (``/plans/{plan_id}``), never the path or its query string (a link
with a token, an e-mail address in a search); a path no route matches is logged as ``-``. The
user is the id set by :func:`~planwatch.web.auth.page_user` or :func:`~planwatch.web.auth.api_user`,
never a login or a name. A refusal (4xx) is logged as a warning, a failure (5xx) as an error.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RequestLog"]

log = logging.getLogger("planwatch.requests")


class RequestLog:
    """Outermost middleware: it sees every answer, those of the other middleware included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})  # the request's state, where the log-in dependencies put the user's id
        started = time.perf_counter()
        status = 500  # what the server answers when the app raises before answering

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
            log.log(level, "request", extra={
                "method": scope["method"], "route": getattr(route, "path", None) or "-", "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1), "user": scope["state"].get("user_id")})
