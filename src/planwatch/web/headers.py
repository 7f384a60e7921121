"""Headers every response carries, and cookies that never travel in clear over https.

A pure ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``: report downloads and
upload progress stream, and the latter would buffer them.

* The Content-Security-Policy allows scripts and styles from this site only (style
  attributes too: templates size bars with them), so injected markup cannot run script, and
  no other site may frame the pages (``frame-ancestors 'none'``, and X-Frame-Options for
  older browsers). The API docs are served from an installed package for the same reason.
* ``Secure`` is added to every cookie when the request came over https (directly, or from
  a trusted proxy with ``--proxy-headers``) or the app was started with ``https``.
* A ``Location`` naming the request's own Host is cut to its path, so that a forged Host
  header cannot turn a redirect (Starlette's trailing-slash redirect too) into a link to
  another site; the app's own redirects are paths already.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_SECURITY_POLICY", "SecurityHeaders"]

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
_ALWAYS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_HSTS: Final = "max-age=31536000"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = self.https or scope.get("scheme") == "https"
        host = _request_host(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS.items():
                    headers.setdefault(name, value)
                if secure:
                    headers.setdefault("Strict-Transport-Security", _HSTS)
                    cookies = headers.getlist("set-cookie")
                    if cookies:
                        del headers["set-cookie"]
                        for cookie in cookies:
                            has_secure = any(p.strip().lower() == "secure" for p in cookie.split(";"))
                            headers.append("set-cookie", cookie if has_secure else f"{cookie}; Secure")
                location = headers.get("location")
                if location is not None:
                    headers["location"] = _local(location, host)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _request_host(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return bytes(value).decode("latin-1").lower()
    return ""


def _local(location: str, host: str) -> str:
    parts = urlsplit(location)
    if not parts.netloc or parts.netloc.lower() != host:
        return location
    return parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
