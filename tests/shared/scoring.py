"""The shared scorer run on what the real ``planwatch extract --json`` prints for a file: the public
contract end to end.

Each file is extracted (and scored) once per test run: the result is kept in memory and, when
pytest-xdist runs the tests in several workers, in a folder of the run that every worker reads,
so a file whose tests land on two workers is still extracted once.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from tests.conftest import across_workers

_shared_with_workers: list[Path] = []  # set by tests/shared/conftest.py in a pytest-xdist worker


def share_with_workers(folder: Path) -> None:
    """Keep results in ``folder`` too, which every worker of this run reads."""
    _shared_with_workers[:] = [folder]


def _once(key: str, compute: Callable[[], Any]) -> Any:
    if not _shared_with_workers:
        return compute()
    folder = _shared_with_workers[0]
    name = hashlib.sha256(key.encode()).hexdigest()[:24]
    done = folder / f"{name}.json"
    with across_workers(folder / f"{name}.lock"):
        if not done.exists():
            written = folder / f"{name}.partial"
            written.write_text(json.dumps(compute(), ensure_ascii=False), encoding="utf-8")
            written.replace(done)
    return json.loads(done.read_text(encoding="utf-8"))


@cache
def printed(path: Path) -> str:
    """What ``planwatch extract --json`` prints for ``path``, run as the user runs it."""
    def extract() -> str:
        return subprocess.run([sys.executable, "-m", "planwatch", "extract", str(path), "--json"],
                              capture_output=True, text=True, check=True).stdout

    out: str = _once(f"extract|{path}", extract)
    return out


def prediction(path: Path) -> dict[str, Any]:
    """The command's JSON for ``path``, parsed."""
    result: dict[str, Any] = json.loads(printed(path))
    return result


@cache
def extraction(path: Path, gold: Path, scorer: Path, by_name: bool) -> tuple[dict[str, Any], str]:
    """The command's JSON for one file and the scorer's verbose report on it (by name for a Word or PDF
    rendering of an annotated text: positions in a .docx/.pdf are not text lines)."""
    out = printed(path)

    def score() -> str:
        with tempfile.TemporaryDirectory() as folder:
            pred = Path(folder) / f"{path.name}.json"
            pred.write_text(out, encoding="utf-8")
            return subprocess.run([sys.executable, str(scorer), str(pred), str(gold), "--file", path.name,
                                   *(["--by-name"] if by_name else []), "--verbose"],
                                  capture_output=True, text=True, check=True).stdout

    report: str = _once(f"score|{path}|{gold}|{scorer}|{by_name}", score)
    return json.loads(out), report


def scores(report: str) -> dict[str, float]:
    """The summary line's figures: strict_f1, detect_f1, doc_f1, silent."""
    last = report.strip().splitlines()[-1]
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", last)}
