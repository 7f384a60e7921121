"""A fictional 青川区 to run the monitoring services against, on SQLite and PostgreSQL.

Holds the database helpers and the seed shared by the workflow, permission and concurrency
tests, plus the tests of the monitoring schema itself.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.orm import Session

from planwatch.services import periods
from planwatch.store import Database
from planwatch.store.models.base import Base
from planwatch.store.models.org import Assignment, OrgUnit, User
from planwatch.store.models.plans import Indicator, Plan, SourceFile

POSTGRES_ENV = "PLANWATCH_TEST_POSTGRES_URL"
DIALECTS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not os.environ.get(POSTGRES_ENV),
                                                        reason=f"{POSTGRES_ENV} not set")),
]


@dataclass(frozen=True)
class District:
    """Ids of the seeded 青川区: one plan, its indicators, units, users and two periods."""

    plan_id: int
    enrolment: int  # 学前教育毛入园率 (%), assigned to 教育局
    births: int  # 住院分娩率 (%), assigned to 卫健委
    shelters: int  # 儿童之家数量 (个), assigned to 民政局 and 教育局
    growth: int  # 居民人均可支配收入增长 (%), assigned to 民政局
    education: int
    health: int
    civil: int
    users: dict[str, int]
    open_period: int  # 2025: window open now
    closed_period: int  # 2024: window closed yesterday


def _sqlite(tmp: Path) -> Generator[str]:
    yield f"sqlite:///{tmp / 'planwatch.db'}"


def _postgres() -> Generator[str]:
    server = make_url(os.environ[POSTGRES_ENV])
    name = f"pw_monitor_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_url(dialect: str, tmp: Path) -> Generator[str]:
    """A fresh, empty database of ``dialect`` for one test, removed afterwards."""
    yield from (_sqlite(tmp) if dialect == "sqlite" else _postgres())


def create_schema(url: str) -> None:
    """The schema as the shipped migrations make it (the same path as a real installation)."""
    database = Database(url)
    database.upgrade()
    database.dispose()


def seed_district(session: Session, now: datetime | None = None) -> District:
    now = now or datetime.now(UTC)
    source = SourceFile(sha256="0" * 64, name="children.txt", format="txt", size=0, text="")
    session.add(source)
    session.flush()
    plan = Plan(plan_key="青川区儿童发展规划（2021—2030年）", title="青川区儿童发展规划（2021—2030年）",
                start_year=2021, end_year=2030, source_file_id=source.id, start_line=1, end_line=1,
                fingerprint="")
    session.add(plan)
    session.flush()
    indicators = [Indicator(plan_id=plan.id, name=name, unit=unit, key=f"{name}|{unit}", code=f"I{n:03d}",
                            kind="table", file="children.txt", line=n)
                  for n, (name, unit) in enumerate([
        ("学前教育毛入园率", "%"), ("住院分娩率", "%"), ("儿童之家数量", "个"),
        ("居民人均可支配收入增长", "%")], start=1)]
    units = [OrgUnit(code=f"QC{n:02d}", name=name, kind="department")
             for n, name in enumerate(["青川区教育局", "青川区卫生健康委员会", "青川区民政局"], start=1)]
    session.add_all([*indicators, *units])
    session.flush()
    enrolment, births, shelters, growth = (i.id for i in indicators)
    education, health, civil = (u.id for u in units)
    session.add_all([Assignment(indicator_id=i, org_unit_id=u, role=r) for i, u, r in [
        (enrolment, education, "牵头"), (births, health, "牵头"), (shelters, civil, "牵头"),
        (shelters, education, "配合"), (growth, civil, "责任")]])
    people = [User(login=login, role=role, org_unit_id=unit) for login, role, unit in [
        ("admin", "admin", None), ("li_jc", "monitoring", None), ("wang_pg", "evaluation", None),
        ("zhang_jy", "clerk", education), ("chen_wj", "clerk", health), ("liu_mz", "clerk", civil),
        ("zhao_ck", "viewer", None), ("sun_jc", "monitoring", None)]]
    session.add_all(people)
    session.flush()
    users = {u.login: u.id for u in people}
    monitoring = session.get_one(User, users["li_jc"])
    open_period = periods.create_period(session, monitoring, plan.id, 2025, opens_at=now - timedelta(days=3),
                                        closes_at=now + timedelta(days=30))
    closed_period = periods.create_period(session, monitoring, plan.id, 2024, opens_at=now - timedelta(days=60),
                                          closes_at=now - timedelta(days=1))
    session.commit()
    return District(plan.id, enrolment, births, shelters, growth, education, health, civil, users,
                    open_period.id, closed_period.id)


@contextmanager
def seeded_database(dialect: str, tmp: Path) -> Iterator[tuple[str, District]]:
    """The URL of a fresh database of ``dialect`` holding the seeded district."""
    urls = database_url(dialect, tmp)
    url = next(urls)
    try:
        create_schema(url)
        database = Database(url)
        try:
            with database.sessions() as session:
                district = seed_district(session)
        finally:
            database.dispose()
        yield url, district
    finally:
        urls.close()


@contextmanager
def seeded(dialect: str, tmp: Path) -> Iterator[tuple[Session, District]]:
    """A session on a fresh seeded database of ``dialect``."""
    with seeded_database(dialect, tmp) as (url, district):
        database = Database(url)
        try:
            with database.sessions() as session:
                yield session, district
        finally:
            database.dispose()


def user(session: Session, district: District, login: str) -> User:
    return session.get_one(User, district.users[login])


def count(session: Session, model: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0
