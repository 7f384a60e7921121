"""Extraction throughput on the shared seeds, in one process, after imports.

Run: .venv/bin/python bench/bench_extract.py [SEED_DIR]
Goal (issue 2): at least 2 MB/s on one core.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from planwatch.extract import extract_file

GOAL_MB_S = 2.0


def main() -> int:
    seeds = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
    files = sorted(seeds.glob("*.txt"))
    if not files:
        print(f"no seeds in {seeds}", file=sys.stderr)
        return 2
    size = sum(f.stat().st_size for f in files)
    extract_file(files[0])  # warm imports and regex caches
    rounds = 3
    start = time.perf_counter()
    indicators = 0
    for _ in range(rounds):
        for f in files:
            indicators += len(extract_file(f).indicators)
    seconds = (time.perf_counter() - start) / rounds
    mb = size / 1e6
    print(f"files={len(files)} size={mb:.2f}MB indicators={indicators // rounds} seconds={seconds:.3f} "
          f"throughput={mb / seconds:.2f}MB/s goal={GOAL_MB_S}MB/s ratio={mb / seconds / GOAL_MB_S:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
