"""Databases for every test directory: empty, migrated or holding the seeded demo, on SQLite and
(when configured) PostgreSQL, each test with its own copy.

Running the migrations costs seconds per database and seeding the demo several more, so each
test process does both once and copies the result per test: a file copy on SQLite, ``CREATE
DATABASE … TEMPLATE`` on PostgreSQL (a block copy, a fraction of a second). Dropping a
PostgreSQL database waits for a checkpoint of the whole server, so drops run in the background
and the session waits for them at its end. Names and folders are unique per process, so the
copies of parallel workers (pytest-xdist) never meet.

Also the fictional 青川区 district that the workflow, permission and security tests seed.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, make_url, select, text
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

# For tests that start many processes of their own (`planwatch serve` with several workers, fifty
# concurrent submitters) or send bursts of requests: with `--dist loadgroup` they all run on one
# pytest-xdist worker, one after the other, so two of them never share the two CI cores (their
# timeouts are for one such load, not two).
ONE_AT_A_TIME = pytest.mark.xdist_group("serve")


class _Templates:
    """The databases made once to copy from, and the drops still running.

    Under pytest-xdist the workers of a run share the templates through a folder of the run
    (``share_with_workers``): the first worker to ask makes one, under a lock, and the last
    worker to finish drops them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[tuple[str, str], str] = {}  # (dialect, kind) -> SQLite path or PostgreSQL name
        self._folder: Path | None = None
        self._shared = False
        self._admin: Engine | None = None
        self._drops: ThreadPoolExecutor | None = None
        self._pending: list[Future[None]] = []

    def admin(self) -> Engine:
        """An AUTOCOMMIT engine on the PostgreSQL server's maintenance database."""
        with self._lock:
            if self._admin is None:
                self._admin = create_engine(make_url(os.environ[POSTGRES_ENV]), isolation_level="AUTOCOMMIT",
                                            pool_size=2, max_overflow=6)
            return self._admin

    def share_with_workers(self, folder: Path) -> None:
        """Make and find the templates in ``folder``, which every worker of this run sees; count
        this worker among their users."""
        folder.mkdir(parents=True, exist_ok=True)
        self._folder, self._shared = folder, True
        with across_workers(folder / "users.lock"):
            users = folder / "users"
            users.write_text(str(int(users.read_text() if users.exists() else "0") + 1))

    def folder(self) -> Path:
        with self._lock:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="planwatch-templates-"))
            return self._folder

    def get(self, dialect: str, kind: str, fill: Callable[[Database], None]) -> str:
        """The template of ``kind`` (an SQLite path or a PostgreSQL database name), made by
        ``fill`` on a fresh empty database the first time it is asked for."""
        key = (dialect, kind)
        if key not in self._made:
            folder = self.folder()
            with across_workers(folder / f"{dialect}-{kind}.lock"):
                made = folder / f"{dialect}-{kind}.made"  # what was made, written once it is complete
                if not made.exists():
                    made.write_text(self._make(dialect, kind, fill))
                self._made[key] = made.read_text()
        return self._made[key]

    def _make(self, dialect: str, kind: str, fill: Callable[[Database], None]) -> str:
        if dialect == "sqlite":
            path = self.folder() / f"{kind}.db"
            _fill(f"sqlite:///{path}", fill)
            return str(path)
        name = f"pw_template_{kind}_{uuid.uuid4().hex[:12]}"
        create_postgres(name)
        _fill(postgres_url(name), fill)
        return name

    def drop_later(self, name: str) -> None:
        with self._lock:
            if self._drops is None:
                self._drops = ThreadPoolExecutor(max_workers=4, thread_name_prefix="drop-database")
            self._pending.append(self._drops.submit(_drop_postgres, name))

    def close(self) -> None:
        """Wait for every drop of this process's databases; the last user of the templates drops
        them too (and removes the SQLite ones)."""
        folder = self._folder
        if folder is not None:
            with across_workers(folder / "users.lock"):
                users = folder / "users"
                last = not self._shared or users.read_text() == "1"
                if self._shared:
                    users.write_text(str(int(users.read_text()) - 1))
                if last:
                    for made in folder.glob("postgresql-*.made"):
                        self.drop_later(made.read_text())
                        made.unlink()
                    for made in folder.glob("sqlite-*.made"):
                        Path(made.read_text()).unlink(missing_ok=True)
                        made.unlink()
        self._made.clear()
        for pending in self._pending:
            pending.result()
        self._pending.clear()
        if self._drops is not None:
            self._drops.shutdown()
            self._drops = None
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None
        if folder is not None and not self._shared:
            shutil.rmtree(folder, ignore_errors=True)
        self._folder, self._shared = None, False


_TEMPLATES = _Templates()


