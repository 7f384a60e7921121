"""The demo database, seeded once per session and copied per test, and a client on it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from planwatch.web import create_app
from tests.conftest import demo_template


@pytest.fixture(scope="session")
def seeded() -> Path:
    """The session's seeded demo on SQLite (tests/conftest.py); never written, only copied."""
    return demo_template()


@pytest.fixture
def database_url(seeded: Path, tmp_path: Path) -> str:
    """A private copy of the seeded demo per test, so tests may change data."""
    copy = tmp_path / "demo.db"
    shutil.copy(seeded, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def app_client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(database_url, secret_key="pages-test")) as client:
        yield client
