"""The moment the store records for what is done now: the wall clock, unless a caller says
the work being entered was done at another time.

Records of the past — the demo's five years of reporting, which it enters in seconds — must
carry the dates on which that work would have happened, because rules read those dates
(reporting timeliness compares each first submission with the period's deadline). Rather
than each service taking a date argument, the services and the audit trail ask this clock,
and :func:`recorded_at` sets it for the block that enters such records.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

__all__ = ["recorded_at", "utcnow"]

_MOMENT: ContextVar[datetime | None] = ContextVar("planwatch_recorded_at", default=None)


def utcnow() -> datetime:
    """Timestamps are stored in UTC; pages convert them to Beijing time for display."""
    return _MOMENT.get() or datetime.now(UTC)


@contextmanager
def recorded_at(moment: datetime) -> Iterator[None]:
    """Within the block, everything the services record is dated ``moment`` (timezone-aware)."""
    if moment.tzinfo is None:
        raise ValueError("recorded_at needs a timezone-aware moment")
    token = _MOMENT.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _MOMENT.reset(token)
