"""A fresh, migrated database per test, on SQLite and (when configured) PostgreSQL: a copy of the
session's migrated template (tests/conftest.py), so the migrations run once per test process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from planwatch.store import Database
from tests.conftest import DIALECTS, demo_database_url, migrated_database_url


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    urls = migrated_database_url(request.param, tmp_path)
    db = Database(next(urls))
    try:
        yield db
    finally:
        db.dispose()
        urls.close()


@pytest.fixture(params=DIALECTS)
def demo_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The seeded demo on each engine: a copy of the session's seeded template, to change at will."""
    urls = demo_database_url(request.param, tmp_path)
    db = Database(next(urls))
    try:
        yield db
    finally:
        db.dispose()
        urls.close()
