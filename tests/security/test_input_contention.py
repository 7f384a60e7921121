"""100 concurrent writes to one cell (issue 14 item 5): every request is answered 201 or the
documented 409 (已被他人修改), never a 500, on SQLite and on PostgreSQL.

A real server (``planwatch serve`` in a subprocess) on the demo data; 100 clients post the
same slot at once over 100 connections; afterwards the stored revisions match the 201s.
"""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from planwatch.services import users
from planwatch.store import Database
from planwatch.store.models import (
    Assignment,
    Indicator,
    Observation,
    ObservationRevision,
    ReportingPeriod,
    User,
)
from tests.conftest import DIALECTS, ONE_AT_A_TIME, demo_database_url
from tests.web.browser import free_port, planwatch_process
from tests.web.conftest import seeded

pytestmark = ONE_AT_A_TIME

__all__ = ["seeded"]  # fixtures of the web tests

BURST = 100


@pytest.fixture(params=DIALECTS)
def demo_url(request: pytest.FixtureRequest, seeded: Path, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        copy = tmp_path / "demo.db"
        shutil.copy(seeded, copy)
        yield f"sqlite:///{copy}"
        return
    urls = demo_database_url("postgresql", tmp_path)
    yield next(urls)
    urls.close()


@pytest.fixture
def server(demo_url: str) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with planwatch_process("serve", "--db", demo_url, "--port", str(port), serving=base):
        yield base


async def _burst(base: str, token: str, body: dict[str, object]) -> list[int]:
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=BURST)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        async def one(n: int) -> int:
            response = await client.post("/api/v1/observations", json={**body, "value": f"{60 + n / 100:.2f}"})
            return response.status_code

        return list(await asyncio.gather(*(one(n) for n in range(BURST))))


def test_a_burst_of_100_writes_to_one_cell_gets_201_or_409(demo_url: str, server: str) -> None:
    database = Database(demo_url)
    with database.session() as session:
        monitor = session.scalars(select(User).where(User.login == "tongji")).one()
        token = users.create_token(session, monitor, "burst")
        period = session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.year.desc())).first()
        assert period is not None
        indicator_id, unit_id = session.execute(
            select(Indicator.id, Assignment.org_unit_id).join(Assignment, Assignment.indicator_id == Indicator.id)
            .where(Indicator.plan_id == period.plan_id).order_by(Indicator.id)).first()  # type: ignore[misc]
        period_id = period.id
    statuses = Counter(asyncio.run(_burst(server, token, {"period_id": period_id, "indicator_id": indicator_id,
                                                          "org_unit_id": unit_id})))
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] >= 1
    with database.session(readonly=True) as session:
        observation = session.scalars(select(Observation).where(
            Observation.period_id == period_id, Observation.indicator_id == indicator_id,
            Observation.org_unit_id == unit_id, Observation.sex == "", Observation.area == "",
            Observation.age_group == "")).one()
        revisions = session.scalar(select(func.count()).select_from(ObservationRevision)
                                   .where(ObservationRevision.observation_id == observation.id))
    database.dispose()
    before = 1 if statuses[201] < revisions else 0  # the demo may have had a value in this slot
    assert revisions == statuses[201] + before
