"""Reporting week: dashboards and indicator pages read while clerks write and a reviewer approves.

Goals (10,000 indicators, 20 readers, 10 clerks): dashboard and indicator page p95 < 150 ms
on SQLite and on PostgreSQL, write p95 < 300 ms, no errors, no lost writes; two app hosts
serve more than one.

Run: .venv/bin/python bench/bench_reporting_week.py [--quick] [--dialect sqlite|postgresql|both]
         [--hosts 1,2] [--seconds 60] [--readers 20] [--clerks 10] [--workers 1]

The district of bench/scale_data.py: one plan of 10,000 indicators (2,000 with --quick), 100
units with a clerk each, nine years approved and the tenth being reported (30 % of its
figures submitted, the rest still to come), built once per dialect and copied for each run
(a run must not see another's writes). For each dialect and number of hosts the bench
starts that many ``planwatch serve`` processes (each ``--workers`` processes; extraction
off) on one database and spreads the people over them:

* readers (leaders, the evaluation and monitoring groups) alternate a dashboard — half the
  default year (the last locked one), half the year being reported, which every submission
  and approval changes — and a random indicator page, 0.5 s apart (±50 %);
* clerks each save a figure of their unit as a draft about every 5 s (±50 %), and submit
  every third one;
* a reviewer opens the review queue every 10 s and approves its first page (50 values).

Every acknowledged write is checked in the database at the end (``lost`` counts those not
there as acknowledged), and the year-being-reported dashboard each host shows last is
compared with an evaluation of the data from scratch (``stale``). Server CPU is read from
/proc. The machine may be shared: the CPU per request is the figure that does not depend on
what else runs. The last line is what scripts read:
``dashboard_p95_ms=… indicator_p95_ms=… write_p95_ms=… errors=… lost=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import and_, create_engine, select, text

from planwatch.services import evaluation, kept
from planwatch.store import Database
from planwatch.store.models import Observation, ObservationRevision, Plan
from scale_data import PASSWORD, District, build

GOALS = {"dashboard": 150.0, "indicator": 150.0, "write": 300.0}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pids: list[int], *, children: bool = True) -> dict[int, float]:
    """User + system CPU so far of each of the processes (and their children): Linux /proc."""
    found: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        if pid in pids or (children and int(fields[1]) in pids):
            found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def backends(url: str) -> list[int]:
    """The PostgreSQL server processes serving this database (a server on this machine)."""
    if not url.startswith("postgresql"):
        return []
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")))
    finally:
        engine.dispose()


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two readings (a process started in between counts whole)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


@contextmanager
def scratch_server(dialect: str, folder: Path, postgres: str | None) -> Iterator[Callable[[str], str]]:
    """Where the run's databases go: a function from a name to a new database's URL (files in
    ``folder`` on SQLite, databases on the PostgreSQL server, dropped at the end)."""
    if dialect == "sqlite":
        yield lambda name: f"sqlite:///{folder / name}.db"
        return
    if not postgres:
        raise SystemExit("postgresql needs --postgres (or PLANWATCH_TEST_POSTGRES_URL)")
    prefix = f"pw_week_{uuid.uuid4().hex[:10]}"
    made: list[str] = []
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")

    def url(name: str) -> str:
        made.append(f"{prefix}_{name}")
        return postgres.rsplit("/", 1)[0] + f"/{made[-1]}"

    try:
        yield url
    finally:
        with admin.connect() as connection:
            for name in reversed(made):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def copy_database(dialect: str, source: str, target: str, postgres: str | None) -> None:
    """A fresh copy of the district built once: each run writes its own (building 10,000
    indicators again for every run took most of a quick run's time)."""
    if dialect == "sqlite":
        shutil.copyfile(source.removeprefix("sqlite:///"), target.removeprefix("sqlite:///"))
        return
    assert postgres
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{target.rsplit("/", 1)[1]}" '
                                    f'TEMPLATE "{source.rsplit("/", 1)[1]}"'))
    finally:
        admin.dispose()


