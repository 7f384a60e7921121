"""A flood of wrong log-ins against data entry on SQLite: how long does a short write wait?

On SQLite a transaction that writes holds the database's one write lock from its start, so
a log-in that counted the attempt and then ran argon2 (tens of milliseconds on purpose) in
the same transaction queued every other write behind each guess. PlanWatch now counts the
attempt in one short transaction, reads the stored hash read-only and runs argon2 with no
transaction open. This bench runs both shapes with the real services: ``--flooders``
threads log in with a wrong password without pause while one writer commits a small
change every 50 ms; it prints the writer's latency (p50, p95, max) for each shape and the
ratio. The log-in throttle is set high enough not to cut the flood short.

Run: .venv/bin/python bench/bench_login_flood.py [--flooders 8] [--seconds 10]
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import OperationalError

from planwatch.services import settings, users
from planwatch.services.login_throttle import LoginThrottle
from planwatch.store import Database

PASSWORD = "load-test-pass-1"


def _inside(database: Database, throttle: LoginThrottle, ip: str) -> None:
    """The former shape: count, read and verify in one writing transaction."""
    with database.session() as session:
        throttle.attempt(session, ip, "bench")
        users.verify_password(users.login_check(session, "bench"), "wrong-password-1")


def _outside(database: Database, throttle: LoginThrottle, ip: str) -> None:
    """Today's shape (web/session.py): argon2 runs with no transaction open."""
    with database.session() as session:
        throttle.attempt(session, ip, "bench")
    with database.session(readonly=True) as session:
        check = users.login_check(session, "bench")
    users.verify_password(check, "wrong-password-1")


def _run(database: Database, login: Callable[[Database, LoginThrottle, str], None], flooders: int,
         seconds: float) -> tuple[list[float], int, int]:
    throttle = LoginThrottle(max_failures=10**9, max_per_address=10**9)
    stop = threading.Event()
    attempts = [0] * flooders

    def flood(n: int) -> None:
        while not stop.is_set():
            try:
                login(database, throttle, f"10.0.0.{n}")
            except OperationalError:  # "database is locked" after the busy timeout
                continue
            attempts[n] += 1

    threads = [threading.Thread(target=flood, args=(n,)) for n in range(flooders)]
    for thread in threads:
        thread.start()
    waits: list[float] = []
    failed = 0
    deadline = time.monotonic() + seconds
    required = True
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            with database.session() as session:
                settings.set_four_eyes(session, None, required)  # a short write, as data entry makes
        except OperationalError:
            failed += 1
        waits.append(time.perf_counter() - started)
        required = not required
        time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    return waits, sum(attempts), failed


def _figures(waits: list[float]) -> tuple[float, float, float]:
    ordered = sorted(waits)
    p95 = ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--flooders", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'flood.db'}")
        database.upgrade()
        with database.session() as session:
            users.add_user(session, None, "bench", PASSWORD, "viewer")
        results = {}
        for name, shape in (("argon2 inside the write transaction (before)", _inside),
                            ("argon2 outside any transaction (now)", _outside)):
            waits, attempts, failed = _run(database, shape, args.flooders, args.seconds)
            results[name] = _figures(waits)
            p50, p95, worst = results[name]
            print(f"{name}: {attempts} log-ins, {len(waits)} writes ({failed} failed: database is locked); "
                  f"write latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms")
        before, now = results.values()
        print(f"ratio before/now: p50 {before[0] / now[0]:.1f}x, p95 {before[1] / now[1]:.1f}x")
        database.dispose()


if __name__ == "__main__":
    main()
