"""The database of the app and the session of one request.

The database is opened (and migrated) on first use, so an app built without touching the
database — the log-in page, static files, tests of the shell — never creates one.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Final

import anyio.to_thread
from fastapi import Depends, FastAPI, Request

from planwatch.services import search
from planwatch.services.transactions import Session
from planwatch.store import Database

__all__ = ["READING_METHODS", "REQUEST_THREADS", "DbSession", "app_database", "db_session", "open_database",
           "size_request_threads"]

_opening = threading.Lock()
# Threads running the sync handlers and dependencies at once (anyio's default is 40); fewer
# than the database pool's connections (POOL_CONNECTIONS), so a thread never waits for one.
REQUEST_THREADS: Final = 32


def size_request_threads() -> None:
    """Called at start-up, in the event loop whose thread limiter it sets."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS


def open_database(url: str | None) -> Database:
    """The database migrated to this version, its search index complete (files stored
    before search existed, or restored, are indexed now)."""
    database = Database(url)
    database.upgrade()
    with database.session() as session:
        search.index_pending(session)
    return database


def app_database(app: FastAPI) -> Database:
    database: Database | None = getattr(app.state, "database", None)
    if database is None:
        with _opening:
            database = getattr(app.state, "database", None)
            if database is None:
                database = open_database(app.state.settings.database_url)
                app.state.database = database
    return database


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Uploads end their request transaction after the log-in check and store the import in a
# session of its own after extraction: holding the write turn through the upload and the
# extraction (up to the CPU limit) would stop every other write of the process.
_STORES_IN_OWN_SESSION = frozenset({"/api/v1/documents", "/documents", "/admin/orgunits/import"})


async def database_turn(request: Request) -> AsyncIterator[None]:
    """Requests take turns for the database here, in the event loop, where waiting costs no
    request thread and no connection.

    A request holds its connection from its first query (the log-in check, in one thread)
    to its commit, and in between needs a thread again for its handler. Left to queue in
    threads, a burst of 100 writes to one cell filled every thread with requests waiting for
    a connection (PostgreSQL) or for SQLite's one write lock, while the holders waited for
    a thread: nothing moved until the timeouts answered with 500s. So at most
    REQUEST_THREADS requests of a process use the database at once (no more than the pool
    has connections), and on SQLite writing requests go one at a time, as SQLite writes.
    """
    state = request.app.state
    if getattr(state, "database_turns", None) is None:
        state.database_turns, state.write_turn = asyncio.Semaphore(REQUEST_THREADS), asyncio.Lock()
    writes_alone = (request.method not in READING_METHODS and request.url.path not in _STORES_IN_OWN_SESSION
                    and app_database(request.app).dialect == "sqlite")
    async with state.write_turn if writes_alone else contextlib.nullcontext(), state.database_turns:
        yield


def db_session(request: Request,
               _turn: Annotated[None, Depends(database_turn, scope="function")]) -> Iterator[Session]:
    """One session per request, committed when the handler returns, rolled back on error.

    Committed before the answer leaves (``scope="function"``): FastAPI's default runs the
    end of a dependency after the response is sent, and a browser following the 303 of a
    form could read the page before the change it had just been told was saved (or be told
    "saved" for a commit that then failed). The turn ends with the commit, for the same reason.

    Requests that only read (GET, HEAD) get a read-only session: on SQLite every writing
    transaction holds the one write lock from its start, and pages holding it would queue
    every other page behind them.
    """
    readonly = request.method in READING_METHODS
    with app_database(request.app).session(readonly=readonly) as session:
        yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]