def create_database(dialect: str, url: str, postgres: str | None) -> None:
    if dialect == "postgresql":
        assert postgres
        admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"'))
        finally:
            admin.dispose()


@contextmanager
def hosts(url: str, count: int, workers: int, keep_logs: Path | None = None) -> Iterator[tuple[list[str], list[int]]]:
    """``count`` serve processes on ``url``; their logs (each request's route and time) are
    copied to ``keep_logs`` when they stop."""
    command = str(Path(sys.executable).with_name("planwatch"))
    servers, bases, logs = [], [], []
    folder = Path(tempfile.mkdtemp(prefix="planwatch-hosts-"))
    try:
        for _ in range(count):
            port = free_port()
            # The request log goes to a file, as a service manager's journal takes it: a pipe
            # nobody reads fills after a few hundred requests and the server stops in its logging.
            logs.append(folder / f"host{len(logs) + 1}.log")
            with logs[-1].open("wb") as log:  # the server keeps writing to it
                servers.append(subprocess.Popen(
                    [command, "serve", "--db", url, "--port", str(port), "--workers", str(workers),
                     "--extract-workers", "0"], stdout=subprocess.DEVNULL, stderr=log))
            bases.append(f"http://127.0.0.1:{port}")
        for base, server, log_path in zip(bases, servers, logs, strict=True):
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/login", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("planwatch serve did not start: " + log_path.read_text(errors="replace"))
                time.sleep(0.3)
        yield bases, [s.pid for s in servers]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if keep_logs is not None:
            keep_logs.mkdir(parents=True, exist_ok=True)
            for log_path in logs:
                shutil.copyfile(log_path, keep_logs / f"{Path(url).stem}-{count}hosts-{log_path.name}")
        shutil.rmtree(folder, ignore_errors=True)


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Session:
    """One person's log-in: the cookie any host accepts (the session key is the database's)."""

    cookies: httpx.Cookies
    token: str  # the session's CSRF token

    def client(self, base: str) -> httpx.AsyncClient:
        # A connection idle for uvicorn's keep-alive (5 s) is closed by the server: a clerk's
        # save 5 s after the last one could be sent into that closing connection and fail as
        # a browser's would not (it opens a new one); the client lets idle connections go first.
        return httpx.AsyncClient(base_url=base, timeout=60, cookies=self.cookies,
                                 limits=httpx.Limits(keepalive_expiry=3))


async def logged_in(base: str, login: str) -> Session:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        token = _TOKEN.search((await client.get("/login")).text)
        assert token
        answer = await client.post("/login", data={"login": login, "password": PASSWORD,
                                                   "csrf_token": token.group(1)})
        assert answer.status_code == 303, f"{login}: {answer.status_code}"
        fresh = _TOKEN.search((await client.get("/dashboard")).text)  # a new session has a new token
        assert fresh
        return Session(client.cookies, fresh.group(1))


async def log_in_all(base: str, logins: list[str]) -> dict[str, Session]:
    """All at once (fewer than the thirty log-ins an address may make in the throttle's window)."""
    unique = list(dict.fromkeys(logins))
    return dict(zip(unique, await asyncio.gather(*(logged_in(base, login) for login in unique)), strict=True))


async def pause(seconds: float, stop: float) -> None:
    """Think time, cut short at the end of the run: nobody waits past it for nothing."""
    await asyncio.sleep(max(0.0, min(seconds, stop - time.monotonic())))


@dataclass
class Run:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    acknowledged: dict[tuple[int, int], tuple[str, bool]] = field(default_factory=dict)  # → (value, submitted)
    approved: int = 0


