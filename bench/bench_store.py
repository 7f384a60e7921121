"""Monitoring database speed: importing the shared seed plans, and bulk-entering observations.

Run: .venv/bin/python bench/bench_store.py [DATABASE_URL] [--rows N]
Without a URL each part uses a fresh SQLite file in a temporary folder; with a PostgreSQL
URL the database must be empty. Prints files/s and MB/s for the import of ../shared/seeds
(skipped when absent), and rows/s for entering N observations as drafts and for entering
them with submission (validation, outlier check, two audit events per row), and how long the
write transaction of a large plan's import lasts (``--large-plan SECTIONS``: extraction
first, outside the transaction, as the upload page does; goal: under 2 s for ~6,000
indicators, the time any data entry may wait behind it on SQLite).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from planwatch.services import observation_bulk, observations, periods, plan_import
from planwatch.store import Database
from planwatch.store.models import Indicator, OrgUnit, Plan, SourceFile, User

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
INDICATORS = 100


def bench_import(url: str) -> None:
    files = sorted(SEEDS.glob("*.txt"))
    if not files:
        print(f"seed import: skipped ({SEEDS} not found)")
        return
    database = Database(url)
    database.upgrade()
    size = sum(f.stat().st_size for f in files)
    start = time.perf_counter()
    indicators = 0
    for path in files:
        with database.session() as session:
            result = plan_import.import_file(session, path)
            indicators += sum(p.indicators for p in result.plans)
    seconds = time.perf_counter() - start
    print(f"seed import: {len(files)} files, {size / 1e6:.2f} MB, {indicators} indicators in {seconds:.2f} s "
          f"= {size / 1e6 / seconds:.2f} MB/s")
    database.dispose()


def bench_observations(url: str, rows: int) -> None:
    database = Database(url)
    database.upgrade()
    with database.session() as session:
        source = SourceFile(sha256="b" * 64, name="bench.txt", format="txt", size=0, text="")
        session.add(source)
        session.flush()
        plan = Plan(plan_key="bench", title="青川区国民经济和社会发展第十四个五年规划", start_year=2021, end_year=2025,
                    source_file_id=source.id, start_line=1, end_line=1, fingerprint="")
        session.add(plan)
        session.flush()
        indicators = [Indicator(plan_id=plan.id, key=f"k{i}", code=f"I{i:03d}", name=f"监测指标{i:03d}", unit="人",
                                kind="table", file="bench.txt", line=i) for i in range(INDICATORS)]
        units = [OrgUnit(code=f"U{i:04d}", name=f"青川区第{i:04d}填报单位", kind="department")
                 for i in range(max(1, rows // INDICATORS))]
        monitor = User(login="bench_jc", role="monitoring")
        session.add_all([*indicators, *units, monitor])
        session.flush()
        now = datetime.now(UTC)
        for year, submit in [(2024, False), (2025, True)]:
            period = periods.create_period(session, monitor, plan.id, year, opens_at=now - timedelta(days=1),
                                           closes_at=now + timedelta(days=1))
            items = [observations.ObservationInput(ind.id, unit.id, f"{(ind.id * 7 + unit.id) % 900 + 100}")
                     for unit in units for ind in indicators][:rows]
            start = time.perf_counter()
            result = observation_bulk.enter_values_bulk(session, monitor, period.id, items, submit=submit)
            session.commit()
            seconds = time.perf_counter() - start
            label = "enter+submit" if submit else "enter"
            print(f"{label:>13}: {result.created:,} observations in {seconds:.1f} s "
                  f"= {result.created / seconds:,.0f} rows/s")
    database.dispose()


def bench_large_plan(url: str, sections: int) -> None:
    from bench_hostile_input import large_plan

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "云溪区大型规划.txt"
        path.write_bytes(large_plan(sections))
        started = time.perf_counter()
        prepared = plan_import.prepare_import(path)
        extracted = time.perf_counter() - started
    database = Database(url)
    database.upgrade()
    started = time.perf_counter()
    with database.session() as session:
        result = plan_import.store_import(session, prepared)
    stored = time.perf_counter() - started
    count = sum(p.indicators for p in result.plans)
    print(f"large plan: {count:,} indicators, {len(prepared.index):,} lines; extraction {extracted:.1f} s "
          f"(no transaction), write transaction {stored:.2f} s (ratio to the 2 s goal {stored / 2:.2f})")
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("url", nargs="?", help="SQLAlchemy URL of an empty database (default: temporary SQLite)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--large-plan", type=int, metavar="SECTIONS",
                        help="only time the write transaction of a plan of this many sections (~2 indicators each)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.large_plan:
            bench_large_plan(args.url or f"sqlite:///{tmp}/large.db", args.large_plan)
            return
        bench_import(args.url or f"sqlite:///{tmp}/import.db")
        bench_observations(args.url or f"sqlite:///{tmp}/observations.db", args.rows)


if __name__ == "__main__":
    main()
