"""Command-line start-up: ``planwatch --version``, ``--help`` and ``extract`` of a small plan.

Goals: ``--version`` and ``--help`` under 0.5 s, ``extract`` of the bundled demo plan (a
small district plan) under 1.5 s in all, each timed as a user's shell runs it: a fresh
interpreter through the installed ``planwatch`` script. Prints the median wall time of
several runs and its ratio to the goal (≤ 1 meets it), and the median CPU time (user +
system) of the child process: on a shared machine the wall time of a busy moment says
more about the neighbours than about the program, the CPU time much less so.

Run: .venv/bin/python bench/bench_cli.py [runs]
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from planwatch.demo import DEMO_PLAN

SCRIPT = Path(sys.executable).with_name("planwatch")
CASES = (
    ("python -c pass", [sys.executable, "-c", "pass"], None),
    ("planwatch --version", [str(SCRIPT), "--version"], 0.5),
    ("planwatch --help", [str(SCRIPT), "--help"], 0.5),
    ("planwatch extract demo plan", [str(SCRIPT), "extract", str(DEMO_PLAN)], 1.5),
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_seconds(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``runs`` runs."""
    wall, cpu = [], []
    for _ in range(runs):
        cpu_before, start = _children_cpu(), time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env={"COLUMNS": "80", "PATH": ""})
        wall.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - cpu_before)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    print(f"{'command':30} {'wall s':>7} {'cpu s':>7} {'goal s':>7} {'wall/goal':>9} {'cpu/goal':>8}  ({runs} runs)")
    for label, command, goal in CASES:
        wall, cpu = median_seconds(command, runs)
        ratios = f"{wall / goal:9.2f} {cpu / goal:8.2f}" if goal else ""
        print(f"{label:30} {wall:7.3f} {cpu:7.3f} {goal or '':>7} {ratios}")


if __name__ == "__main__":
    main()
