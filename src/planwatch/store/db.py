"""Where the data lives: the database URL, engines tuned per dialect, sessions, migrations.

The embedded default is one SQLite file under ``./.planwatch/`` in WAL mode (readers never
wait for the writer) with foreign keys enforced and a busy timeout so that concurrent
reporters queue instead of failing. Multi-user deployments point ``--db`` or
``PLANWATCH_DATABASE_URL`` at PostgreSQL (psycopg 3). The schema is created and upgraded
by the Alembic migrations shipped inside the package, never by ``create_all``, so that a
database made by one version can be upgraded by the next.

Every string bound to a statement, whatever sends it (a form, an import, an extracted plan,
the command line, a restore), passes :func:`~planwatch.text_cleaning.normalise_text` on
its way to the database: PostgreSQL cannot store a NUL, and no report or template can
write a control character, so none is stored (the boundary has refused them in names
before, with a message; here free text is normalised).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from planwatch import configuration
from planwatch.errors import PlanWatchError
from planwatch.text_cleaning import normalise_text

__all__ = ["DEFAULT_DATA_DIR", "POOL_CONNECTIONS", "Database", "DatabaseError", "resolve_url"]

DEFAULT_DATA_DIR: Final = Path(".planwatch")
SQLITE_BUSY_TIMEOUT_S: Final = 60
# Connections per engine: one for every request thread of the web app (REQUEST_THREADS in
# web/app_state.py) plus the upload workers, so no thread ever waits for a connection while
# it holds one of the few request threads (a burst of writes then stalls every request, and
# the pool's 30 s timeout ends them in 500s). Two serve workers stay under PostgreSQL's
# default of 100 connections.
POOL_CONNECTIONS: Final = 36
_POOL: Final = {"pool_size": 8, "max_overflow": POOL_CONNECTIONS - 8, "pool_timeout": SQLITE_BUSY_TIMEOUT_S}
# JSON columns (audit old/new, flags) hold standard JSON only: NaN or Infinity would be
# refused by PostgreSQL and break a backup's restore into it.
_STRICT_JSON: Final = functools.partial(json.dumps, allow_nan=False)


class DatabaseError(PlanWatchError):
    """The database URL is wrong or the database cannot be reached or upgraded."""


def resolve_url(url: str | None = None) -> str:
    """``url`` if given, else the configured one (``PLANWATCH_DATABASE_URL``), else SQLite in ``./.planwatch/``."""
    chosen = url or configuration.current().database_url
    if chosen:
        return _normalise(chosen)
    return f"sqlite:///{DEFAULT_DATA_DIR / 'planwatch.db'}"


def _normalise(url: str) -> str:
    """Accept the URLs people copy from PostgreSQL docs (postgresql://) and use psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"数据库地址无效：{url!r}（应为 sqlite:///路径 或 postgresql://用户@主机:端口/库名）") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(f"不支持的数据库：{parsed.get_backend_name()}（支持 SQLite 和 PostgreSQL）")
    return parsed.render_as_string(hide_password=False)


def _clean(values: Any) -> Any:
    """``values`` (one row's or many rows' parameters) with every string normalised; the same
    object when nothing changes, which is almost always."""
    if isinstance(values, str):
        return normalise_text(values)
    if isinstance(values, dict):
        cleaned = {key: _clean(value) for key, value in values.items()}
        return values if all(cleaned[k] is values[k] for k in values) else cleaned
    if isinstance(values, list | tuple):
        items = [_clean(value) for value in values]
        if all(new is old for new, old in zip(items, values, strict=True)):
            return values
        return type(values)(items) if isinstance(values, tuple) else items
    return values


def _clean_parameters(_connection: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                      _executemany: bool) -> tuple[str, Any]:
    return statement, _clean(parameters)


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _refuse_sqlite_writes(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA query_only=ON")


def _on_sqlite_begin(connection: Any) -> None:
    # Take the write lock at BEGIN: two writers that both read first and then upgrade
    # their lock would deadlock, and SQLite answers a deadlock with an immediate error
    # that the busy timeout cannot help with.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str | None = None, *, echo: bool = False) -> None:
        self.url = resolve_url(url)
        parsed: URL = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            self._prepare_sqlite_path(parsed)
            engine = self._sqlite_engine(echo, immediate=True)
            reader = self._sqlite_engine(echo, immediate=False)
        else:
            engine = create_engine(self.url, echo=echo, pool_pre_ping=True, json_serializer=_STRICT_JSON, **_POOL)
            reader = engine.execution_options(postgresql_readonly=True)
        # PostgreSQL's reader is the engine with options, and shares its events
        for bound in (engine, reader) if self.dialect == "sqlite" else (engine,):
            event.listen(bound, "before_cursor_execute", _clean_parameters, retval=True)
        self.engine: Engine = engine
        self.read_engine: Engine = reader
        # A session knows its database, so that a service reached from a read-only session
        # can write something aside (the evaluation snapshot) in a short session of its own.
        self.sessions = sessionmaker(engine, expire_on_commit=False, info={"database": self, "readonly": False})
        # Read-only sessions (pages, exports) never take SQLite's write lock, so in WAL mode
        # they never wait for a writer or for each other; a write in one is refused by the
        # database instead of silently serialising every reader behind the lock.
        self.read_sessions = sessionmaker(reader, expire_on_commit=False, info={"database": self, "readonly": True})

    def _sqlite_engine(self, echo: bool, *, immediate: bool) -> Engine:
        engine = create_engine(self.url, echo=echo, json_serializer=_STRICT_JSON, **_POOL,
                               connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})
        event.listen(engine, "connect", _on_sqlite_connect)
        if immediate:
            # pysqlite's own transaction handling is switched off so that BEGIN IMMEDIATE is
            # the only BEGIN (the recipe of SQLAlchemy's SQLite dialect documentation).
            event.listen(engine, "connect", _disable_pysqlite_begin)
            event.listen(engine, "begin", _on_sqlite_begin)
        else:
            event.listen(engine, "connect", _refuse_sqlite_writes)
        return engine

    @staticmethod
    def _prepare_sqlite_path(parsed: URL) -> None:
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """A session whose work is committed when the block ends normally, rolled back otherwise."""
        with (self.read_sessions if readonly else self.sessions)() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (creating it on an empty database)."""
        from planwatch.store.migrate import upgrade

        upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()


def _disable_pysqlite_begin(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None
