"""Session cookies signed with the key kept in the database (:mod:`planwatch.services.session_keys`).

Starlette's SessionMiddleware takes its key when it is made; this middleware makes one with
the stored key and makes a new one when the key was replaced. It reads the key again every
minute, and at once (at most every two seconds) when a cookie arrives that the key it has
does not verify: after ``planwatch settings rotate-session-key`` the first request signed
with the new key brings every process up to date.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Final, Literal

import itsdangerous
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from planwatch.services.session_keys import session_key
from planwatch.store import Database

__all__ = ["StoredKeySessions"]

_RELOAD_S: Final = 60.0
_RECHECK_S: Final = 2.0


class StoredKeySessions:
    def __init__(self, app: ASGIApp, *, database: Callable[[], Database], session_cookie: str, max_age: int,
                 same_site: Literal["lax", "strict", "none"], https_only: bool) -> None:
        self.app = app
        self._database = database
        self._cookie = session_cookie
        self._max_age = max_age
        self._options: dict[str, Any] = {"session_cookie": session_cookie, "max_age": max_age,
                                         "same_site": same_site, "https_only": https_only}
        self._key: str | None = None
        self._inner: SessionMiddleware | None = None
        self._loaded_at = float("-inf")
        self._loading = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        since = time.monotonic() - self._loaded_at
        cookie = HTTPConnection(scope).cookies.get(self._cookie)
        if since > _RELOAD_S or (since > _RECHECK_S and cookie is not None and not self._verifies(cookie)):
            await run_in_threadpool(self._load)
        assert self._inner is not None
        await self._inner(scope, receive, send)

    def _verifies(self, cookie: str) -> bool:
        signer = itsdangerous.TimestampSigner(str(self._key))
        try:
            signer.unsign(cookie.encode("utf-8"), max_age=self._max_age)
        except itsdangerous.BadSignature:
            return False
        return True

    def _load(self) -> None:
        with self._loading:
            with self._database().session() as session:
                key = session_key(session)
            if key != self._key:
                self._inner = SessionMiddleware(self.app, secret_key=key, **self._options)
                self._key = key
            self._loaded_at = time.monotonic()
