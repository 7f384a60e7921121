"""The upload job table as a queue: what it costs idle, how soon a job is taken, how many
claims a second it carries — on SQLite and PostgreSQL. The measurement behind keeping the
queue in the job table (no queue server; LISTEN/NOTIFY would only shorten the pick-up
delay, which extraction's seconds dwarf).

Run: .venv/bin/python bench/bench_job_queue.py [--postgres postgresql://app@127.0.0.1:55433/postgres]

* idle: workers in their own processes poll for ``--seconds``; their CPU per worker-hour and
  the database's queries per second.
* pick-up: a job is queued every 0.3 s while one worker process waits for work; the delay
  from queueing to claim (p50/p95/max), against the poll interval.
* claims: ``--workers`` threads claim 2,000 queued jobs (no extraction): claims per second.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, func, select, text, update

from planwatch.services import import_jobs, users
from planwatch.store import Database
from planwatch.store.models import ImportJob
from planwatch.web.uploads import POLL_SECONDS


def fresh(kind: str, server: str | None, folder: str) -> tuple[str, Any]:
    if kind == "sqlite":
        return f"sqlite:///{folder}/queue.db", lambda: None
    assert server
    name = f"pw_queue_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.rsplit("/", 1)[0] + f"/{name}", drop


def idle_worker(url: str, seconds: float, queue: Any) -> None:
    """What an idle worker does: look for a queued job every POLL_SECONDS."""
    database = Database(url)
    import_jobs.is_queued(database)  # connected, statements compiled: what follows is the steady state
    before = resource.getrusage(resource.RUSAGE_SELF)
    polls = 0
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        import_jobs.is_queued(database)
        polls += 1
        time.sleep(POLL_SECONDS)
    after = resource.getrusage(resource.RUSAGE_SELF)
    queue.put((polls, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime))


def waiting_worker(url: str, count: int, queue: Any) -> None:
    """Claim ``count`` jobs as a serve process's idle worker does (poll, then claim)."""
    database = Database(url)
    delays = []
    while len(delays) < count:
        claimed = import_jobs.claim_job(database) if import_jobs.is_queued(database) else None
        if claimed is None:
            time.sleep(POLL_SECONDS)
            continue
        with database.session(readonly=True) as session:
            queued_at = session.scalar(select(ImportJob.started_at).where(ImportJob.id == claimed.job.id))
        assert queued_at is not None
        moment = queued_at if queued_at.tzinfo else queued_at.replace(tzinfo=UTC)
        delays.append((datetime.now(UTC) - moment).total_seconds())
    queue.put(delays)


def measure(kind: str, url: str, workers: int, seconds: float) -> None:
    database = Database(url)
    database.upgrade()
    with database.session() as session:
        owner = users.add_user(session, None, "queue", "jobs-bench-pass-1", "admin").id
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    idle = [context.Process(target=idle_worker, args=(url, seconds, results)) for _ in range(workers)]
    for process in idle:
        process.start()
    measured = [results.get() for _ in idle]
    for process in idle:
        process.join()
    polls = sum(p for p, _ in measured)
    cpu = sum(c for _, c in measured) / workers
    print(f"{kind}: idle, {workers} worker processes for {seconds:.0f} s: {polls / seconds:.1f} polls/s in all, "
          f"{cpu / seconds * 3600:.1f} CPU s per worker-hour, {cpu / max(polls / workers, 1) * 1000:.2f} ms CPU a poll")

    picker = context.Process(target=waiting_worker, args=(url, 20, results))
    picker.start()
    time.sleep(3)
    for n in range(20):
        import_jobs.create_job(database, f"p{n:015d}", owner, f"规划{n}.txt", b"x")
        time.sleep(0.3)
    delays = sorted(results.get())
    picker.join()
    print(f"{kind}: pick-up delay with a {POLL_SECONDS:.1f} s poll: p50 {statistics.median(delays) * 1000:.0f} ms, "
          f"p95 {delays[int(0.95 * (len(delays) - 1))] * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms")

    with database.session() as session:
        session.execute(update(ImportJob).values(stage="done"))
    for n in range(2000):
        import_jobs.create_job(database, f"c{n:015d}", owner, "规划.txt", b"x")
    taken: list[int] = []

    def claimer() -> None:
        mine = 0
        while import_jobs.claim_job(database) is not None:
            mine += 1
        taken.append(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=claimer) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    with database.session(readonly=True) as session:
        claimed = session.scalar(select(func.count()).select_from(ImportJob).where(ImportJob.stage == "read"))
    print(f"{kind}: {workers} threads claimed {sum(taken)} jobs ({claimed} distinct) in {took:.2f} s: "
          f"{sum(taken) / took:.0f} claims/s")
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--postgres", default=os.environ.get("PLANWATCH_TEST_POSTGRES_URL"),
                        help="a PostgreSQL server to make a scratch database on (default: PLANWATCH_TEST_POSTGRES_URL)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    for kind in ("sqlite", "postgresql"):
        if kind == "postgresql" and not args.postgres:
            print("postgresql: skipped (no --postgres)")
            continue
        with tempfile.TemporaryDirectory() as folder:
            url, drop = fresh(kind, args.postgres, folder)
            try:
                measure(kind, url, args.workers, args.seconds)
            finally:
                drop()


if __name__ == "__main__":
    main()
