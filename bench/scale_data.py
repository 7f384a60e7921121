"""A district at provincial scale for the web benchmarks: one plan of N indicators, its
units and people, years of approved data and the current year being reported.

Shared by bench_web.py, bench_pages.py and bench_reporting_week.py. Rows go in with bulk
inserts (the database's triggers still keep the evaluation data versions); every person
gets the same password, hashed once (argon2 takes a tenth of a second on purpose).

The plan: ``indicators`` indicators with a baseline and a target each, assigned (牵头) to
``units`` departments round robin; approved yearly figures for every year but the last;
the last year open for reporting, ``submitted`` of its figures submitted and waiting for
review. ``extra_units`` more units (towns and their villages' offices) fill the org-unit
tree under the departments, for the pages that list units.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import func, insert, select, text

from planwatch.store import Database
from planwatch.store.models import (
    Assignment,
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

__all__ = ["PASSWORD", "District", "build"]

PASSWORD = "load-test-pass-1"
READERS = {"bench_admin": "admin", "bench_jc": "monitoring", "bench_sh": "monitoring", "bench_pg": "evaluation",
           "bench_ld": "viewer"}


@dataclass(frozen=True)
class District:
    plan_id: int
    years: range
    indicators: int
    unit_ids: list[int]
    clerks: list[str]  # login of each unit's clerk, in the order of unit_ids
    open_period_id: int
    to_report: dict[int, list[int]]  # unit id → its indicators with no figure of the open year yet
    readers: dict[str, str] = field(default_factory=lambda: dict(READERS))  # login → role

    @property
    def open_year(self) -> int:
        return self.years[-1]


def build(url: str, *, indicators: int = 10_000, units: int = 100, years: range = range(2016, 2026),
          submitted: float = 0.3, extra_units: int = 0, seed: int = 7) -> District:
    database = Database(url)
    database.upgrade()
    now = datetime.now(UTC)
    rng = random.Random(seed)
    password_hash = PasswordHasher().hash(PASSWORD)  # the parameters the app uses
    with database.session() as session:
        source = SourceFile(sha256="c" * 64, name="bench.txt", format="txt", size=0, text="")
        session.add(source)
        session.flush()
        plan = Plan(plan_key="bench", title="云溪区国民经济和社会发展第十四个五年规划（基准测试）", start_year=years[0],
                    end_year=years[-1], source_file_id=source.id, start_line=1, end_line=1, fingerprint="")
        district = OrgUnit(code="YX", name="云溪区", kind="district")
        session.add_all([plan, district])
        session.flush()
        departments = [OrgUnit(code=f"U{i:03d}", name=f"云溪区第{i:03d}责任单位", kind="department",
                               parent_id=district.id) for i in range(units)]
        session.add_all(departments)
        session.flush()
        unit_ids = [u.id for u in departments]
        if extra_units:
            session.execute(insert(OrgUnit), [
                {"code": f"T{n:06d}", "name": f"云溪区第{n % units:03d}片区基层单位{n:06d}", "kind": "other",
                 "parent_id": unit_ids[n % units], "short_name": "", "active": True} for n in range(extra_units)])
        people = [User(login=login, name=login, role=role, password_hash=password_hash) for login, role in
                  READERS.items()]
        clerks = [User(login=f"clerk{i:03d}", name=f"填报员{i:03d}", role="clerk", org_unit_id=unit_ids[i],
                       password_hash=password_hash) for i in range(units)]
        session.add_all([*people, *clerks])
        session.flush()
        first = 1 + (session.scalar(select(func.max(Indicator.id))) or 0)
        session.execute(insert(Indicator), [
            {"id": first + i, "plan_id": plan.id, "key": f"k{i}", "code": f"I{i + 1:05d}", "name": f"监测指标{i + 1:05d}",
             "extracted_name": f"监测指标{i + 1:05d}", "unit": "%", "domain": f"领域{i % 12}",
             "attribute": "约束性" if i % 4 == 0 else "预期性", "baseline_year": years[0] - 1, "baseline_text": "50",
             "baseline": 50.0, "kind": "table", "file": "bench.txt", "line": 1, "source_text": "",
             "responsible_text": ""} for i in range(indicators)])
        session.execute(insert(Target), [
            {"indicator_id": first + i, "year": years[-1], "text": "≥80", "value": 80.0, "comparator": ">=",
             "annual_average": False, "cumulative": False} for i in range(indicators)])
        session.execute(insert(Assignment), [
            {"indicator_id": first + i, "org_unit_id": unit_ids[i % units], "role": "牵头", "origin": "manual",
             "note": ""} for i in range(indicators)])
        periods = {}
        for year in years:
            period = ReportingPeriod(plan_id=plan.id, year=year, code=str(year), opens_at=now - timedelta(days=7),
                                     closes_at=now + timedelta(days=30), locked=year < years[-1], created_at=now)
            session.add(period)
            session.flush()
            periods[year] = period.id
        observation_id = 1 + (session.scalar(select(func.max(Observation.id))) or 0)
        to_report: dict[int, list[int]] = {u: [] for u in unit_ids}
        for year in years:
            rows, revisions = [], []
            for i in range(indicators):
                if year == years[-1] and rng.random() >= submitted:
                    to_report[unit_ids[i % units]].append(first + i)
                    continue
                value = round(50 + (year - years[0] + 1) * rng.uniform(0.5, 4.0), 2)
                rows.append({"id": observation_id, "indicator_id": first + i, "org_unit_id": unit_ids[i % units],
                             "period_id": periods[year], "sex": "", "area": "", "age_group": "",
                             "state": "approved" if year < years[-1] else "submitted", "current_revision": 1,
                             "flags": [], "version": 1, "updated_at": now})
                revisions.append({"observation_id": observation_id, "revision": 1, "value_text": str(value),
                                  "value": value, "unit": "%", "source": "", "note": "",
                                  "entered_by_id": clerks[i % units].id, "entered_at": now})
                observation_id += 1
            session.execute(insert(Observation), rows)
            session.execute(insert(ObservationRevision), revisions)
        if database.dialect == "postgresql":  # rows given their ids: the sequences go on after them
            for table in ("indicators", "observations"):
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))"))
        built = District(plan.id, years, indicators, unit_ids, [c.login for c in clerks], periods[years[-1]],
                         to_report)
    if database.dialect == "postgresql":
        # A live database has its statistics (autovacuum gathers them after a load like this
        # within minutes); a benchmark that starts at once would measure plans made blind.
        with database.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    database.dispose()
    return built

