"""The review queue, the inbox count, 催报 and the lock confirmation with thousands of figures.

Goal (issue 22): a page of the review queue in under 0.2 s however many figures wait, so a
district whose 100 units submit 20,000 figures in a round reviews them as fast as ten. A
synthetic plan with 200 indicators (targets and baselines), 100 units each reporting every
indicator, last year's round approved and this year's submitted (40,000 figures with their
revisions and audit events) is built in a temporary SQLite database; then the first and the
last page of the queue, a unit's and the flagged figures, the progress-report queue, the
menu's to-do count, the 催报 list and the lock confirmation are timed as the reviewer.

Run: .venv/bin/python bench/bench_review_queue.py
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from planwatch.services import inbox, reminders
from planwatch.services.reporting_status import lock_preview
from planwatch.services.review_queue import QueueFilter, report_queue, value_queue
from planwatch.store import Database
from planwatch.store.models import (
    Assignment,
    AuditEvent,
    Indicator,
    Observation,
    ObservationRevision,
    OrgUnit,
    Plan,
    ReportingPeriod,
    SourceFile,
    Target,
    User,
)

GOAL_S = 0.2
INDICATORS, UNITS = 200, 100


def build(database: Database) -> tuple[int, int]:
    """The plan and this year's period id."""
    rng = random.Random(22)
    now = datetime.now(UTC)
    with database.sessions() as session:
        source = SourceFile(sha256="c" * 64, name="bench.txt", format="txt", size=0, text="")
        session.add(source)
        session.flush()
        plan = Plan(plan_key="基准规划", title="基准规划（2026—2030年）", start_year=2026, end_year=2030,
                    source_file_id=source.id, start_line=1, end_line=1, fingerprint="")
        units = [OrgUnit(code=f"U{n:03d}", name=f"单位{n:03d}", kind="department") for n in range(UNITS)]
        session.add_all([plan, *units])
        session.flush()
        indicators = [Indicator(plan_id=plan.id, key=f"k{n}", code=f"I{n:03d}", name=f"指标{n:03d}",
                                unit="%" if n % 5 == 0 else "个", kind="table", file="bench.txt", line=n + 1,
                                baseline_year=2025, baseline=50.0, baseline_text="50") for n in range(INDICATORS)]
        session.add_all(indicators)
        session.flush()
        session.add_all([Target(indicator_id=i.id, year=2030, text="≥90", value=90.0, comparator=">=")
                         for i in indicators])
        session.add_all([Assignment(indicator_id=i.id, org_unit_id=u.id, role="牵头") for i in indicators for u in units])
        clerks = [User(login=f"clerk{n}", name=f"填报员{n}", role="clerk", org_unit_id=u.id) for n, u in enumerate(units)]
        reviewer = User(login="reviewer", name="审核员", role="monitoring")
        session.add_all([*clerks, reviewer])
        last = ReportingPeriod(plan_id=plan.id, code="2026", year=2026, opens_at=now - timedelta(days=400),
                               closes_at=now - timedelta(days=340), locked=True, created_at=now)
        this = ReportingPeriod(plan_id=plan.id, code="2027", year=2027, opens_at=now - timedelta(days=5),
                               closes_at=now + timedelta(days=20), created_at=now)
        session.add_all([last, this])
        session.flush()
        for period, state in ((last, "approved"), (this, "submitted")):
            rows = [{"indicator_id": i.id, "org_unit_id": u.id, "period_id": period.id, "sex": "", "area": "",
                     "age_group": "", "state": state, "current_revision": 1,
                     "flags": ["jump"] if state == "submitted" and rng.random() < 0.02 else [], "version": 1,
                     "updated_at": now} for i in indicators for u in units]
            ids = list(session.scalars(insert(Observation).returning(Observation.id), rows))
            clerk_of = {u.id: c.id for u, c in zip(units, clerks, strict=True)}
            session.execute(insert(ObservationRevision), [
                {"observation_id": obs_id, "revision": 1, "value_text": f"{v:.1f}", "value": v, "unit": "",
                 "source": "", "note": "", "entered_by_id": clerk_of[row["org_unit_id"]], "entered_at": now}
                for obs_id, row in zip(ids, rows, strict=True) if (v := rng.uniform(40, 95))])
            session.execute(insert(AuditEvent), [
                {"at": now, "actor_id": clerk_of[row["org_unit_id"]], "actor_login": "clerk", "action": "submit",
                 "entity": "observations", "entity_id": str(obs_id), "old": None, "new": None, "reason": None}
                for obs_id, row in zip(ids, rows, strict=True)])
        session.commit()
        return plan.id, this.id


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        database.upgrade()
        started = time.perf_counter()
        plan_id, period_id = build(database)
        print(f"built {INDICATORS} indicators × {UNITS} units, two rounds ({2 * INDICATORS * UNITS:,} figures) "
              f"in {time.perf_counter() - started:.1f} s")
        with database.session(readonly=True) as session:
            reviewer = session.scalars(select(User).where(User.login == "reviewer")).one()
            unit = session.scalars(select(OrgUnit.id).where(OrgUnit.code == "U042")).one()
            waiting = QueueFilter(plan_id, period_id)
            last_page = -(-INDICATORS * UNITS // 50)
            runs: list[tuple[str, Callable[[], object]]] = [
                ("queue, first page", lambda: value_queue(session, reviewer, waiting)),
                (f"queue, page {last_page}", lambda: value_queue(session, reviewer, waiting, page=last_page)),
                ("queue, one unit", lambda: value_queue(session, reviewer, QueueFilter(plan_id, period_id, unit))),
                ("queue, flagged", lambda: value_queue(session, reviewer, QueueFilter(plan_id, period_id,
                                                                                      flagged=True))),
                ("progress reports", lambda: report_queue(session, reviewer, waiting)),
                ("menu to-do count", lambda: inbox.inbox_count(session, reviewer)),
                ("催报 list", lambda: reminders.chase_list(session, reviewer, period_id)),
                ("lock confirmation", lambda: lock_preview(session, reviewer, period_id)),
            ]
            for label, run in runs:
                run()  # warm caches
                best = min(_timed(run) for _ in range(3))
                print(f"{label:20s} {best:.3f} s  ratio to goal {best / GOAL_S:.2f}")
        database.dispose()
    return 0


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
