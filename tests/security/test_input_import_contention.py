"""A large or hostile upload does not hold up data entry (issue 14 item 4).

The upload's extraction runs in a worker process under a CPU-time limit with no database
transaction open, so a clerk's write during the import of a large plan is not queued behind
SQLite's write lock; a page of deeply nested ``<div>`` is refused by the HTML reader at once.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from planwatch.errors import InputError
from planwatch.ingest.html_reader import MAX_NESTING, read_html
from planwatch.services import observations
from planwatch.store import Database
from planwatch.store.models import Assignment, Indicator, ReportingPeriod, User
from planwatch.web.uploads import UploadJobs, save_upload
from tests.unit import plan_samples
from tests.web.conftest import database_url, seeded

__all__ = ["database_url", "seeded"]  # fixtures of the web tests


@pytest.fixture
def demo(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def _job_stage(database: Database, job_id: str, owner: User) -> str:
    with database.session(readonly=True) as session:
        job = UploadJobs.get(session, job_id, owner)
    assert job is not None
    return job.stage


def test_a_data_entry_during_a_large_import_is_not_queued_behind_it(demo: Database) -> None:
    with demo.session(readonly=True) as session:
        admin = session.scalars(select(User).where(User.login == "admin")).one()
        clerk = session.scalars(select(User).where(User.login == "tongji")).one()
        period = session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.year.desc())).first()
        assert period is not None
        indicator_id, unit_id = session.execute(
            select(Indicator.id, Assignment.org_unit_id).join(Assignment, Assignment.indicator_id == Indicator.id)
            .where(Indicator.plan_id == period.plan_id)).first()  # type: ignore[misc]
    jobs = UploadJobs(workers=1)
    try:
        job = jobs.start(demo, admin, "云溪区大型规划.txt", io.BytesIO(plan_samples.large_plan(3000)))
        deadline = time.monotonic() + 60
        while _job_stage(demo, job.id, admin) != "extract":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        started = time.perf_counter()
        with demo.session() as session:
            observations.enter_value(session, session.get_one(User, clerk.id), period.id,
                                     observations.ObservationInput(indicator_id, unit_id, "61.5"))
        took = time.perf_counter() - started
        stage_after_write = _job_stage(demo, job.id, admin)
        while _job_stage(demo, job.id, admin) not in ("done", "failed"):
            assert time.monotonic() < deadline + 120
            time.sleep(0.1)
        with demo.session(readonly=True) as session:
            finished = UploadJobs.get(session, job.id, admin)
    finally:
        jobs.shutdown()
    assert stage_after_write == "extract", "the write should not wait for the extraction"
    assert took < 1.0, f"the write took {took:.2f} s during the import"
    assert finished is not None and finished.stage == "done", finished.error if finished else None


def test_an_extraction_over_its_cpu_time_is_stopped_and_the_worker_recovers(demo: Database,
                                                                            tmp_path: Path) -> None:
    with demo.session(readonly=True) as session:
        admin_id = session.scalars(select(User.id).where(User.login == "admin")).one()
    jobs = UploadJobs(workers=1, cpu_seconds=1)
    try:
        with pytest.raises(InputError, match="CPU 时间上限"):
            jobs.import_now(demo, admin_id, save_upload("大型规划.txt", io.BytesIO(plan_samples.large_plan(3000))))
        small = plan_samples.write_txt(tmp_path / "生态环境保护规划.txt").read_bytes()
        result = jobs.import_now(demo, admin_id, save_upload("生态环境保护规划.txt", io.BytesIO(small)))
    finally:
        jobs.shutdown()
    assert result.plans and result.plans[0].indicators >= len(plan_samples.EXPECTED_NAMES)


def test_deeply_nested_html_is_refused_with_the_depth_limit() -> None:
    nested = 200_000
    page = ("<html><body>" + "<div>" * nested + "正文" + "</div>" * nested + "</body></html>").encode()
    assert len(page) > 2_000_000
    with pytest.raises(InputError, match=f"嵌套超过 {MAX_NESTING} 层"):
        read_html(Path("nested.html"), page)
    shallow = ("<html><body>" + "<div>" * 40 + "<p>到2025年，森林覆盖率达到55%。</p>" + "</div>" * 40
               + "</body></html>").encode()
    assert [b.text for b in read_html(Path("ok.html"), shallow).blocks] == ["到2025年，森林覆盖率达到55%。"]
