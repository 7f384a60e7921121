"""The boundary of the public routes: no cookies in, bodies of anonymous posts bounded.

A pure ASGI middleware outside the session middleware. Requests under the public prefix
reach the app without their Cookie header, so no session is read, refreshed or started for
them (a logged-in official reading the public site gets the same cacheable answer as anyone,
and no Set-Cookie), and an anonymous POST (:data:`ANONYMOUS_POSTS`) is read up to its limit
before the app sees it: a larger body is answered 413 and never parsed.
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planwatch.web.public.routes import ANONYMOUS_POSTS, PUBLIC_PREFIX

__all__ = ["PublicBoundary"]

_TOO_LARGE: Final = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>413</title></head>"
                     "<body><main><h1>提交的内容过长</h1><p>提交的内容超过 {limit} KB 的上限，未保存。请缩短后重新提交。</p>"
                     "<p lang=\"en\">The submission exceeds the {limit} KB limit and was not stored.</p></main></body></html>")


def is_public(path: str) -> bool:
    return path == PUBLIC_PREFIX or path.startswith(PUBLIC_PREFIX + "/")


class PublicBoundary:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"cookie"]}
        limit = ANONYMOUS_POSTS.get(scope["path"]) if scope["method"] == "POST" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more and len(body) <= limit:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if len(body) > limit:
            await _refuse(send, limit)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


async def _refuse(send: Send, limit: int) -> None:
    page = _TOO_LARGE.format(limit=limit // 1024).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(page)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": page})
