"""The monitoring database: SQLAlchemy models, engines and sessions, Alembic migrations.

Only this package and :mod:`planwatch.services` know SQL.
"""

from planwatch.store.db import Database, DatabaseError, resolve_url

__all__ = ["Database", "DatabaseError", "resolve_url"]