async def timed(run: Run, kind: str, request: object) -> httpx.Response | None:
    began = time.perf_counter()
    try:
        response = await request  # type: ignore[misc]
    except httpx.HTTPError as exc:
        run.errors.append(f"{kind}: {type(exc).__name__}")
        return None
    run.timings[kind].append((time.perf_counter() - began) * 1000)
    return response


async def reader(run: Run, base: str, person: Session, district: District, seed: int, stop: float) -> None:
    rng = random.Random(seed)
    client = person.client(base)
    page = seed % 2
    try:
        while time.monotonic() < stop:
            if page == 0:
                year = f"&year={district.open_year}" if rng.random() < 0.5 else ""
                path, kind = f"/dashboard?plan={district.plan_id}{year}", "dashboard"
            else:
                path, kind = f"/indicators/{rng.randint(1, district.indicators)}", "indicator"
            response = await timed(run, kind, client.get(path))
            if response is not None and response.status_code != 200:
                run.errors.append(f"{path}: {response.status_code}")
            page = 1 - page
            await pause(0.5 * rng.uniform(0.5, 1.5), stop)
    finally:
        await client.aclose()


async def clerk(run: Run, base: str, person: Session, unit_id: int, indicators: list[int], district: District,
                seed: int, stop: float) -> None:
    rng = random.Random(seed)
    client, token, login = person.client(base), person.token, f"clerk of unit {unit_id}"
    open_ids = list(indicators)
    saves = 0
    try:
        await pause(rng.uniform(0, 5), stop)
        while time.monotonic() < stop and open_ids:
            indicator = rng.choice(open_ids)
            saves += 1
            submit = saves % 3 == 0
            value = f"{rng.uniform(40, 95):.2f}"
            response = await timed(run, "write", client.post("/entry", headers={"X-Requested-With": "fetch"}, data={
                "csrf_token": token, "indicator_id": indicator, "period_id": district.open_period_id,
                "org_unit_id": unit_id, "value": value, "step": "submit" if submit else "enter"}))
            if response is not None and response.status_code == 200:
                run.acknowledged[(indicator, unit_id)] = (value, submit)
                if submit:
                    open_ids.remove(indicator)
            elif response is not None:
                run.errors.append(f"entry {login}: {response.status_code} {response.text[:120]}")
            await pause(5 * rng.uniform(0.5, 1.5), stop)
    finally:
        await client.aclose()


async def reviewer(run: Run, base: str, person: Session, stop: float) -> None:
    client, token = person.client(base), person.token
    try:
        await pause(3, stop)
        while time.monotonic() < stop:
            queue = await timed(run, "review", client.get("/review"))
            ids = re.findall(r'name="observation_id" value="(\d+)"', queue.text) if queue is not None else []
            if ids:
                response = await timed(run, "approve", client.post("/review", headers={"X-Requested-With": "fetch"},
                                                                   data={"csrf_token": token, "observation_id": ids,
                                                                         "decision": "approve"}))
                if response is not None and response.status_code == 200:
                    run.approved += len(ids)
                elif response is not None:
                    run.errors.append(f"approve: {response.status_code} {response.text[:120]}")
            await pause(10, stop)
    finally:
        await client.aclose()


def lost_writes(url: str, run: Run, district: District) -> int:
    """Acknowledged writes the database does not hold as acknowledged."""
    database = Database(url)
    lost = 0
    try:
        with database.session(readonly=True) as session:
            stored = {(r.indicator_id, r.org_unit_id): (r.value_text, r.state) for r in session.execute(
                select(Observation.indicator_id, Observation.org_unit_id, ObservationRevision.value_text,
                       Observation.state)
                .join(ObservationRevision, and_(ObservationRevision.observation_id == Observation.id,
                                                ObservationRevision.revision == Observation.current_revision))
                .where(Observation.period_id == district.open_period_id))}
    finally:
        database.dispose()
    for slot, (value, submitted) in run.acknowledged.items():
        found = stored.get(slot)
        states = {"submitted", "approved"} if submitted else {"draft"}
        if found is None or found[0] != value or found[1] not in states:
            lost += 1
    return lost


