"""Serving the public site from the app: rendered files kept per process, limits per address.

A page is rendered once and then answered from memory (with its ETag, so a browser asking
again gets 304; browsers and proxies must ask again each time, so that a withdrawal shows at
once) until the site version moves (:mod:`planwatch.services.site_version`). The
version is read at most once per ``refresh_seconds`` per process, so a cached page costs
no database work at all; a change made in another process shows within that time.

Visitors are limited per client address by a token bucket in memory (pages) and by a
counter in the database (opinions, :class:`planwatch.services.opinions.OpinionThrottle`).
The opinion form is signed with the time it was handed out, so a post that comes back
faster than a person types, or days later, is told to try again (no CAPTCHA: it must work
offline and for screen-reader users).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from fastapi.concurrency import run_in_threadpool

from planwatch.services import opinions, publishing
from planwatch.services.session_keys import session_key
from planwatch.services.site_version import site_version
from planwatch.services.transactions import Session
from planwatch.store import Database
from planwatch.web.public.site import PublicSite, SiteFile

__all__ = ["CachedFile", "FormTokens", "LiveSite", "PageLimiter", "PublicOptions"]


@dataclass(frozen=True, slots=True)
class PublicOptions:
    """How the app serves the public site; the defaults are for production, tests and the
    benchmark change them (a test cannot wait three seconds before every post)."""

    refresh_seconds: float = 1.0  # how stale a process's copy of the site may be
    pages_per_second: float = 20.0  # per client address, sustained
    page_burst: int = 200  # per client address, at once
    min_fill_seconds: float = 3.0  # a person needs longer than this to write an opinion
    max_form_age_seconds: float = 86_400.0
    opinion_throttle: opinions.OpinionThrottle = field(default_factory=opinions.OpinionThrottle)


@dataclass(frozen=True, slots=True)
class CachedFile:
    body: bytes
    media_type: str
    etag: str
    gone: bool


def _cached(found: SiteFile) -> CachedFile:
    return CachedFile(found.body, found.media_type, f'"{hashlib.sha256(found.body).hexdigest()[:32]}"', found.gone)


class LiveSite:
    """The current public site of one app process and the files it has rendered so far."""

    def __init__(self, refresh_seconds: float) -> None:
        self._refresh = refresh_seconds
        self._checked = -math.inf
        self._version: int | None = None
        self._site: PublicSite | None = None
        self._files: dict[str, CachedFile] = {}
        self._lock = asyncio.Lock()

    async def current(self, database: Database) -> PublicSite:
        site = self._site
        if site is not None and time.monotonic() - self._checked < self._refresh:
            return site
        async with self._lock:
            if self._site is None or time.monotonic() - self._checked >= self._refresh:
                version = await run_in_threadpool(_read_version, database)
                if self._site is None or version != self._version:
                    self._site = await run_in_threadpool(_load, database)
                    self._version, self._files = version, {}
                self._checked = time.monotonic()
            assert self._site is not None
            return self._site

    async def file(self, database: Database, path: str) -> CachedFile | None:
        site = await self.current(database)
        found = self._files.get(path)
        if found is None:
            rendered = await run_in_threadpool(site.file, path)
            if rendered is None:
                return None
            found = _cached(rendered)
            if site is self._site:
                self._files[path] = found
        return found


def _read_version(database: Database) -> int:
    with database.session(readonly=True) as session:
        return site_version(session)


def _load(database: Database) -> PublicSite:
    with database.session(readonly=True) as session:
        snapshots = publishing.current_snapshots(session)
        shown = opinions.shown_opinions(session)
    return PublicSite(snapshots, shown, lambda sha: _file(database, sha), feedback="")


def _file(database: Database, sha256: str) -> bytes | None:
    with database.session(readonly=True) as session:
        return publishing.file_content(session, sha256)


class PageLimiter:
    """A token bucket per client address: ``burst`` requests at once, ``per_second`` after."""

    _MAX_ADDRESSES: Final = 50_000

    def __init__(self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # address → (tokens, when)

    def wait(self, address: str) -> float:
        """0 when the request may go ahead (and is counted), else seconds until it may."""
        now = self._clock()
        tokens, when = self._buckets.get(address, (self.burst, now))
        tokens = min(self.burst, tokens + (now - when) * self.per_second)
        if tokens < 1:
            self._buckets[address] = (tokens, now)
            return (1 - tokens) / self.per_second
        if len(self._buckets) >= self._MAX_ADDRESSES and address not in self._buckets:
            self._forget_full(now)
        self._buckets[address] = (tokens - 1, now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        """Addresses whose bucket has refilled are as good as new: forget them."""
        self._buckets = {a: (t, w) for a, (t, w) in self._buckets.items()
                         if t + (now - w) * self.per_second < self.burst}


class FormTokens:
    """The opinion form's hidden token: when it was handed out and for which subject, signed.

    The key is derived from the session key (:func:`planwatch.services.session_keys.session_key`),
    read from the database each time a form is handed out or posted (both are rare and
    throttled), so that every host accepts every host's forms, before and after a restart and
    a rotation; a form handed out before a rotation is refused as invalid, with what the
    visitor typed kept. ``secret`` (a key given to the app) replaces the stored one.
    """

    def __init__(self, min_seconds: float, max_seconds: float, secret: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.min_seconds = min_seconds
        self.max_seconds = max_seconds
        self._secret = secret
        self._clock = clock

    def key(self, session: Session) -> bytes:
        secret = self._secret or session_key(session)
        return hmac.new(secret.encode(), b"planwatch public opinion form", hashlib.sha256).digest()

    @staticmethod
    def _signature(key: bytes, issued: str, subject: str) -> str:
        return hmac.new(key, f"{issued}|{subject}".encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, key: bytes, subject: str) -> str:
        issued = f"{self._clock():.3f}"
        return f"{issued}.{self._signature(key, issued, subject)}"

    def problem(self, key: bytes, token: str, subject: str) -> str | None:
        """None for a token issued with ``key`` for ``subject`` long enough ago and not too long;
        else ``invalid``, ``too_fast`` or ``expired``."""
        issued, _, signature = token.rpartition(".")
        try:
            moment = float(issued)
        except ValueError:
            return "invalid"
        if not hmac.compare_digest(signature.encode(), self._signature(key, issued, subject).encode()):
            return "invalid"
        age = self._clock() - moment
        if age < self.min_seconds:
            return "too_fast"
        return "expired" if age > self.max_seconds else None
