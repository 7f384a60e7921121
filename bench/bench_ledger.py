"""Ledger page and assessment at a large district's scale: 200 units × 2,000 tasks × 5 years.

Goal (issue 16): the ledger of a plan and the assessment of its units each computed in
under 1 s. A synthetic plan with 2,000 tasks (each assigned to one or two of 200 units:
150 departments, 50 towns), 200 projects, five annual periods and a progress report from
every responsible unit on every task in every year (≈15,000 reports) is built in a
temporary SQLite database; then ``plan_ledger`` and ``assess`` are timed as a leader
(everything) and as a clerk (one unit).

Run: .venv/bin/python bench/bench_ledger.py
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from planwatch.services import assessment, ledger
from planwatch.store import Database
from planwatch.store.models import (
    Assignment,
    LedgerReport,
    OrgUnit,
    Plan,
    Project,
    ProjectUnit,
    ReportingPeriod,
    SourceFile,
    Task,
    User,
)

GOAL_S = 1.0
UNITS, TASKS, PROJECTS, YEARS = 200, 2000, 200, (2021, 2022, 2023, 2024, 2025)
STATUSES = ("not_started", "in_progress", "completed", "behind", "suspended")


def build(database: Database) -> int:
    rng = random.Random(7)
    with database.sessions() as session:
        source = SourceFile(sha256="b" * 64, name="bench.txt", format="txt", size=0, text="")
        session.add(source)
        session.flush()
        plan = Plan(plan_key="基准规划", title="基准规划（2021—2025年）", start_year=2021, end_year=2025,
                    source_file_id=source.id, start_line=1, end_line=1, fingerprint="")
        units = [OrgUnit(code=f"U{n:03d}", name=f"单位{n:03d}", kind="town" if n % 4 == 0 else "department")
                 for n in range(UNITS)]
        session.add_all([plan, *units])
        session.flush()
        people = [User(login="leader", role="viewer"), User(login="clerk", role="clerk", org_unit_id=units[1].id),
                  User(login="op", role="monitoring")]
        session.add_all(people)
        session.flush()
        periods = [ReportingPeriod(plan_id=plan.id, code=str(y), year=y, opens_at=datetime(y + 1, 1, 1, tzinfo=UTC),
                                   closes_at=datetime(y + 1, 2, 1, tzinfo=UTC), created_at=datetime.now(UTC))
                   for y in YEARS]
        tasks = [Task(plan_id=plan.id, line=n + 1, title=f"重点任务{n}", number=f"{n % 9 + 1}．", section="重点任务",
                      deadline=f"{rng.choice(YEARS)}-{rng.randint(1, 12):02d}") for n in range(TASKS)]
        projects = [Project(plan_id=plan.id, line=TASKS + n, name=f"重大项目{n}", investment=rng.uniform(1e3, 1e5),
                            start_year=2021, end_year=rng.choice(YEARS)) for n in range(PROJECTS)]
        session.add_all([*periods, *tasks, *projects])
        session.flush()
        pairs = []
        for task in tasks:
            for unit in rng.sample(units, rng.choice((1, 2))):
                session.add(Assignment(task_id=task.id, org_unit_id=unit.id, role="牵头"))
                pairs.append((task.id, unit.id))
        for project in projects:
            unit = rng.choice(units)
            session.add(ProjectUnit(project_id=project.id, org_unit_id=unit.id, role="牵头"))
        session.flush()
        operator = people[2].id
        session.bulk_insert_mappings(LedgerReport, [  # type: ignore[arg-type]
            {"task_id": task_id, "period_id": period.id, "org_unit_id": unit_id, "status": rng.choice(STATUSES),
             "percent": rng.uniform(0, 100), "progress": "按计划推进", "state": "approved", "entered_by_id": operator,
             "entered_at": datetime.now(UTC), "review_note": ""}
            for period in periods for task_id, unit_id in pairs])
        session.commit()
        return plan.id


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        database.upgrade()
        started = time.perf_counter()
        plan_id = build(database)
        print(f"built {UNITS} units, {TASKS} tasks, {PROJECTS} projects, {len(YEARS)} years "
              f"in {time.perf_counter() - started:.1f} s")
        with database.session(readonly=True) as session:
            plan = session.get_one(Plan, plan_id)
            period = session.query(ReportingPeriod).filter_by(plan_id=plan_id, year=2025).one()
            for login in ("leader", "clerk"):
                user = session.query(User).filter_by(login=login).one()
                for label, run in (("ledger", lambda u=user: ledger.plan_ledger(session, u, plan, period_id=period.id)),
                                   ("assessment", lambda u=user: assessment.assess(session, u, plan, 2025))):
                    run()  # warm caches
                    best = min(_timed(run) for _ in range(3))
                    print(f"{label:10s} as {login:6s}: {best:.3f} s  ratio to goal {best / GOAL_S:.2f}")
        database.dispose()
    return 0


def _timed(run: object) -> float:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
