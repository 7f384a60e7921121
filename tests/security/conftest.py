"""An app over a fresh database of each kind with a few users, for the standing security suite."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from planwatch.services import users
from planwatch.store import Database
from planwatch.web import create_app
from tests.conftest import DIALECTS, migrated_database_url, opened

PASSWORD = "right-pass-1"


@dataclass
class Site:
    """A running app (test client) and its database."""

    database: Database
    client: TestClient

    def new_client(self) -> TestClient:
        """Another browser on the same app (its own cookies)."""
        return TestClient(self.client.app)


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with opened(migrated_database_url(request.param, tmp_path)) as db:
        with db.session() as session:
            users.add_user(session, None, "wjw", PASSWORD, "viewer", name="卫健委")
            users.add_user(session, None, "guanli", PASSWORD, "admin", name="管理员")
            users.add_user(session, None, "jiance", PASSWORD, "monitoring", name="监测组")
        yield db


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    with TestClient(create_app(database.url, secret_key="security-suite")) as client:
        yield Site(database, client)