@contextmanager
def across_workers(lock: Path) -> Iterator[None]:
    """Held by one test process at a time (pytest-xdist workers, or two runs on one machine):
    for work whose result is shared through files, such as a cache filled on first use."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fill(url: str, fill: Callable[[Database], None]) -> None:
    database = Database(url)
    try:
        fill(database)
    finally:
        database.dispose()


def postgres_url(name: str) -> str:
    return make_url(os.environ[POSTGRES_ENV]).set(database=name).render_as_string(hide_password=False)


def create_postgres(name: str, template: str | None = None) -> None:
    clause = f' TEMPLATE "{template}"' if template else ""  # PostgreSQL 15+ copies it block by block
    with _TEMPLATES.admin().connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))


def _drop_postgres(name: str) -> None:
    with _TEMPLATES.admin().connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session", autouse=True)
def _database_templates(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    if hasattr(request.config, "workerinput"):  # a pytest-xdist worker: its base folder lies in the run's
        _TEMPLATES.share_with_workers(tmp_path_factory.getbasetemp().parent / "templates")
    yield
    _TEMPLATES.close()


def _copy(dialect: str, tmp: Path, template: str | None) -> Generator[str]:
    """A database of ``dialect`` for one test, a copy of ``template`` (empty when None)."""
    if dialect == "sqlite":
        path = tmp / "planwatch.db"
        if template is not None:
            tmp.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    name = f"pw_test_{uuid.uuid4().hex[:12]}"
    create_postgres(name, template)
    try:
        yield postgres_url(name)
    finally:
        _TEMPLATES.drop_later(name)


def database_url(dialect: str, tmp: Path) -> Generator[str]:
    """A fresh, empty database of ``dialect`` for one test, removed afterwards."""
    yield from _copy(dialect, tmp, None)


def _migrate(database: Database) -> None:
    database.upgrade()


def migrated_database_url(dialect: str, tmp: Path) -> Generator[str]:
    """A database of ``dialect`` with the schema as the shipped migrations make it (migrated once
    per session, copied per test), removed afterwards."""
    yield from _copy(dialect, tmp, _TEMPLATES.get(dialect, "migrated", _migrate))


def migrated_sqlite_url(path: Path) -> str:
    """An SQLite database at ``path`` with the schema of the shipped migrations (a copy of the
    session's migrated template)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_TEMPLATES.get("sqlite", "migrated", _migrate), path)
    return f"sqlite:///{path}"


def _seed(now: datetime | None) -> Callable[[Database], None]:
    def fill(database: Database) -> None:
        from planwatch.demo.seed import seed_demo

        database.upgrade()
        seed_demo(database, now)

    return fill


def demo_template() -> Path:
    """The session's seeded demo on SQLite: a file to copy, never to write."""
    return Path(_TEMPLATES.get("sqlite", "demo", _seed(None)))


def demo_database_url(dialect: str, tmp: Path, now: datetime | None = None) -> Generator[str]:
    """A database of ``dialect`` holding the seeded demo (seeded once per session and ``now``,
    copied per test, so a test may change it), removed afterwards."""
    kind = "demo" if now is None else f"demo_{now:%Y%m%d%H%M}"
    yield from _copy(dialect, tmp, _TEMPLATES.get(dialect, kind, _seed(now)))


@contextmanager
def opened(urls: Generator[str]) -> Iterator[Database]:
    """A ``Database`` on the first URL of ``urls`` (one of the generators above); disposed, and the
    database removed, when the block ends."""
    database = Database(next(urls))
    try:
        yield database
    finally:
        database.dispose()
        urls.close()


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh migrated database on each engine (a copy of the session's migrated template)."""
    with opened(migrated_database_url(request.param, tmp_path)) as db:
        yield db


@pytest.fixture(params=DIALECTS)
def demo_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The seeded demo on each engine: a copy of the session's seeded template, to change at will."""
    with opened(demo_database_url(request.param, tmp_path)) as db:
        yield db


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
    """The URL of a fresh database of ``dialect`` holding the seeded district (seeded per test:
    its reporting windows are relative to the moment the test runs)."""
    urls = migrated_database_url(dialect, tmp)
    url = next(urls)
    try:
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


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """One headless Chromium for a test module: starting one costs a second or more of both CI
    cores, so the module's browser tests open their contexts and pages in this one. Not one per
    session: Playwright's synchronous API keeps an event loop running on the thread while it is
    open, and a later test's ``asyncio.run`` (the upload tests) would refuse to start."""
    from tests.web.browser import chromium

    with chromium() as browser:
        yield browser


@pytest.fixture
def browser(chromium_browser: Any) -> Iterator[Any]:
    """The session's Chromium; the contexts and pages a test opens are closed after it, so the
    next test starts with no cookies, storage or pages of this one."""
    before = set(chromium_browser.contexts)
    yield chromium_browser
    for context in chromium_browser.contexts:
        if context not in before:
            context.close()
