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

from planwatch.store import Database

__all__ = ["DbSession", "app_database", "db_session"]

_opening = threading.Lock()


def app_database(app: FastAPI) -> Database:
    database: Database | None = getattr(app.state, "database", None)
    if database is None:
        with _opening:
            database = getattr(app.state, "database", None)
            if database is None:
                database = Database(app.state.database_url)
                database.upgrade()
                app.state.database = database
    return database


def db_session(request: Request) -> Iterator[Session]:
    """One session per request, committed when the handler returns, rolled back on error."""
    with app_database(request.app).session() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]
