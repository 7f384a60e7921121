"""A fresh, migrated database per test, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from planwatch.store import Database
from tests.db.test_workflow_support import DIALECTS, database_url


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    urls = database_url(request.param, tmp_path)
    db = Database(next(urls))
    db.upgrade()
    try:
        yield db
    finally:
        db.dispose()
        urls.close()
