"""How long does a short write wait while a large org-unit table is imported (SQLite)?

The import used to run in one transaction that held SQLite's one write lock throughout —
a 20 000-row table kept every clerk's save waiting 4.7 s, and 100 000 rows took over two
minutes (its duplicate check was quadratic). It is now checked whole in memory, then
written ``BATCH`` rows per transaction. This bench imports a generated table of ``--rows``
units (a district, towns, villages under them) from an .xlsx file through the same
service as the web page and ``planwatch orgunits import``, while one writer commits a small
change every 20 ms; it prints the import's time and the writer's waits (p50, p95, max)
against the goal of < 1 s.

Run: .venv/bin/python bench/bench_orgunit_import.py [--rows 20000] [--rows 100000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from openpyxl import Workbook

from planwatch.services import orgunits, settings, users
from planwatch.services.orgunit_import import BATCH, import_in_batches
from planwatch.store import Database
from planwatch.store.models import User

GOAL_S = 1.0


def _table(path: Path, rows: int) -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("单位")
    sheet.append(["代码", "名称", "类型", "上级代码"])
    sheet.append(["QC", "青川区", "区", ""])
    for n in range(rows - 1):
        parent = "QC" if n < 200 else f"T{n % 200:06d}"
        sheet.append([f"T{n:06d}", f"青川区单位{n:06d}", "镇" if n < 200 else "其他", parent])
    book.save(path)
    return path


def run(rows: int) -> tuple[float, list[float]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-orgunits-"))
    database = Database(f"sqlite:///{folder / 'bench.db'}")
    database.upgrade()
    with database.session() as session:
        admin = users.add_user(session, None, "admin", "bench-pass-1", "admin")
        admin_id = admin.id
    table = orgunits.read_org_unit_file(_table(folder / "units.xlsx", rows))
    waits: list[float] = []
    done = threading.Event()

    def writer() -> None:
        flag = False
        while not done.is_set():
            started = time.perf_counter()
            with database.session() as session:
                settings.set_four_eyes(session, session.get_one(User, admin_id), flag, "bench")
            waits.append(time.perf_counter() - started)
            flag = not flag
            time.sleep(0.02)

    thread = threading.Thread(target=writer)
    thread.start()
    started = time.perf_counter()
    created, _ = import_in_batches(database, admin_id, table)
    took = time.perf_counter() - started
    done.set()
    thread.join()
    database.dispose()
    assert created == rows
    return took, waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="units in the table (repeatable)")
    counts = parser.parse_args().rows or [20_000]
    print(f"batch of {BATCH} rows per transaction; goal: a concurrent write waits < {GOAL_S:.0f} s")
    for rows in counts:
        took, waits = run(rows)
        ordered = sorted(waits)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(f"{rows:>7,} units: import {took:6.2f} s ({rows / took:,.0f} rows/s); {len(waits)} writes during it: "
              f"p50 {statistics.median(waits) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
              f"max {max(waits) * 1000:.0f} ms = {max(waits) / GOAL_S:.2f} × goal")


if __name__ == "__main__":
    main()
