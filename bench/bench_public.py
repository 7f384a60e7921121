"""The public site under load: cached pages on one core. Goal: at least 200 requests/s.

The demo plan is published (2021–2024, every indicator with figures, tasks and projects)
into a temporary SQLite database, and ``planwatch serve --workers 1`` serves it pinned to
one CPU core (``taskset``), behind a pretend reverse proxy as a district would run it
(``--proxy-headers``): visitors come from many addresses (``X-Forwarded-For``), so the limit
per address (20 pages/s) holds them to human rates while the server as a whole is measured.
Concurrent visitors (coroutines of one event loop in this process) ask for the home page,
the plan's overview, its progress page, indicator pages in both languages and the CSV and
JSON downloads, every page once first (rendered: the cold figures), then at random for the
measured seconds (answered from memory: the cached figures).

Printed: requests/s over the wall clock, and requests per second of the server's own CPU
time — what one core sustains whatever else the machine is doing (the load generator runs
on the other core of a shared machine); the goal ratio is taken on the latter.

Run: .venv/bin/python bench/bench_public.py [--visitors 32] [--seconds 20] [--addresses 500]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from planwatch.demo.seed import seed_demo
from planwatch.services import publishing, users
from planwatch.services.public_snapshot import PublicationScope, plan_slug
from planwatch.store import Database
from planwatch.store.models import Plan

GOAL_PER_SECOND = 200.0


def build(url: str) -> tuple[str, list[str]]:
    """The demo, published by its evaluation group and approved by its monitoring group;
    returns the plan's public address and its indicators' page names."""
    database = Database(url)
    database.upgrade()
    seed_demo(database)
    with database.session() as session:
        plan = session.scalars(select(Plan).order_by(Plan.id)).first()
        assert plan is not None
        proposer = users.find_user(session, "pinggu")
        eligible = publishing.eligibility(session, proposer, plan)
        chosen = [c for c in eligible.candidates if c.years]
        scope = PublicationScope(tuple(c.key for c in chosen), eligible.locked_years, True, True, True)
        decision = publishing.propose(session, proposer, plan, scope, office="青川区发展和改革委员会")
        publishing.approve(session, users.find_user(session, "tongji"), decision.id)
        slug, codes = plan_slug(plan.plan_key), [c.code.lower() for c in chosen]
    database.dispose()
    return slug, codes


def paths(slug: str, codes: list[str]) -> list[str]:
    plan = f"/public/plans/{slug}"
    pages = ["/public/", "/public/en/", f"{plan}/index.html", f"{plan}/progress.html", f"/public/en{plan[7:]}/index.html"]
    for code in codes:
        pages += [f"{plan}/indicators/{code}.html", f"/public/en{plan[7:]}/indicators/{code}.html",
                  f"{plan}/data/{code}.csv", f"{plan}/data/{code}.json"]
    return pages


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).with_name("planwatch")), "serve", "--db", url, "--port", str(port),
               "--workers", "1", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "PLANWATCH_SECRET_KEY": "bench"})
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/public/", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("planwatch serve did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of the server process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pid(launcher: subprocess.Popen[bytes]) -> int:
    """The Python process itself (taskset execs it, so it is the launcher's pid)."""
    return launcher.pid


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def cold(base: str, pages: list[str]) -> dict[str, list[float]]:
    """Every page once, in order: each is rendered now (the first request after a decision)."""
    times: dict[str, list[float]] = {}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for number, path in enumerate(pages):
            began = time.perf_counter()
            response = await client.get(path, headers={"X-Forwarded-For": f"10.9.{number // 250}.{number % 250}"})
            assert response.status_code == 200, (path, response.status_code)
            kind = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else "html"
            times.setdefault(kind, []).append((time.perf_counter() - began) * 1000)
    return times


async def load(base: str, pages: list[str], visitors: int, seconds: float, addresses: int,
               pid: int) -> tuple[list[float], dict[int, int], float]:
    timings: list[float] = []
    statuses: dict[int, int] = {}
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=visitors, max_keepalive_connections=visitors)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        before = cpu_seconds(pid)

        async def visitor(number: int) -> None:
            rng = random.Random(number)
            while time.monotonic() < stop_at:
                address = rng.randrange(addresses)
                began = time.perf_counter()
                try:
                    response = await client.get(rng.choice(pages), headers={
                        "X-Forwarded-For": f"10.{address // 65536}.{address // 256 % 256}.{address % 256}"})
                except httpx.TransportError:  # a connection the server closed while idle: counted, not fatal
                    statuses[0] = statuses.get(0, 0) + 1
                    continue
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code == 200:
                    timings.append((time.perf_counter() - began) * 1000)

        await asyncio.gather(*(visitor(n) for n in range(visitors)))
        used = cpu_seconds(pid) - before
    return timings, statuses, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--visitors", type=int, default=32, help="requests in flight at once")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--addresses", type=int, default=500, help="distinct visitor addresses")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="planwatch-bench-public-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    began = time.perf_counter()
    slug, codes = build(url)
    pages = paths(slug, codes)
    print(f"demo published: {len(codes)} indicators, {len(pages)} addresses measured; built in "
          f"{time.perf_counter() - began:.1f} s")
    port = free_port()
    server = start_server(url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        pinned = "pinned to CPU 0" if shutil.which("taskset") else "not pinned (no taskset)"
        for kind, values in asyncio.run(cold(base, pages)).items():
            print(f"first request (rendered), {kind:4s}: n={len(values):3d}  median {statistics.median(values):6.1f} ms  "
                  f"max {max(values):6.1f} ms")
        client_cpu = time.process_time()
        timings, statuses, used = asyncio.run(load(base, pages, args.visitors, args.seconds, args.addresses,
                                                   server_pid(server)))
        client_cpu = time.process_time() - client_cpu
        done = len(timings)
        wall = done / args.seconds
        per_cpu = done / used if used else float("inf")
        print(f"planwatch serve --workers 1, {pinned}; {args.visitors} requests in flight from {args.addresses} "
              f"addresses for {args.seconds:.0f} s: {done} pages answered, statuses {dict(sorted(statuses.items()))} "
              "(0: connection lost)")
        print(f"  {wall:7.1f} requests/s over the wall clock; server CPU {used / args.seconds:.0%} of one core, "
              f"this load generator's {client_cpu / args.seconds:.0%} (the rest: waiting for a CPU on a busy machine)")
        print(f"  {per_cpu:7.1f} requests per second of server CPU time (one core's capacity); "
              f"goal {GOAL_PER_SECOND:.0f}/s, ratio {per_cpu / GOAL_PER_SECOND:.2f}")
        print(f"  latency p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
              f"p99 {percentile(timings, 0.99):.1f} ms")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
