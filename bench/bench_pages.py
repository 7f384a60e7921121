"""What each page costs on a plan of 10,000 indicators: HTML size and server CPU per page, for
each role. Goal: no page over 100 KiB of HTML or 20 ms of CPU (the cost of a page follows
what it shows, not the size of the plan).

Run: .venv/bin/python bench/bench_pages.py [--indicators 10000] [--units 20000] [--repeat 5]

The district of bench/scale_data.py (10,000 indicators, 100 departments, ten years, the last
being reported with 30 % of its figures waiting for review) with 20,000 more units in its
org-unit tree. The app runs in this process (FastAPI's test client, no network); each page
is asked for once to warm up (the first dashboard of a year evaluates the plan and stores
the snapshot: its time is printed too), then ``--repeat`` times; the median CPU time of the
process per request is printed with the page's size. CPU, not wall time: the machine may be
shared, and a page's CPU is what it costs whatever else runs.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from planwatch.web import create_app
from scale_data import PASSWORD, District, build

GOAL_KIB, GOAL_MS = 100.0, 20.0


def logged_in(client: TestClient, login: str) -> None:
    client.cookies.clear()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    answer = client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": token.group(1)},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text[:300]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--indicators", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=20_000, help="org units besides the 100 departments")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="planwatch-bench-pages-"))
    url = f"sqlite:///{folder / 'pages.db'}"
    started = time.perf_counter()
    district = build(url, indicators=args.indicators, extra_units=args.units)
    print(f"database: {args.indicators:,} indicators, {100 + args.units:,} units, built in "
          f"{time.perf_counter() - started:.0f} s")
    plan, unit, period = district.plan_id, district.unit_ids[3], district.open_period_id
    pages = {
        "bench_ld": ["/dashboard", f"/dashboard?plan={plan}&year={district.open_year}", "/plans", f"/plans/{plan}",
                     f"/plans/{plan}?status=seriously_behind&page=20", f"/indicators/{args.indicators // 2}",
                     f"/plans/{plan}/ledger", f"/plans/{plan}/assessment", "/documents", "/search?q=监测指标",
                     "/compare", "/compare?q=监测指标00042", f"/suggest/indicators?plan={plan}&q=监测"],
        "bench_jc": [f"/indicators/{args.indicators // 2}", "/review", "/review?page=10", "/entry",
                     f"/entry?period={period}&unit={unit}", f"/plans/{plan}/periods", "/suggest/units?q=云溪区第00"],
        "bench_pg": [f"/indicators/{args.indicators // 3}"],
        "bench_admin": ["/admin/users", "/admin/users?q=clerk00", "/admin/orgunits",
                        f"/admin/orgunits?branch={district.unit_ids[0]}", "/admin/orgunits?q=基层单位0001",
                        f"/plans/{plan}/assignments", f"/admin/users/{district.unit_ids[0]}"],
        district.clerks[3]: ["/dashboard", "/entry", f"/plans/{plan}", f"/indicators/{4}"],
    }
    app = create_app(url)
    over = []
    print(f"{'role':<12} {'page':<52} {'KiB':>7} {'CPU ms':>7} {'first ms':>8}")
    with TestClient(app) as client:
        for login, paths in pages.items():
            logged_in(client, login)
            for path in paths:
                began = time.process_time()
                first = client.get(path)
                first_ms = (time.process_time() - began) * 1000
                if first.status_code != 200:
                    print(f"{login:<12} {path:<52} status {first.status_code}")
                    over.append((login, path))
                    continue
                cpu = []
                for _ in range(args.repeat):
                    began = time.process_time()
                    response = client.get(path)
                    cpu.append((time.process_time() - began) * 1000)
                kib = len(response.content) / 1024
                ms = statistics.median(cpu)
                mark = " !" if kib > GOAL_KIB or ms > GOAL_MS else ""
                if mark:
                    over.append((login, path))
                print(f"{login:<12} {path[:52]:<52} {kib:>7.1f} {ms:>7.1f} {first_ms:>8.0f}{mark}", flush=True)
        writes(client, district)
    print(f"pages over {GOAL_KIB:.0f} KiB or {GOAL_MS:.0f} ms CPU: {len(over)} {over}")


def writes(client: TestClient, district: District) -> None:
    """What a clerk's save and submission and a reviewer's approval of a page of 50 cost."""
    unit = district.unit_ids[5]
    logged_in(client, district.clerks[5])
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/entry").text)
    assert token
    saves, submits = [], []
    for n, indicator in enumerate(district.to_report[unit][:12]):
        form = {"csrf_token": token.group(1), "indicator_id": indicator, "period_id": district.open_period_id,
                "org_unit_id": unit, "value": f"{60 + n}.5"}
        for step, times in (("enter", saves), ("submit", submits)):
            began = time.process_time()
            answer = client.post("/entry", data={**form, "step": step}, headers={"X-Requested-With": "fetch"})
            times.append((time.process_time() - began) * 1000)
            assert answer.status_code == 200, answer.text[:300]
    logged_in(client, "bench_sh")
    page = client.get("/review").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    ids = re.findall(r'name="observation_id" value="(\d+)"', page)
    assert token and len(ids) == 50
    began = time.process_time()
    answer = client.post("/review", data={"csrf_token": token.group(1), "observation_id": ids, "decision": "approve"},
                         headers={"X-Requested-With": "fetch"})
    approve = (time.process_time() - began) * 1000
    assert answer.status_code == 200, answer.text[:300]
    print(f"writes: a draft saved {statistics.median(saves):.1f} ms CPU, submitted {statistics.median(submits):.1f} ms "
          f"(median of {len(saves)}); 50 values approved at once {approve:.0f} ms ({approve / 50:.1f} ms a value)")


if __name__ == "__main__":
    main()