def stale_dashboards(url: str, bases: list[str], district: District, person: Session) -> int:
    """Hosts whose dashboard of the year being reported differs from an evaluation of the
    stored data from scratch (this process keeps no evaluation)."""
    database = Database(url)
    try:
        with database.session(readonly=True) as session:
            kept.forget_all()
            fresh = evaluation.evaluate_stored_plan(session, None, session.get_one(Plan, district.plan_id),
                                                    district.open_year)
            expected = len(fresh.warnings)
    finally:
        database.dispose()

    async def shown(base: str) -> int | None:
        async with person.client(base) as client:
            page = (await client.get(f"/dashboard?plan={district.plan_id}&year={district.open_year}")).text
        found = re.search(r'id="warning-count">(\d+)<', page)
        return int(found.group(1)) if found else None

    return sum(1 for base in bases if asyncio.run(shown(base)) != expected)


READER_LOGINS = ("bench_ld", "bench_pg", "bench_jc", "bench_ld")  # leaders, evaluation, monitoring


async def week(bases: list[str], people: dict[str, Session], district: District, readers: int, clerks: int,
               seconds: float) -> Run:
    run = Run()
    stop = time.monotonic() + seconds
    tasks = [reader(run, bases[n % len(bases)], people[READER_LOGINS[n % len(READER_LOGINS)]], district, n, stop)
             for n in range(readers)]
    for n in range(clerks):
        unit = district.unit_ids[n]
        tasks.append(clerk(run, bases[n % len(bases)], people[district.clerks[n]], unit, district.to_report[unit],
                           district, 1000 + n, stop))
    tasks.append(reviewer(run, bases[-1], people["bench_sh"], stop))
    await asyncio.gather(*tasks)
    return run


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else float("nan")


def warm(bases: list[str], district: District, person: Session) -> float:
    """The first dashboard of both years on each host (the snapshot is made by the first; a
    second host reads it): returns the slowest, in ms."""
    slowest = 0.0

    async def first(base: str) -> float:
        async with person.client(base) as client:
            began = time.perf_counter()
            for year in ("", f"&year={district.open_year}"):
                (await client.get(f"/dashboard?plan={district.plan_id}{year}")).raise_for_status()
            return (time.perf_counter() - began) * 1000

    for base in bases:
        slowest = max(slowest, asyncio.run(first(base)))
    return slowest


