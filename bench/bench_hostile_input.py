"""Hostile and heavy input (issue 14): how long the server is occupied, and how long a clerk waits.

Run: .venv/bin/python bench/bench_hostile_input.py [--sections N]
Prints: the time to refuse a 2.2 MB page of nested <div> (the old reader ran for minutes);
the time of data-entry writes made while a large plan (N sections, 2 MB at 3000) is imported
through the upload pool on SQLite, against the import's own duration; and a report download
written once, then served again for the same plan state.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from planwatch.demo.seed import seed_demo
from planwatch.errors import InputError
from planwatch.ingest.html_reader import read_html
from planwatch.report import ReportKind
from planwatch.services import observations, reports
from planwatch.services.evaluation import default_year
from planwatch.services.import_jobs import JobState
from planwatch.services.plans import find_plan
from planwatch.store import Database
from planwatch.store.models import Assignment, Indicator, ReportingPeriod, User
from planwatch.web.uploads import UploadJobs


def nested_page() -> None:
    depth = 200_000
    page = ("<html><body>" + "<div>" * depth + "正文" + "</div>" * depth + "</body></html>").encode()
    started = time.perf_counter()
    try:
        read_html(Path("nested.html"), page)
    except InputError as refused:
        print(f"nested <div> page, {len(page) / 1e6:.1f} MB: refused in {time.perf_counter() - started:.3f} s "
              f"({refused.problem})")


def large_plan(sections: int) -> bytes:
    lines = ["云溪区生态环境保护规划（2021—2025年）", "一、发展目标"]
    for k in range(sections):
        lines += [f"（{k}）第{k}片区建设",
                  f"到2025年，第{k}片区公共服务设施覆盖率达到{50 + k % 40}%，绿地率达到{30 + k % 9}%以上。",
                  "坚持稳中求进工作总基调，统筹发展和安全，推动生态环境质量持续改善，加快建设美丽云溪。" * 4]
    return "\n".join(lines).encode()


def writes_during_import(database: Database, sections: int) -> None:
    with database.session(readonly=True) as session:
        admin = session.scalars(select(User).where(User.login == "admin")).one()
        monitor_id = session.scalars(select(User.id).where(User.login == "tongji")).one()
        period = session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.year.desc())).first()
        assert period is not None
        period_id = period.id
        indicator_id, unit_id = session.execute(
            select(Indicator.id, Assignment.org_unit_id).join(Assignment, Assignment.indicator_id == Indicator.id)
            .where(Indicator.plan_id == period.plan_id)).first()  # type: ignore[misc]
    jobs = UploadJobs(workers=1)
    data = large_plan(sections)
    started = time.perf_counter()
    job = jobs.start(database, admin, "bench_plan.txt", io.BytesIO(data))
    waits = []
    while (state := _job(database, job.id, admin)) is not None and not state.finished:
        began = time.perf_counter()
        with database.session() as session:
            observations.enter_value(session, session.get_one(User, monitor_id), period_id,
                                     observations.ObservationInput(indicator_id, unit_id, f"{60 + len(waits) % 9}"))
        waits.append(time.perf_counter() - began)
        time.sleep(0.2)
    took = time.perf_counter() - started
    jobs.shutdown()
    print(f"import of a {len(data) / 1e6:.1f} MB plan: {took:.1f} s; {len(waits)} writes meanwhile: "
          f"median {statistics.median(waits) * 1000:.0f} ms, max {max(waits) * 1000:.0f} ms "
          f"(ratio max write / import {max(waits) / took:.3f})")


def report_downloads(database: Database) -> None:
    with database.session(readonly=True) as session:
        plan = find_plan(session, None)
        year = default_year(session, plan)
        times = []
        for _ in range(2):
            started = time.perf_counter()
            reports.report_file(session, None, plan, year, ReportKind.ANNUAL, ".docx")
            times.append(time.perf_counter() - started)
    print(f"annual report .docx: first {times[0]:.2f} s, same state again {times[1] * 1000:.1f} ms "
          f"(ratio {times[0] / max(times[1], 1e-6):.0f}x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sections", type=int, default=3000)
    args = parser.parse_args()
    nested_page()
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        database.upgrade()
        seed_demo(database)
        report_downloads(database)
        writes_during_import(database, args.sections)
        database.dispose()


if __name__ == "__main__":
    main()


def _job(database: Database, job_id: str, owner: User) -> JobState | None:
    with database.session(readonly=True) as session:
        return UploadJobs.get(session, job_id, owner)
