"""What the web layer holds of the database: the session it passes to every service and
whose transaction it owns (services flush, the caller commits or rolls back), and the
errors a caller tells apart (the database busy or away, any database failure).

``planwatch.web`` takes these from here, never from SQLAlchemy: its import-linter contract
forbids importing SQLAlchemy at all, so the query constructs (``select``, ``func``…) stay
in the services, where the acting user's permission and region are checked.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

__all__ = ["OperationalError", "SQLAlchemyError", "Session"]
