"""Schemathesis over /openapi.json (issue 14 item 10, issue 24): no generated request, valid
or not, gets a 500.

Runs in-process on the demo database with an administrator's and a clerk's API token, so
requests get past authentication into validation and the services. Besides schemathesis's
own cases, each case is also sent poisoned (issue 24): a number of its JSON body turned into
NaN or Infinity, an id into 2⁶³, a string into one with NUL and control characters. Bounded
to a few examples per operation so the run stays around a minute or two on two cores.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from sqlalchemy import select

from planwatch.services import users
from planwatch.store import Database
from planwatch.store.models import User
from planwatch.web import create_app
from tests.web.conftest import seeded

__all__ = ["seeded"]  # fixtures of the web tests


POISONS = ("nan", "infinity", "huge", "control")


@pytest.fixture(scope="module")
def fuzzed_app(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    copy = tmp_path_factory.mktemp("fuzz") / "demo.db"
    copy.write_bytes(seeded.read_bytes())
    database = Database(f"sqlite:///{copy}")
    tokens = {}
    with database.session() as session:
        for role in ("admin", "clerk"):
            person = session.scalars(select(User).where(User.role == role).order_by(User.id)).first()
            assert person is not None
            tokens[role] = users.create_token(session, person, "schemathesis")
    database.dispose()
    app = create_app(f"sqlite:///{copy}", secret_key="fuzz")
    with TestClient(app):  # runs the lifespan: upload workers start and stop with it
        yield app, tokens


def _poisoned(value: Any, poison: str, rng: random.Random) -> Any:
    """``value`` with one of its leaves (numbers for NaN/∞/2⁶³, strings for controls) poisoned."""
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value))
        return {**value, key: _poisoned(value[key], poison, rng)}
    if isinstance(value, list) and value:
        index = rng.randrange(len(value))
        return [*value[:index], _poisoned(value[index], poison, rng), *value[index + 1:]]
    return {"nan": math.nan, "infinity": math.inf, "huge": 2**63, "control": "名\x00称\x0b\x01\x85"}[poison]


def _send_poisoned(case: schemathesis.Case, poison: str, rng: random.Random, headers: dict[str, str]) -> Any:
    if poison in ("nan", "infinity") and isinstance(case.body, dict | list):
        return case.call(headers={**headers, "content-type": "application/json"},
                         data=json.dumps(_poisoned(case.body, poison, rng)))  # allow_nan: as a client might
    if case.path_parameters:
        name = rng.choice(sorted(case.path_parameters))
        case.path_parameters[name] = 2**63 if poison == "huge" else "\x00\x01"
    elif isinstance(case.body, dict | list):
        case.body = _poisoned(case.body, poison, rng)
    elif case.query:
        name = rng.choice(sorted(case.query))
        case.query[name] = str(2**63) if poison == "huge" else "\x00\x01"
    return case.call(headers=headers)


@pytest.mark.parametrize("role", ["admin", "clerk"])
def test_no_generated_request_gets_a_server_error(fuzzed_app: tuple[FastAPI, dict[str, str]], role: str) -> None:
    app, tokens = fuzzed_app
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result, mode in itertools.product(schema.get_all_operations(), schemathesis.GenerationMode):
        operation = result.ok()

        @given(case=operation.as_strategy(mode), poison=st.sampled_from((None, *POISONS)), seed=st.integers(0, 99))
        @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def no_server_error(case: schemathesis.Case, poison: str | None, seed: int) -> None:
            response = case.call(headers=headers) if poison is None else \
                _send_poisoned(case, poison, random.Random(seed), headers)
            if response.status_code >= 500:
                failures.append(f"{poison or ''} {case.method} {case.formatted_path} {case.query or ''}: "
                                f"{response.status_code} {response.text[:200]}")

        try:
            no_server_error()
        except Unsatisfiable:  # nothing invalid to send (an operation without parameters)
            continue
        operations += 1
    assert operations >= 20
    assert failures == []
