"""The public routes see no cookie: no session is read, refreshed or started for them.

A pure ASGI middleware outside the session middleware. Requests under the public prefix
reach the app without their Cookie header, so a logged-in official reading the public site
gets the same cacheable answer as anyone, and no Set-Cookie. Their bodies are bounded like
every route's, by :class:`planwatch.web.boundary.Boundary` (the public routes are in its
``ANONYMOUS`` list).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from planwatch.web.public.routes import PUBLIC_PREFIX

__all__ = ["PublicBoundary"]


def is_public(path: str) -> bool:
    return path == PUBLIC_PREFIX or path.startswith(PUBLIC_PREFIX + "/")


class PublicBoundary:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_public(scope["path"]):
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"cookie"]}
        await self.app(scope, receive, send)
