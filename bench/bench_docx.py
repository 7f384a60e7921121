"""Word (.docx) throughput on the shared renderings, per file, in one process after imports.

Run: .venv/bin/python bench/bench_docx.py [RENDERINGS_DIR] [--rounds N]
Goal (issue 13): whole ``extract_file`` at least 1 MB/s of .docx file bytes on one core.
Times are CPU time of this process (the machine is shared, so wall time would measure
the neighbours), the best of N rounds; the ratio is throughput over the goal.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from planwatch.extract import extract_file
from planwatch.ingest import read_source

GOAL_MB_S = 1.0


def _best_seconds(work: Callable[[], Any], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return max(best, 1e-9)


def main() -> int:
    default = Path(__file__).resolve().parents[1].parent / "shared" / "renderings"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("renderings", nargs="?", type=Path, default=default)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    files = sorted(args.renderings.glob("*.docx"))
    if not files:
        print(f"no .docx files in {args.renderings}")
        return 2
    extract_file(files[0])  # warm imports and regex caches
    total_bytes = total_read = total_extract = 0.0
    for path in files:
        mb = path.stat().st_size / 1e6
        read = _best_seconds(partial(read_source, path), args.rounds)
        extract = _best_seconds(partial(extract_file, path), args.rounds)
        total_bytes, total_read, total_extract = total_bytes + mb, total_read + read, total_extract + extract
        print(f"{path.name}: size={mb:.3f}MB read_source={read:.3f}s ({mb / read:.2f}MB/s) "
              f"extract_file={extract:.3f}s ({mb / extract:.2f}MB/s) ratio={mb / extract / GOAL_MB_S:.2f}")
    print(f"all {len(files)} files: size={total_bytes:.3f}MB read_source={total_bytes / total_read:.2f}MB/s "
          f"extract_file={total_bytes / total_extract:.2f}MB/s goal={GOAL_MB_S}MB/s "
          f"ratio={total_bytes / total_extract / GOAL_MB_S:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
