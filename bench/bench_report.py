"""Report speed: the annual monitoring report of a plan with 200 indicators (goal: < 5 s).

Run: .venv/bin/python bench/bench_report.py [--indicators N]
Builds a temporary SQLite database with one plan of N indicators in 10 domains, 20 reporting
units and four approved years of data, then times gathering the content and writing the
Word report (with its charts), the Excel annex and the HTML report.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from planwatch.report import ReportKind
from planwatch.services import observations, periods, review
from planwatch.services.reports import report_content, write_report
from planwatch.store import Database
from planwatch.store.models import Assignment, Indicator, OrgUnit, Plan, SourceFile, Target, User

DOMAINS = ("经济发展", "创新驱动", "民生福祉", "绿色生态", "安全保障", "城乡融合", "开放合作", "文化建设",
           "社会治理", "数字政府")


def build(database: Database, count: int) -> None:
    with database.session() as session:
        source = SourceFile(sha256="r" * 64, name="bench_plan.txt", format="txt", size=0, text="")
        session.add(source)
        session.flush()
        plan = Plan(plan_key="bench", title="青川区国民经济和社会发展第十四个五年规划纲要", start_year=2021, end_year=2025,
                    source_file_id=source.id, start_line=1, end_line=1, fingerprint="")
        units = [OrgUnit(code=f"U{i:02d}", name=f"青川区第{i:02d}责任单位", kind="department") for i in range(20)]
        monitor = User(login="bench_jc", role="monitoring")
        session.add_all([plan, *units, monitor])
        session.flush()
        indicators = []
        for i in range(count):
            baseline = 30.0 + i % 37
            lower = i % 5 == 4
            target = baseline * (0.8 if lower else 1.25)
            indicator = Indicator(plan_id=plan.id, key=f"k{i}", code=f"I{i + 1:03d}", name=f"监测指标{i + 1:03d}",
                                  unit="%", domain=DOMAINS[i % len(DOMAINS)],
                                  attribute="约束性" if i % 4 == 0 else "预期性", baseline_year=2020,
                                  baseline=baseline, baseline_text=f"{baseline:g}", kind="table",
                                  file="bench_plan.txt", line=i + 10, source_text=f"监测指标{i + 1:03d}")
            indicator.targets = [Target(year=2025, text=f"{target:.1f}", value=round(target, 1),
                                        comparator="<=" if lower else ">=")]
            indicators.append(indicator)
        session.add_all(indicators)
        session.flush()
        session.add_all(Assignment(indicator_id=ind.id, org_unit_id=units[n % len(units)].id, role="牵头",
                                   origin="manual") for n, ind in enumerate(indicators))
        session.flush()
        for year in range(2021, 2025):
            period = periods.create_period(session, monitor, plan.id, year, opens_at=datetime.now(UTC) - timedelta(1),
                                           closes_at=datetime.now(UTC) + timedelta(1))
            pace = [0.3 + (n % 10) / 8 for n in range(count)]
            items = [observations.ObservationInput(
                ind.id, units[n % len(units)].id,
                f"{ind.baseline + (ind.targets[0].value - ind.baseline) * pace[n] * (year - 2020) / 5:.2f}")
                for n, ind in enumerate(indicators) if not (year == 2024 and n % 17 == 0)]
            result = observations.enter_values_bulk(session, monitor, period.id, items, submit=True)
            review.approve_many(session, monitor, result.observation_ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--indicators", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite:///{tmp}/report.db")
        database.upgrade()
        build(database, args.indicators)
        timings = {}
        start = time.perf_counter()
        with database.session(readonly=True) as session:
            plan = session.query(Plan).one()
            content = report_content(session, None, plan, 2024, ReportKind.ANNUAL)
        timings["gather"] = time.perf_counter() - start
        for suffix in (".docx", ".xlsx", ".html"):
            started = time.perf_counter()
            write_report(content, Path(tmp, f"annual{suffix}"))
            timings[suffix] = time.perf_counter() - started
        word = timings["gather"] + timings[".docx"]
        print(f"annual report, {len(content.entries)} indicators, {len(content.warnings())} warnings: "
              f"gather {timings['gather']:.2f} s, Word {timings['.docx']:.2f} s, "
              f"Excel {timings['.xlsx']:.2f} s, HTML {timings['.html']:.2f} s")
        print(f"Word report end to end {word:.2f} s = {word / 5:.2f} of the 5 s goal")
        database.dispose()


if __name__ == "__main__":
    main()