def measure(dialect: str, url: str, district: District, count: int, args: argparse.Namespace) -> dict[str, float]:
    with hosts(url, count, args.workers, args.logs) as (bases, pids):
        people = asyncio.run(log_in_all(bases[0], [*READER_LOGINS, *district.clerks[:args.clerks], "bench_sh"]))
        first = warm(bases, district, people["bench_ld"])
        database_pids = backends(url)  # the pools' connections, open since the warm-up
        before, database_before = cpu_seconds(pids), cpu_seconds(database_pids, children=False)
        began = time.perf_counter()
        run = asyncio.run(week(bases, people, district, args.readers, args.clerks, args.seconds))
        took = time.perf_counter() - began
        cpu = spent(before, cpu_seconds(pids))
        database_pids = backends(url)  # the pools opened more connections as the load came
        database_cpu = spent(database_before, cpu_seconds(database_pids, children=False))
        stale = stale_dashboards(url, bases, district, people["bench_ld"])
    lost = lost_writes(url, run, district)
    requests = sum(len(v) for v in run.timings.values())
    figures = {k: p95(run.timings[k]) for k in ("dashboard", "indicator", "write", "review", "approve")}
    print(f"{dialect}, {count} host(s) × {args.workers} worker(s): first dashboards {first:.0f} ms; "
          f"{requests} requests in {took:.0f} s ({requests / took:.1f}/s), server CPU {cpu / took:.0%} of a core, "
          f"{cpu * 1000 / max(requests, 1):.1f} ms CPU a request" + (
              f" + {database_cpu * 1000 / max(requests, 1):.1f} ms in PostgreSQL ({len(database_pids)} backends)"
              if database_pids else "") + f"; {run.approved} values approved")
    for kind in ("dashboard", "indicator", "write", "review", "approve"):
        values = run.timings[kind]
        if values:
            goal = GOALS.get(kind)
            print(f"  {kind:9s} n={len(values):5d} p50 {statistics.median(values):7.1f} ms  p95 {figures[kind]:7.1f} ms"
                  f"  max {max(values):7.1f} ms" + (f"  p95/goal {figures[kind] / goal:.2f}" if goal else ""))
    print(f"  errors {len(run.errors)} {run.errors[:3]}; lost writes {lost} of {len(run.acknowledged)}; "
          f"stale dashboards {stale} of {count}", flush=True)
    return {**figures, "errors": len(run.errors), "lost": lost, "stale": stale, "rate": requests / took,
            "cpu_ms": cpu * 1000 / max(requests, 1), "database_cpu_ms": database_cpu * 1000 / max(requests, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="2,000 indicators, 12 s a run: under two minutes")
    parser.add_argument("--dialect", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres", default=os.environ.get("PLANWATCH_TEST_POSTGRES_URL"),
                        help="PostgreSQL server for a scratch database (default: PLANWATCH_TEST_POSTGRES_URL)")
    parser.add_argument("--hosts", default="1,2", help="numbers of serve hosts to compare, e.g. 1,2")
    parser.add_argument("--workers", type=int, default=1, help="planwatch serve --workers of each host")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--logs", type=Path, help="keep the servers' request logs in this folder")
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--clerks", type=int, default=10)
    parser.add_argument("--indicators", type=int, default=10_000)
    args = parser.parse_args()
    if args.quick:
        args.indicators, args.seconds = 2_000, min(args.seconds, 12.0)
    dialects = ["sqlite", "postgresql"] if args.dialect == "both" else [args.dialect]
    if "postgresql" in dialects and not args.postgres:
        print("postgresql: skipped (no --postgres and no PLANWATCH_TEST_POSTGRES_URL)")
        dialects.remove("postgresql")
    counts = [int(n) for n in args.hosts.split(",")]
    results = []
    for dialect in dialects:
        with tempfile.TemporaryDirectory() as folder, scratch_server(dialect, Path(folder), args.postgres) as new:
            built = new("built")
            create_database(dialect, built, args.postgres)
            started = time.perf_counter()
            district = build(built, indicators=args.indicators)
            print(f"{dialect}: {args.indicators:,} indicators, {args.indicators * len(district.years):,} "
                  f"figures built in {time.perf_counter() - started:.0f} s", flush=True)
            for count in counts:  # a fresh copy per run: the runs must not see each other's writes
                url = new(f"hosts{count}")
                copy_database(dialect, built, url, args.postgres)
                results.append(measure(dialect, url, district, count, args))
        if len(counts) > 1:
            one, two = results[-len(counts)], results[-1]
            print(f"{dialect}: {counts[-1]} hosts against {counts[0]}: dashboard p95 {one['dashboard'] / two['dashboard']:.2f}×, "
                  f"indicator p95 {one['indicator'] / two['indicator']:.2f}×, write p95 {one['write'] / two['write']:.2f}× "
                  f"(> 1: more hosts serve faster)")
    worst = {k: max(r[k] for r in results) for k in ("dashboard", "indicator", "write")}
    print(f"dashboard_p95_ms={worst['dashboard']:.0f} indicator_p95_ms={worst['indicator']:.0f} "
          f"write_p95_ms={worst['write']:.0f} errors={sum(int(r['errors']) for r in results)} "
          f"lost={sum(int(r['lost']) for r in results)}")


if __name__ == "__main__":
    main()
