"""Lists the office browses a page at a time, newest first, and days as the filters give them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

__all__ = ["Paged", "clamped_page", "midnight", "paged", "within"]

Row = TypeVar("Row")


@dataclass(frozen=True, slots=True)
class Paged(Generic[Row]):
    rows: list[Row]
    total: int
    page: int  # clamped to 1 … pages
    pages: int


def clamped_page(page: int, total: int, size: int) -> int:
    """``page`` of a list of ``total`` rows, ``size`` a page: a page past the end is the last one."""
    return min(max(1, page), max(1, -(-total // size)))


def paged(session: Session, query: Select[Any], order: tuple[Any, ...], page: int, size: int) -> Paged[Any]:
    """One page of ``query``'s entities in ``order``; a page past the end shows the last one."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = clamped_page(page, total, size)
    rows = list(session.scalars(query.order_by(*order).offset((page - 1) * size).limit(size)))
    return Paged(rows, total, page, max(1, -(-total // size)))


def midnight(day: date) -> datetime:
    """The start of ``day`` as stored times are kept (UTC), for a date filter."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def within(query: Select[Any], column: Any, since: date | None, until: date | None) -> Select[Any]:
    """``query`` limited to ``column`` on the days from ``since`` to ``until`` (both included)."""
    if since is not None:
        query = query.where(column >= midnight(since))
    if until is not None:
        query = query.where(column < midnight(until + timedelta(days=1)))
    return query
