"""The job table as the queue of upload imports: a ``planwatch worker`` on another host takes
the uploads a ``serve --extract-workers 0`` host queued, on SQLite and PostgreSQL; several
workers never take the same job; a job whose worker died is taken by another, and fails
after its last attempt."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from planwatch.demo.seed import DEMO_PASSWORD
from planwatch.services import import_jobs
from planwatch.store import Database
from planwatch.store.models import ImportJob, ImportJobFile, SourceFile, User
from tests.conftest import DIALECTS, demo_database_url
from tests.unit import plan_samples
from tests.web.browser import free_port, planwatch_process

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(params=DIALECTS)
def demo_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    urls = demo_database_url(request.param, tmp_path)
    try:
        yield next(urls)
    finally:
        urls.close()


def _owner(url: str) -> int:
    database = Database(url)
    try:
        with database.session(readonly=True) as session:
            return session.scalars(select(User.id).where(User.login == "tongji")).one()
    finally:
        database.dispose()


def test_a_worker_elsewhere_imports_what_a_host_without_workers_queued(demo_url: str, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with planwatch_process("serve", "--db", demo_url, "--port", str(port), "--extract-workers", "0", serving=base), \
            httpx.Client(base_url=base, timeout=30) as browser:
        form = browser.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        assert browser.post("/login", data={"login": "tongji", "password": DEMO_PASSWORD,
                                            "csrf_token": token.group(1)}).status_code == 303
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/documents").text)  # the session's new one
        assert token
        content = plan_samples.write_docx(tmp_path / "生态环境保护规划.docx").read_bytes()
        uploaded = browser.post("/documents", data={"csrf_token": token.group(1)},
                                files={"file": ("生态环境保护规划.docx", content, DOCX)})
        assert uploaded.status_code == 303
        location = uploaded.headers["location"]
        time.sleep(2)  # nobody on this host takes it
        assert 'data-stage="queued"' in browser.get(location).text
        with planwatch_process("worker", "--db", demo_url, "--jobs", "1", stdout=subprocess.PIPE) as worker:
            deadline = time.monotonic() + 120
            while 'data-stage="done"' not in (page := browser.get(location).text):
                assert time.monotonic() < deadline and 'data-stage="failed"' not in page, page[-2000:]
                time.sleep(0.3)
            assert plan_samples.TITLE in page
            database = Database(demo_url)
            try:
                with database.session(readonly=True) as session:
                    job = session.scalars(select(ImportJob)).one()
                    assert job.pid == worker.pid and job.attempts == 1
                    assert session.scalars(select(ImportJobFile)).all() == []  # the file is not kept
                    assert session.scalar(select(SourceFile.id).where(SourceFile.name == "生态环境保护规划.docx"))
            finally:
                database.dispose()
        assert worker.stdout is not None and "提取进程已启动" in worker.stdout.read().decode()


def test_several_workers_never_take_the_same_job(demo_url: str) -> None:
    database = Database(demo_url)
    owner = _owner(demo_url)
    try:
        for n in range(6):
            import_jobs.create_job(database, f"job{n:013d}", owner, f"规划{n}.txt", b"x")
        taken: list[str] = []
        start = threading.Barrier(4)

        def worker() -> None:
            start.wait()
            while (claimed := import_jobs.claim_job(database)) is not None:
                taken.append(claimed.job.id)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(taken) == [f"job{n:013d}" for n in range(6)]
        assert not import_jobs.is_queued(database)
    finally:
        database.dispose()


def _ended_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_job_whose_worker_died_is_taken_again_then_fails_after_its_last_attempt(demo_url: str) -> None:
    database = Database(demo_url)
    owner = _owner(demo_url)
    try:
        import_jobs.create_job(database, "d" * 16, owner, "规划.txt", b"content")
        for attempt in range(1, import_jobs.MAX_ATTEMPTS + 1):
            claimed = import_jobs.claim_job(database)
            assert claimed is not None and claimed.content == b"content"
            with database.session() as session:  # its worker is killed mid-way
                session.execute(update(ImportJob).values(pid=_ended_pid()))
                shown = import_jobs.find_job(session, "d" * 16, owner)
            assert import_jobs.recover_jobs(database) == 1
            with database.session(readonly=True) as session:
                row = session.get_one(ImportJob, "d" * 16)
                assert row.attempts == attempt
            if attempt < import_jobs.MAX_ATTEMPTS:
                assert shown is not None and shown.stage == "queued"  # the page already says so
                assert row.stage == "queued" and import_jobs.is_queued(database)
        assert shown is not None and shown.stage == "failed" and import_jobs.INTERRUPTED in shown.error
        with database.session(readonly=True) as session:
            assert session.get_one(ImportJob, "d" * 16).stage == "failed"
            assert session.scalars(select(ImportJobFile)).all() == []
        assert import_jobs.claim_job(database) is None
    finally:
        database.dispose()


def test_a_stale_job_of_another_host_is_queued_again(demo_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    database = Database(demo_url)
    owner = _owner(demo_url)
    try:
        import_jobs.create_job(database, "h" * 16, owner, "规划.txt", b"content")
        assert import_jobs.claim_job(database) is not None
        with database.session() as session:
            session.execute(update(ImportJob).values(host="another-host", pid=os.getpid()))
        assert import_jobs.recover_jobs(database) == 0  # its heartbeat is fresh: it runs
        with database.session() as session:
            session.execute(update(ImportJob).values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=10)))
        assert import_jobs.recover_jobs(database) == 1 and import_jobs.is_queued(database)
    finally:
        database.dispose()
