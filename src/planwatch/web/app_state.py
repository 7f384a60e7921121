"""The database of the app and the session of one request.

The database is opened (and migrated) on first use, so an app built without touching the
database — the log-in page, static files, tests of the shell — never creates one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy.orm import Session

from planwatch.services import search
from planwatch.store import Database

__all__ = ["READING_METHODS", "DbSession", "app_database", "db_session", "open_database"]

_opening = threading.Lock()


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
                database = open_database(app.state.database_url)
                app.state.database = database
    return database


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db_session(request: Request) -> Iterator[Session]:
    """One session per request, committed when the handler returns, rolled back on error.

    Requests that only read (GET, HEAD) get a read-only session: on SQLite every writing
    transaction holds the one write lock from its start, and pages holding it would queue
    every other page behind them.
    """
    readonly = request.method in READING_METHODS
    with app_database(request.app).session(readonly=readonly) as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]
