"""Schemathesis over /openapi.json (issue 14 item 10): no generated request, valid or not, gets a 500.

Runs in-process on the demo database with an administrator's API token, so requests get past
authentication into validation and the services; bounded to a few examples per operation so
the whole run stays around a minute.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from sqlalchemy import select

from planwatch.services import users
from planwatch.store import Database
from planwatch.store.models import User
from planwatch.web import create_app
from tests.web.conftest import seeded

__all__ = ["seeded"]  # fixtures of the web tests


@pytest.fixture(scope="module")
def fuzzed_app(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    copy = tmp_path_factory.mktemp("fuzz") / "demo.db"
    copy.write_bytes(seeded.read_bytes())
    database = Database(f"sqlite:///{copy}")
    with database.session() as session:
        admin = session.scalars(select(User).where(User.role == "admin")).one()
        token = users.create_token(session, admin, "schemathesis")
    database.dispose()
    app = create_app(f"sqlite:///{copy}", secret_key="fuzz")
    with TestClient(app):  # runs the lifespan: upload workers start and stop with it
        yield app, token


def test_no_generated_request_gets_a_server_error(fuzzed_app: tuple[FastAPI, str]) -> None:
    app, token = fuzzed_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result, mode in itertools.product(schema.get_all_operations(), schemathesis.GenerationMode):
        operation = result.ok()

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query or ''}: "
                                f"{response.status_code} {response.text[:200]}")

        try:
            no_server_error()
        except Unsatisfiable:  # nothing invalid to send (an operation without parameters)
            continue
        operations += 1
    assert operations >= 20
    assert failures == []
