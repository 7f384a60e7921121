"""Report speed and memory: the annual monitoring report of plans of 200 to 10,000 indicators.

Goals: the Word report of 200 indicators end to end in < 5 s; the annual report of 10,000
indicators (Word, Excel annex and HTML) in < 15 s and < 300 MB; time linear in the number
of indicators (the printed time per 1,000 indicators stays flat).

Run: .venv/bin/python bench/bench_report.py [--sizes 200,1000,2000,4000,10000]

For each size a temporary SQLite database gets one plan of N indicators in 10 domains and
20 reporting units with a clerk each: three years of approved history (2021–2023, loaded
as back data) and the report year 2024 entered and submitted by the clerks and approved by
the monitoring group (the four-eyes rule holds, as in a district).
The report is then made in a fresh process, so that its peak memory (max RSS) is the
report's own: gathering the content, then the Word report (with charts), the Excel annex
and the HTML report, each timed in wall and CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from planwatch.report import ReportKind
from planwatch.services import observation_bulk, observations, periods, review, users
from planwatch.services.reports import report_content, write_report
from planwatch.store import Database
from planwatch.store.models import (
    Assignment,
    Indicator,
    Observation,
    ObservationRevision,
    OrgUnit,
    Plan,
    SourceFile,
    Target,
    User,
)

DOMAINS = ("经济发展", "创新驱动", "民生福祉", "绿色生态", "安全保障", "城乡融合", "开放合作", "文化建设",
           "社会治理", "数字政府")
UNITS = 20
PASSWORD = "bench-report-pass-1"
GOALS = {200: (5.0, None), 10_000: (15.0, 300.0)}  # indicators: (seconds, MB)


def build(database: Database, count: int) -> None:
    """The plan, its units with one clerk each, the back data of 2021–2023 as approved history
    (as a district starting with PlanWatch loads it) and 2024 entered and submitted by the
    clerks and approved by the monitoring group."""
    with database.session() as session:
        source = SourceFile(sha256="r" * 64, name="bench_plan.txt", format="txt", size=0, text="")
        session.add(source)
        session.flush()
        plan = Plan(plan_key="bench", title="青川区国民经济和社会发展第十四个五年规划纲要", start_year=2021, end_year=2025,
                    source_file_id=source.id, start_line=1, end_line=1, fingerprint="")
        units = [OrgUnit(code=f"U{i:02d}", name=f"青川区第{i:02d}责任单位", kind="department") for i in range(UNITS)]
        session.add_all([plan, *units])
        session.flush()
        monitor = users.add_user(session, None, "bench_jc", PASSWORD, "monitoring", name="监测组")
        clerks = [User(login=f"clerk{i:02d}", name=f"填报员{i:02d}", role="clerk", org_unit_id=u.id)
                  for i, u in enumerate(units)]  # no password: they act through the services, not a log-in
        session.add_all(clerks)
        indicators = []
        for i in range(count):
            baseline = 30.0 + i % 37
            lower = i % 5 == 4
            target = baseline * (0.8 if lower else 1.25)
            indicator = Indicator(plan_id=plan.id, key=f"k{i}", code=f"I{i + 1:05d}", name=f"监测指标{i + 1:05d}",
                                  unit="%", domain=DOMAINS[i % len(DOMAINS)],
                                  attribute="约束性" if i % 4 == 0 else "预期性", baseline_year=2020,
                                  baseline=baseline, baseline_text=f"{baseline:g}", kind="table",
                                  file="bench_plan.txt", line=i + 10, source_text=f"监测指标{i + 1:05d}")
            indicator.targets = [Target(year=2025, text=f"{target:.1f}", value=round(target, 1),
                                        comparator="<=" if lower else ">=")]
            indicators.append(indicator)
        session.add_all(indicators)
        session.flush()
        session.add_all(Assignment(indicator_id=ind.id, org_unit_id=units[n % UNITS].id, role="牵头",
                                   origin="manual") for n, ind in enumerate(indicators))
        session.flush()
        now = datetime.now(UTC)

        def value(n: int, indicator: Indicator, year: int) -> float:
            return round(indicator.baseline + (indicator.targets[0].value - indicator.baseline)  # type: ignore[operator]
                         * (0.3 + n % 10 / 8) * (year - 2020) / 5, 2)

        for year in range(2021, 2025):
            period = periods.create_period(session, monitor, plan.id, year, opens_at=now - timedelta(1),
                                           closes_at=now + timedelta(1))
            if year < 2024:
                _history(session, period.id, [(ind.id, units[n % UNITS].id, value(n, ind, year))
                                              for n, ind in enumerate(indicators)], monitor.id, now)
                continue
            submitted: list[int] = []
            for u, clerk in enumerate(clerks):
                items = [observations.ObservationInput(ind.id, units[u].id, f"{value(n, ind, year):.2f}")
                         for n, ind in enumerate(indicators) if n % UNITS == u and n % 17]
                submitted += observation_bulk.enter_values_bulk(session, clerk, period.id, items,
                                                            submit=True).observation_ids
            review.approve_many(session, monitor, submitted)


def _history(session: Session, period_id: int, values: list[tuple[int, int, float]], entered_by: int,
             now: datetime) -> None:
    first = (session.scalar(select(func.max(Observation.id))) or 0) + 1
    session.execute(insert(Observation), [
        {"id": first + n, "indicator_id": i, "org_unit_id": u, "period_id": period_id, "sex": "", "area": "",
         "age_group": "", "state": "approved", "current_revision": 1, "flags": [], "version": 1, "updated_at": now}
        for n, (i, u, _) in enumerate(values)])
    session.execute(insert(ObservationRevision), [
        {"observation_id": first + n, "revision": 1, "value_text": f"{v:.2f}", "value": v, "unit": "%", "source": "",
         "note": "历史数据", "entered_by_id": entered_by, "entered_at": now} for n, (_, _, v) in enumerate(values)])


def report(url: str, folder: str, queue: Any) -> None:
    """In a fresh process: the annual report of 2024 in every format, each timed."""
    database = Database(url)
    timings: dict[str, tuple[float, float]] = {}

    def timed(name: str, work: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        timings[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return result

    with database.session(readonly=True) as session:
        monitor = session.query(User).filter(User.login == "bench_jc").one()
        plan = session.query(Plan).one()
        content = timed("gather", lambda: report_content(session, monitor, plan, 2024, ReportKind.ANNUAL))
    for suffix in (".docx", ".xlsx", ".html"):
        timed(suffix, lambda suffix=suffix: write_report(content, Path(folder, f"annual{suffix}")))
    database.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({"timings": timings, "peak_mb": peak_mb, "entries": len(content.entries),
               "warnings": len(content.warnings())})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="200,1000,2000,4000,10000",
                        help="numbers of indicators, comma-separated")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    context = multiprocessing.get_context("spawn")
    print(f"{'indicators':>10} {'gather':>7} {'Word':>7} {'Excel':>7} {'HTML':>7} {'all':>7} {'CPU':>7} "
          f"{'s/1k':>6} {'peak MB':>8}  goal")
    lines = []
    for count in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/report.db"
            database = Database(url)
            database.upgrade()
            started = time.perf_counter()
            build(database, count)
            database.dispose()
            built = time.perf_counter() - started
            queue = context.Queue()
            child = context.Process(target=report, args=(url, tmp, queue))
            child.start()
            result = queue.get()
            child.join()
        t = result["timings"]
        wall = sum(w for w, _ in t.values())
        cpu = sum(c for _, c in t.values())
        seconds, megabytes = GOALS.get(count, (None, None))
        verdict = []
        if seconds is not None:
            measured = wall if megabytes is not None else t["gather"][0] + t[".docx"][0]
            verdict.append(f"{measured:.1f}/{seconds:.0f} s = {measured / seconds:.2f}")
        if megabytes is not None:
            verdict.append(f"{result['peak_mb']:.0f}/{megabytes:.0f} MB = {result['peak_mb'] / megabytes:.2f}")
        line = {"indicators": count, "build_s": round(built, 1), "peak_mb": round(result["peak_mb"]),
                **{k.lstrip("."): [round(w, 2), round(c, 2)] for k, (w, c) in t.items()}}
        lines.append(line)
        print(f"{count:>10} {t['gather'][0]:>7.2f} {t['.docx'][0]:>7.2f} {t['.xlsx'][0]:>7.2f} {t['.html'][0]:>7.2f} "
              f"{wall:>7.2f} {cpu:>7.2f} {wall / count * 1000:>6.2f} {result['peak_mb']:>8.0f}  {'; '.join(verdict)}",
              flush=True)
    print("wall seconds per phase; CPU = the report process's CPU seconds (the machine may be shared); "
          "s/1k = seconds per 1,000 indicators")
    print(json.dumps(lines, ensure_ascii=False))


if __name__ == "__main__":
    main()
